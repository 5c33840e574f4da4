'use strict';
// Echo throughput and latency: examples/echo-server, and examples/echo-async (the same server
// written with await), against a node:net echo server and a C edge-triggered epoll server, all
// driven by the same C load generator, which verifies every byte.
const path = require('node:path');
const { summarize } = require('../lib/stats');
const { ROOT, cProgram, nodeProgram, runJson, startServer } = require('../lib/processes');
const { table, spread, ratio } = require('../lib/table');

const ECHO_EXAMPLE = path.join(ROOT, 'dist', 'examples', 'echo-server.js');
const ASYNC_EXAMPLE = path.join(ROOT, 'dist', 'examples', 'echo-async.js');
// examples/echo-server prints "echo server on 127.0.0.1:PORT (dispatch: ...)".
const EXAMPLE_PORT = /127\.0\.0\.1:(\d+)/;

const SERVERS = [
  {
    key: 'loop',
    label: "linux-epoll 'loop' (examples/echo-server)",
    start: () => startServer([process.execPath, ECHO_EXAMPLE, '--port', '0', '--dispatch', 'loop'], EXAMPLE_PORT),
  },
  {
    key: 'eagain',
    label: "linux-epoll 'loop', --drain eagain",
    start: () =>
      startServer(
        [process.execPath, ECHO_EXAMPLE, '--port', '0', '--dispatch', 'loop', '--drain', 'eagain'],
        EXAMPLE_PORT,
      ),
  },
  {
    key: 'thread',
    label: "linux-epoll 'thread' (examples/echo-server)",
    start: () => startServer([process.execPath, ECHO_EXAMPLE, '--port', '0', '--dispatch', 'thread'], EXAMPLE_PORT),
  },
  {
    key: 'async',
    label: "linux-epoll 'loop', async (examples/echo-async)",
    start: () => startServer([process.execPath, ASYNC_EXAMPLE, '--port', '0', '--dispatch', 'loop'], EXAMPLE_PORT),
  },
  { key: 'net', label: 'node:net', start: () => startServer(nodeProgram('net-echo-server')) },
  { key: 'c', label: 'C, edge-triggered epoll', start: () => startServer(cProgram('echo_server', ['--port', '0'])) },
];

// From `perf record -e cpu-clock -g` of examples/echo-server under 500 × 64 B (see docs/BENCHMARKS.md).
const KERNEL_BOUND =
  "The server is kernel-bound: 86 % of its CPU time is in the kernel (the read and write syscalls, and the loopback delivery they trigger, which is the same work the C server does), 14 % in Node, V8, libc and the addon. What separates it from C is that 14 %: the loop turn (libuv's epoll_wait, then ours), the crossing into JS, and a native call per read and write.";

const LOADS = [
  { connections: 1, size: 64 },
  { connections: 50, size: 64 },
  { connections: 500, size: 64 },
  { connections: 1000, size: 64 },
  { connections: 50, size: 16384 },
];

async function measure(server, load, ctx) {
  const seconds = ctx.quick ? '1' : '1.5';
  const args = [
    '--port',
    String(server.port),
    '--connections',
    String(load.connections),
    '--size',
    String(load.size),
    '--seconds',
    seconds,
    '--warmup',
    '0.3',
  ];
  return runJson(cProgram('loadgen', args), { timeoutMs: 60000 });
}

// Every server runs for the whole suite, and each round measures each of them in turn, so a change
// in the machine's state over the minutes of the suite falls on all of them alike.
async function run(ctx) {
  const servers = [];
  const samples = {};
  try {
    for (const spec of SERVERS) servers.push({ spec, server: await spec.start() });
    for (let round = 0; round < ctx.runs; round++) {
      for (const [i, load] of LOADS.entries()) {
        for (const { spec, server } of servers) {
          samples[spec.key] ??= LOADS.map(() => []);
          samples[spec.key][i].push(await measure(server, load, ctx));
        }
      }
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
  const results = {};
  for (const [key, perLoad] of Object.entries(samples)) {
    results[key] = perLoad.map((runs) => ({
      msgs: summarize(runs.map((r) => r.msgs_per_sec)),
      p50: summarize(runs.map((r) => r.p50_us)),
      p99: summarize(runs.map((r) => r.p99_us)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
    }));
  }
  const sections = LOADS.map((load, i) => {
    const net = results.net[i].msgs.median;
    const c = results.c[i].msgs.median;
    const rows = SERVERS.map((s) => {
      const r = results[s.key][i];
      return [
        s.label,
        spread(r.msgs),
        spread(r.p50),
        spread(r.p99),
        ratio(r.msgs.median / net),
        ratio(r.msgs.median / c),
        String(r.errors),
      ];
    });
    return [
      `#### ${load.connections.toLocaleString('en-US')} connection${load.connections > 1 ? 's' : ''} × ${load.size.toLocaleString('en-US')} B`,
      '',
      table(['server', 'messages/s', 'p50 µs', 'p99 µs', 'vs node:net', 'vs C', 'byte errors'], rows),
    ].join('\n');
  });
  const markdown = [
    "Each connection sends a message, waits for the whole echo, checks every byte, and sends the next. The load generator (bench/c/loadgen, one thread, epoll) and the server share the 2 cores, so every figure includes the load generator's own cost.",
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  const at = (key, i) => results[key][i].msgs.median;
  // The C server is the physical limit: a ratio to node:net above its own cannot be reached.
  const vsNet = (key, i, atLeast) => {
    const { connections, size } = LOADS[i];
    const ceiling = at('c', i) / at('net', i);
    return {
      name: `echo ${connections} × ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`}: '${key}' vs node:net`,
      value: at(key, i) / at('net', i),
      atLeast,
      why: `The C server itself reaches ${ceiling.toFixed(2)}× node:net here, and linux-epoll ${(at(key, i) / at('c', i)).toFixed(2)}× the C server. ${
        at(key, i) >= 0.98 * at('c', i)
          ? 'The target asks for more than the physical limit of this machine.'
          : KERNEL_BOUND
      }`,
    };
  };
  // examples/echo-async against the callback server and node:net, at 50 and 500 × 64 B.
  const asyncTargets = (i) => {
    const { connections, size } = LOADS[i];
    return [
      { name: `echo ${connections} × ${size} B: async vs 'loop'`, value: at('async', i) / at('loop', i), atLeast: 0.8 },
      {
        name: `echo ${connections} × ${size} B: async vs node:net`,
        value: at('async', i) / at('net', i),
        atLeast: 1.2,
        why: `The callback server reaches ${(at('loop', i) / at('net', i)).toFixed(2)}× node:net in this run; the async one is ${(at('async', i) / at('loop', i)).toFixed(2)}× the callback server. The async server watches each connection once (ep.watch, no re-arm) and pays a promise and a microtask per dispatch on top of a handler call (see "Await cost" below); at 500 connections its runs spread widely.`,
      },
    ];
  };
  // Issue 16: the echo server on the connection layer, within 5 % of the C server.
  const vsC = (i) => {
    const { connections, size } = LOADS[i];
    return {
      name: `echo ${connections} × ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`}: 'loop' vs C`,
      value: at('loop', i) / at('c', i),
      atLeast: 0.95,
      why: KERNEL_BOUND,
    };
  };
  return {
    title: 'Echo throughput and latency',
    markdown,
    charts: LOADS.map((load, i) => ({
      file: `echo-${load.connections}x${load.size}.svg`,
      svg: {
        title: `Echo, ${load.connections} connections × ${load.size} B`,
        unit: 'messages/s',
        bars: SERVERS.map((s) => ({ label: s.label, ...results[s.key][i].msgs })),
      },
    })),
    targets: [
      vsNet('loop', 1, 1.3),
      vsC(1),
      vsC(2),
      vsC(4),
      vsNet('loop', 2, 1.5),
      vsNet('loop', 4, 2),
      vsNet('thread', 1, 1),
      ...[1, 2].flatMap((i) => asyncTargets(i)),
    ],
  };
}

module.exports = { run };
