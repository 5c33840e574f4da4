'use strict';
// The cost of one await against one handler call, on always-ready fds in dispatch 'loop': each
// delivery is one readiness, to a handler, to `await ep.readable(fd)` or to a watch's for await.
const { summarize } = require('../lib/stats');
const { nodeProgram, repeat, runJson } = require('../lib/processes');
const { table, spread, ratio } = require('../lib/table');

const IMPLS = [
  { impl: 'handler', label: 'handler: ep.add(fd, EPOLLIN, handler)' },
  { impl: 'watch', label: 'for await (… of ep.watch(fd, EPOLLIN))' },
  { impl: 'readable', label: 'await ep.readable(fd) in a loop' },
];
const FDS = [1, 1000];

async function run(ctx) {
  const seconds = ctx.quick ? 0.5 : 1;
  const results = {};
  for (const fds of FDS) {
    for (const { impl } of IMPLS) {
      const runs = await repeat(ctx.runs, () =>
        runJson(nodeProgram('await-cost', ['--impl', impl, '--fds', String(fds), '--seconds', String(seconds)])),
      );
      results[`${impl}-${fds}`] = summarize(runs.map((r) => r.nsPerEvent));
    }
  }
  const ns = (impl, fds) => results[`${impl}-${fds}`].median;
  const sections = FDS.map((fds) => {
    const rows = IMPLS.map(({ impl, label }) => [
      label,
      spread(results[`${impl}-${fds}`], 0),
      String(Math.round(ns(impl, fds) - ns('handler', fds))),
      ratio(ns(impl, fds) / ns('handler', fds)),
    ]);
    return [
      `#### ${fds === 1 ? 'One always-ready fd: one batch per delivery' : '1,000 always-ready fds: batches of 1,000'}`,
      '',
      table(['delivery', 'ns per delivery', 'ns more than a handler call', 'vs a handler call'], rows),
    ].join('\n');
  });
  const markdown = [
    "Level-triggered eventfds that are never read, in dispatch 'loop', counted for 1 s. With one fd every delivery pays a turn of the event loop; with 1,000 a batch carries 1,000 deliveries, so the figure is the cost of one delivery itself. `readable()` re-arms its one-shot registration for each await (one `epoll_ctl`, which the kernel makes dearer for an epoll fd that Node's own loop watches); a watch registers once, and adds a promise and a microtask to the handler call.",
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  return {
    title: 'Await cost',
    markdown,
    charts: [
      {
        file: 'await-cost-1000-fds.svg',
        svg: {
          title: 'One delivery, 1,000 always-ready fds',
          unit: 'ns per delivery',
          bars: IMPLS.map(({ impl, label }) => ({ label, ...results[`${impl}-1000`] })),
        },
      },
    ],
    targets: [],
  };
}

module.exports = { run };
