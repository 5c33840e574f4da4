'use strict';
// HTTP/1.1 throughput as wrk measures it: examples/http-server's fixed route against nginx (one
// worker, `return 200`) and node:http, all answering the same 13-byte text to keep-alive GETs.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { cpuMicros } = require('../lib/cpu');
const { startNginx } = require('../lib/nginx');
const { ROOT, nodeProgram, runJson, startServer } = require('../lib/processes');
const { summarize } = require('../lib/stats');
const { table, spread, ratio } = require('../lib/table');

const EXAMPLE = path.join(ROOT, 'dist', 'examples', 'http-server.js');
const REPORT = path.join(ROOT, 'bench', 'programs', 'wrk-report.lua');
const BODY = 'Hello, World!';
// examples/http-server prints "http server on 127.0.0.1:PORT (...)".
const EXAMPLE_PORT = /127\.0\.0\.1:(\d+)/;

// From `perf record -e cpu-clock -g` of examples/http-server under this load (docs/BENCHMARKS.md).
const PROFILE =
  "A profile of the server shows three quarters of its CPU time in the kernel (the loopback TCP reads and writes nginx makes too), and of the rest most in V8, libuv's wake-up and a native call per read and write; the HTTP parser and router take about 5 %.";

const SERVERS = [
  {
    key: 'loop',
    label: "linux-epoll 'loop' (examples/http-server)",
    start: () => startServer([process.execPath, EXAMPLE, '--port', '0', '--dispatch', 'loop'], EXAMPLE_PORT),
  },
  { key: 'nginx', label: 'nginx, 1 worker, return 200', start: (tools) => startNginx(tools.nginx, BODY) },
  { key: 'node', label: 'node:http', start: () => startServer(nodeProgram('http-node-server')) },
];

// One wrk run, with the server's own CPU time per request: unlike requests/s, it does not depend
// on how much of the machine the server got, on a VM others share.
async function wrk(tools, server, seconds) {
  const args = ['-t1', '-c50', `-d${seconds}s`, '--timeout', '5s', '-s', REPORT, `http://127.0.0.1:${server.port}/`];
  const before = cpuMicros(server.pids?.() ?? server.pid);
  const result = await runJson([tools.wrk, ...args], { timeoutMs: (seconds + 30) * 1000 });
  const cpu = cpuMicros(server.pids?.() ?? server.pid) - before;
  // wrk's own ticks (USER_HZ, 100 a second), as its report script read them from /proc.
  return { ...result, cpu_us: cpu / result.requests, wrk_cpu_us: (result.wrk_cpu_ticks * 1e4) / result.requests };
}

// Each round measures every server in turn, so that the machine's drift falls on all alike.
async function run(ctx) {
  execFileSync(path.join(ROOT, 'scripts', 'require-commands.sh'), ['wrk:wrk', 'nginx:nginx-light'], {
    stdio: 'inherit',
  });
  const tools = { wrk: 'wrk', nginx: 'nginx' };
  const seconds = ctx.quick ? 1 : 4;
  const servers = [];
  const samples = Object.fromEntries(SERVERS.map((s) => [s.key, []]));
  try {
    for (const spec of SERVERS) servers.push({ spec, server: await spec.start(tools) });
    // A first run per server, not counted: V8's JIT, nginx's first allocations, the caches.
    for (const { server } of servers) await wrk(tools, server, 1);
    for (let round = 0; round < ctx.runs; round++) {
      for (const { spec, server } of servers) samples[spec.key].push(await wrk(tools, server, seconds));
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
  const results = Object.fromEntries(
    Object.entries(samples).map(([key, runs]) => [
      key,
      {
        rps: summarize(runs.map((r) => r.requests_per_sec)),
        p50: summarize(runs.map((r) => r.p50_us)),
        p99: summarize(runs.map((r) => r.p99_us)),
        cpu: summarize(runs.map((r) => r.cpu_us)),
        wrkCpu: summarize(runs.map((r) => r.wrk_cpu_us)),
        errors: runs.reduce(
          (sum, r) => sum + r.connect_errors + r.read_errors + r.write_errors + r.timeouts + r.non_2xx,
          0,
        ),
      },
    ]),
  );
  const at = (key) => results[key].rps.median;
  const cpu = (key) => results[key].cpu.median;
  const wrkCpu = (key) => results[key].wrkCpu.median;
  // With a core each for wrk and the server, the slower of the two sets the pace of a run.
  const bound = (peer) => Math.max(cpu(peer), wrkCpu(peer)) / Math.max(cpu('loop'), wrkCpu('loop'));
  const cpuNote = (peer) =>
    `In CPU time per request the server spends ${cpu('loop').toFixed(1)} µs, ${SERVERS.find((s) => s.key === peer).label} ${cpu(peer).toFixed(1)} µs (${(cpu(peer) / cpu('loop')).toFixed(2)}× as much). ${PROFILE} wrk, on the same 2 cores, spent ${wrkCpu('loop').toFixed(1)} µs per request against this server and ${wrkCpu(peer).toFixed(1)} µs against the other: with a core each for wrk and the server, the slower of the two sets the pace, so the ratio can be at most ${bound(peer).toFixed(2)}× here, and less while other work shares the cores.`;
  const rows = SERVERS.map((s) => {
    const r = results[s.key];
    return [
      s.label,
      spread(r.rps),
      spread(r.p50),
      spread(r.p99),
      ratio(r.rps.median / at('nginx')),
      ratio(r.rps.median / at('node')),
      spread(r.cpu, 1),
      ratio(r.cpu.median / results.nginx.cpu.median),
      spread(r.wrkCpu, 1),
      String(r.errors),
    ];
  });
  const markdown = [
    `\`wrk -t1 -c50 -d${seconds}s\` on \`GET /\`, keep-alive: 50 connections, each sending its next request when the last response is in, answered with the same 13-byte text/plain body. wrk and the server share the 2 cores. Server CPU is the user and system time of the server's processes (nginx: master and worker) over the run, from /proc, per request: it does not depend on the share of the machine the server got. wrk's CPU per request is its own, read from /proc by its report script: a server can answer no faster than wrk asks. Errors: connect, read, write errors, timeouts and non-2xx responses together.`,
    '',
    table(
      [
        'server',
        'requests/s',
        'p50 µs',
        'p99 µs',
        'vs nginx',
        'vs node:http',
        'server CPU µs/request',
        'CPU vs nginx',
        'wrk CPU µs/request',
        'errors',
      ],
      rows,
    ),
  ].join('\n');
  return {
    title: 'HTTP/1.1 requests (wrk)',
    markdown,
    charts: [
      {
        file: 'http-wrk.svg',
        svg: {
          title: 'wrk -t1 -c50, GET / (fixed text)',
          unit: 'requests/s',
          bars: SERVERS.map((s) => ({ label: s.label, ...results[s.key].rps })),
        },
      },
    ],
    targets: [
      { name: "wrk -c50 GET /: 'loop' vs nginx", value: at('loop') / at('nginx'), atLeast: 1, why: cpuNote('nginx') },
      { name: "wrk -c50 GET /: 'loop' vs node:http", value: at('loop') / at('node'), atLeast: 4, why: cpuNote('node') },
    ],
  };
}

module.exports = { run };
