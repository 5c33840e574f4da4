'use strict';
// The cost of one wake-up with N idle fds: epoll's flat cost against poll() and select().
const { summarize } = require('../lib/stats');
const { cProgram, nodeProgram, repeat, runJson } = require('../lib/processes');
const { table, spread } = require('../lib/table');

const SIZES = [10, 100, 1000, 10000];
// select() cannot watch fds numbered FD_SETSIZE (1024) or above.
const SELECT_LIMIT = 1000;

async function run(ctx) {
  const iterations = String(ctx.quick ? 5000 : 20000);
  const mechanisms = [
    {
      key: 'linux-epoll',
      label: "linux-epoll 'loop'",
      command: (n) => nodeProgram('scaling', ['--idle', String(n), '--iterations', iterations]),
      field: 'nsPerWakeup',
    },
    ...['epoll', 'poll', 'select'].map((m) => ({
      key: m,
      label: `C ${m}`,
      command: (n) => cProgram('scaling', ['--mechanism', m, '--idle', String(n), '--iterations', iterations]),
      field: 'ns_per_wakeup',
      limit: m === 'select' ? SELECT_LIMIT : undefined,
    })),
  ];
  const results = {};
  for (const mechanism of mechanisms) {
    results[mechanism.key] = {};
    for (const n of SIZES) {
      if (n > (mechanism.limit ?? Infinity)) continue;
      const runs = await repeat(ctx.runs, () => runJson(mechanism.command(n)));
      results[mechanism.key][n] = summarize(runs.map((r) => r[mechanism.field] / 1000));
    }
  }
  const rows = mechanisms.map((m) => [
    m.label,
    ...SIZES.map((n) => (results[m.key][n] ? spread(results[m.key][n], 2) : '—')),
    results[m.key][10000] ? `${(results[m.key][10000].median / results[m.key][10].median).toFixed(2)}×` : '—',
  ]);
  const markdown = [
    "One active eventfd is written, waited for and read back, with N idle fds also watched. epoll's cost follows the ready fds; poll() and select() walk every fd they are given. select() stops at FD_SETSIZE. Every program, C or JavaScript, times the loop the same way: a warm-up of a tenth of the iterations, then the median of 5 timed rounds.",
    '',
    table(['µs per wake-up', ...SIZES.map((n) => `N = ${n.toLocaleString('en-US')}`), 'N = 10,000 vs N = 10'], rows),
  ].join('\n');
  const bars = [];
  for (const m of mechanisms)
    for (const n of SIZES)
      if (results[m.key][n]) bars.push({ label: `${m.label}, N = ${n}`, group: m.label, ...results[m.key][n] });
  const at = (key, n) => results[key][n].median;
  return {
    title: 'Scaling with idle fds',
    markdown,
    charts: [{ file: 'scaling.svg', svg: { title: 'One wake-up with N idle fds', unit: 'µs', bars, log: true } }],
    targets: [
      {
        name: "scaling: 'loop' at N = 10,000 vs N = 10",
        value: at('linux-epoll', 10000) / at('linux-epoll', 10),
        atMost: 1.2,
      },
      { name: 'scaling: C poll() at N = 10,000 vs N = 10', value: at('poll', 10000) / at('poll', 10), atLeast: 10 },
    ],
  };
}

module.exports = { run };
