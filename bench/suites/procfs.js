'use strict';
// PidFd and Inotify (issue 15): how fast inotify events reach JS, against Node's fs.watch and the
// npm `inotify` package, and how soon a child's exit is heard, against child_process's 'exit'.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { summarize } = require('../lib/stats');
const { ROOT, cProgram, nodeProgram, repeat, runJson } = require('../lib/processes');
const { table, spread, ratio } = require('../lib/table');

// The last release of the `inotify` package (2020): a NAN addon, built from source on install.
const INOTIFY_PACKAGE = 'inotify@1.4.6';

// Installs the `inotify` package into .cache/, never into the project's lockfile: { dir } when it
// built, else { reason }, the compiler's first error. A failure is remembered per Node ABI, so
// each run does not rebuild what cannot build.
function inotifyPackage() {
  const dir = path.join(ROOT, '.cache', 'bench', 'inotify-package');
  const failed = path.join(dir, `failed-abi${process.versions.modules}.txt`);
  if (fs.existsSync(path.join(dir, 'node_modules', 'inotify', 'build', 'Release'))) return { dir };
  if (fs.existsSync(failed)) return { reason: fs.readFileSync(failed, 'utf8') };
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync(
      'npm',
      ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', INOTIFY_PACKAGE],
      { stdio: 'pipe', timeout: 300000 },
    );
    return { dir };
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    const first = /error: (.*)/.exec(output)?.[1] ?? (error.message.split('\n')[0] || 'npm install failed');
    const reason = `${INOTIFY_PACKAGE} does not build on Node ${process.version}: ${first.trim()}`;
    fs.writeFileSync(failed, reason);
    return { reason };
  }
}

async function inotifyRates(ctx) {
  const rounds = String(ctx.quick ? 5 : 15);
  const impls = [
    { impl: 'loop', label: "linux-epoll Inotify, 'loop'" },
    { impl: 'thread', label: "linux-epoll Inotify, 'thread'" },
    { impl: 'fs.watch', label: 'node: fs.watch' },
  ];
  const pkg = inotifyPackage();
  if (pkg.dir) impls.push({ impl: 'inotify', label: `npm ${INOTIFY_PACKAGE}`, args: ['--module', pkg.dir] });
  const rows = {};
  for (const { impl, label, args = [] } of impls) {
    const runs = await repeat(ctx.runs, () =>
      runJson(nodeProgram('inotify-rate', ['--impl', impl, '--rounds', rounds, ...args])),
    );
    rows[impl] = { label, rate: summarize(runs.map((r) => r.eventsPerSecond)) };
  }
  return { rows, reason: pkg.reason };
}

async function exitLatencies(ctx) {
  const samples = String(ctx.quick ? 50 : 300);
  const child = cProgram('exit_stamp')[0];
  const rows = {};
  for (const [notify, label] of [
    ['loop', "linux-epoll PidFd, 'loop'"],
    ['thread', "linux-epoll PidFd, 'thread'"],
    ['exit', "node: child_process 'exit'"],
  ]) {
    const runs = await repeat(ctx.runs, () =>
      runJson(nodeProgram('pidfd-latency', ['--notify', notify, '--child', child, '--samples', samples])),
    );
    rows[notify] = { label, p50: summarize(runs.map((r) => r.p50Us)), p99: summarize(runs.map((r) => r.p99Us)) };
  }
  const c = await repeat(ctx.runs, () => runJson(cProgram('pidfd_floor', ['--child', child, '--samples', samples])));
  rows.c = {
    label: 'C: pidfd in epoll_wait',
    p50: summarize(c.map((r) => r.p50_us)),
    p99: summarize(c.map((r) => r.p99_us)),
  };
  return rows;
}

async function run(ctx) {
  const inotify = await inotifyRates(ctx);
  const exit = await exitLatencies(ctx);
  const watch = inotify.rows['fs.watch'].rate.median;
  const markdown = [
    '### Inotify: events delivered per second',
    "Each round queues 8,000 `IN_MODIFY` events (one-byte writes alternating between two files, so the kernel merges none) while the JS thread is busy, then times the drain, from the end of the burst to the callback that sees the last event; the median of the rounds. Every implementation reads the same kernel queue, and the kernel's own `read(2)` of an inotify fd costs about 0.9 µs per event on this VM, which bounds all of them.",
    inotify.reason
      ? `The npm \`inotify\` package is missing from the table: the bench installs it into .cache/ on each machine, and here ${inotify.reason}. Its last release (2020) uses V8 APIs that Node removed years ago, so fs.watch is the comparison.`
      : '',
    '',
    table(
      ['implementation', 'events/s', 'vs fs.watch'],
      Object.values(inotify.rows).map((r) => [r.label, spread(r.rate), ratio(r.rate.median / watch)]),
    ),
    '',
    "### PidFd: how soon a child's exit is heard",
    "A C child (`bench/c/exit_stamp`) stamps CLOCK_MONOTONIC and exits at once; the parent takes the difference when it hears of the exit. The C floor waits for the same child with a pidfd in `epoll_wait` and does nothing else: the kernel's exit path on this VM. Latencies in µs.",
    '',
    table(
      ['notification', 'p50 µs', 'p99 µs', "p50 vs 'exit'"],
      Object.values(exit).map((r) => [
        r.label,
        spread(r.p50, 0),
        spread(r.p99, 0),
        ratio(r.p50.median / exit.exit.p50.median),
      ]),
    ),
  ].join('\n');
  return {
    title: 'PidFd and Inotify',
    markdown,
    charts: [
      {
        file: 'inotify-rate.svg',
        svg: {
          title: 'Inotify events delivered per second (median)',
          unit: 'events/s',
          bars: Object.values(inotify.rows).map((r) => ({ label: r.label, ...r.rate })),
        },
      },
      {
        file: 'pidfd-latency.svg',
        svg: {
          title: "A child's exit heard (p50)",
          unit: 'µs',
          bars: Object.values(exit).map((r) => ({ label: r.label, ...r.p50 })),
        },
      },
    ],
    targets: [
      {
        name: "Inotify 'loop' events/s vs fs.watch",
        value: inotify.rows.loop.rate.median / watch,
        atLeast: 1,
        why: 'The kernel read dominates both; the rest is noise on this shared VM.',
      },
      {
        name: "PidFd 'loop' exit p50 vs child_process 'exit'",
        value: exit.loop.p50.median / exit.exit.p50.median,
        atMost: 1.25,
        why: 'Both wait on the same kernel exit path; the VM adds hundreds of µs of noise to it.',
      },
    ],
  };
}

module.exports = { run };
