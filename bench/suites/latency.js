'use strict';
// Wake-up latency from another thread, and ping-pong round trips pinned to one core.
const { summarize } = require('../lib/stats');
const { cProgram, nodeProgram, repeat, runJson } = require('../lib/processes');
const { table, spread, ratio } = require('../lib/table');

const PATHS = [
  { path: 'loop', label: "linux-epoll 'loop': eventfd" },
  { path: 'thread', label: "linux-epoll 'thread': eventfd" },
  { path: 'postmessage', label: 'node: worker postMessage' },
  { path: 'net-pipe', label: 'node: pipe read by net.Socket' },
];

function summarizeRuns(runs, p50, p99) {
  return { p50: summarize(runs.map((r) => r[p50])), p99: summarize(runs.map((r) => r[p99])) };
}

async function wakeUps(ctx) {
  const samples = String(ctx.quick ? 1000 : 5000);
  const rows = [];
  for (const { path, label } of PATHS) {
    const runs = await repeat(ctx.runs, () =>
      runJson(nodeProgram('wake-latency', ['--path', path, '--samples', samples])),
    );
    rows.push({ label, ...summarizeRuns(runs, 'p50Us', 'p99Us') });
  }
  const c = await repeat(ctx.runs, () => runJson(cProgram('pingpong', ['--mode', 'oneway', '--iterations', samples])));
  rows.push({ label: 'C: two threads, eventfd + epoll_wait', ...summarizeRuns(c, 'p50_us', 'p99_us') });
  return rows;
}

async function pingPongs(ctx) {
  const iterations = String(ctx.quick ? 3000 : 20000);
  const peer = cProgram('pingpong_peer')[0];
  const rows = {};
  for (const dispatch of ['loop', 'thread']) {
    const runs = await repeat(ctx.runs, () =>
      runJson(
        nodeProgram('ping-pong', ['--dispatch', dispatch, '--peer', peer, '--iterations', iterations], { pin: true }),
      ),
    );
    rows[dispatch] = { label: `linux-epoll '${dispatch}' ↔ C peer`, ...summarizeRuns(runs, 'p50Us', 'p99Us') };
  }
  const c = await repeat(ctx.runs, () =>
    runJson(cProgram('pingpong', ['--mode', 'roundtrip', '--iterations', iterations], { pin: true })),
  );
  rows.c = { label: 'C ↔ C, epoll on both sides', ...summarizeRuns(c, 'roundtrip_p50_us', 'roundtrip_p99_us') };
  return rows;
}

async function run(ctx) {
  const wake = await wakeUps(ctx);
  const pingPong = await pingPongs(ctx);
  const rows = (list, floor) =>
    list.map((r) => [r.label, spread(r.p50, 1), spread(r.p99, 1), ratio(r.p50.median / floor.p50.median)]);
  const markdown = [
    '### Wake-up latency from another thread',
    "A worker_thread stamps `process.hrtime` into shared memory and wakes the main thread through the path under test; the handler takes the difference. The threads may run on either core, so the VM's cross-core wake-up (about 20 µs from an idle core) is part of every figure. Compare the Node paths with each other: the C program paces its wake-ups differently (its waker sleeps between them, so each one starts from idle cores), which makes its figure a bound on the cost of a cold cross-core wake-up rather than a floor for this table. The pinned ping-pong below is the like-for-like comparison with C.",
    '',
    table(['path', 'p50 µs', 'p99 µs', 'p50 vs C'], rows(wake, wake[wake.length - 1])),
    '',
    '### Ping-pong round trip, every thread pinned to one core',
    'The JS thread writes a ping eventfd, a C peer waiting in epoll_wait answers on a pong eventfd, the handler times the round trip (`taskset -c 0`). The floor is the same exchange between two C threads.',
    '',
    table(['pair', 'p50 µs', 'p99 µs', 'p50 vs C'], rows(Object.values(pingPong), pingPong.c)),
  ].join('\n');
  return {
    title: 'Wake-up latency',
    markdown,
    charts: [
      {
        file: 'wake-latency.svg',
        svg: {
          title: 'Wake-up from another thread (p50)',
          unit: 'µs',
          bars: wake.map((r) => ({ label: r.label, ...r.p50 })),
        },
      },
      {
        file: 'ping-pong.svg',
        svg: {
          title: 'Ping-pong round trip on one core (p50)',
          unit: 'µs',
          bars: Object.values(pingPong).map((r) => ({ label: r.label, ...r.p50 })),
        },
      },
    ],
    targets: [
      {
        name: "ping-pong: 'loop' p50 vs C floor",
        value: pingPong.loop.p50.median / pingPong.c.p50.median,
        atMost: 1.5,
      },
      {
        name: "ping-pong: 'thread' p50 vs C floor",
        value: pingPong.thread.p50.median / pingPong.c.p50.median,
        atMost: 3.5,
      },
    ],
  };
}

module.exports = { run };
