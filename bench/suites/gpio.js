'use strict';
// GPIO (issue 18): edge events per second and pull-to-handler latency on a gpio-sim line, for
// linux-epoll/gpio in both dispatch modes against epoll@4 on the line's sysfs value file (what
// onoff does), all in one gpio-sim guest (bench/gpio-in-vm.sh). The guest needs the 6.12 gpio-sim
// kernel, which `npm run test:kernel` builds and caches; a first run here builds it too.
const { execFile } = require('node:child_process');
const path = require('node:path');
const { summarize } = require('../lib/stats');
const { ROOT } = require('../lib/processes');
const { table, spread, ratio } = require('../lib/table');

const IMPLS = [
  { impl: 'cdev-loop', label: "linux-epoll/gpio, 'loop'" },
  { impl: 'cdev-thread', label: "linux-epoll/gpio, 'thread'" },
  { impl: 'epoll4-sysfs', label: 'epoll@4 on sysfs (as onoff)' },
];

// The guest's JSON lines, and the clocksource it printed first.
function runGuest(ctx) {
  const env = {
    ...process.env,
    ROUNDS: String(ctx.runs),
    SECONDS_PER_RUN: ctx.quick ? '1' : '3',
    SAMPLES: ctx.quick ? '100' : '300',
  };
  return new Promise((resolve, reject) => {
    execFile(
      path.join(ROOT, 'bench', 'gpio-in-vm.sh'),
      { env, maxBuffer: 16 << 20, timeout: 60 * 60 * 1000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`bench/gpio-in-vm.sh failed: ${error.message}\n${stderr}${stdout}`));
        const lines = stdout.split('\n');
        const results = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
        const clocksource = /^clocksource: (\S+)/m.exec(stdout)?.[1] ?? 'unknown';
        resolve({ results, clocksource });
      },
    );
  });
}

function rowsOf(results) {
  const of = (impl, pick) => results.filter((r) => r.impl === impl && pick(r));
  return IMPLS.map(({ impl, label }) => {
    const rates = of(impl, (r) => 'eventsPerSec' in r);
    const latencies = of(impl, (r) => 'p50Us' in r);
    return {
      impl,
      label,
      events: summarize(rates.map((r) => r.eventsPerSec)),
      writes: summarize(rates.map((r) => r.pullWritesPerSec)),
      calls: summarize(rates.map((r) => r.handlerCalls / r.seconds)),
      kernelEdges: summarize(rates.map((r) => r.kernelEdgesPerSec ?? NaN)),
      p50: summarize(latencies.map((r) => r.p50Us)),
      p99: summarize(latencies.map((r) => r.p99Us)),
      kernelP50: summarize(latencies.map((r) => r.kernelP50Us ?? NaN)),
    };
  });
}

function markdown(rows, clocksource, ctx) {
  const sysfs = rows.find((r) => r.impl === 'epoll4-sysfs');
  return [
    `Inside a qemu guest under software emulation (2 vCPUs, clocksource ${clocksource}) on the 6.12 gpio-sim kernel of \`npm run test:kernel\`, ${ctx.runs > 1 ? `its ${ctx.runs} runs interleaved in one boot` : 'one run'}. Emulation makes every figure many times slower than hardware (fivdi quotes 20,112 interrupts/s for onoff on a Pi 4): compare the rows, as ratios.`,
    '',
    '### Edge events delivered per second',
    `Another process writes the sim line's \`pull\` attribute as fast as it can for ${ctx.quick ? 1 : 3} s, each write one edge. linux-epoll/gpio reads every queued event in one \`read\` per handler call; epoll@4 calls its handler once per wake-up and reads the value, as onoff does, so edges that came between two wake-ups are merged. The kernel's edges/s come from the last event's seqno; the kernel drops what its buffer (1,024 events here) cannot hold, and the request counts those drops from the seqno gaps.`,
    '',
    table(
      ['implementation', 'events/s', 'handler calls/s', 'kernel edges/s', 'pull writes/s', 'vs epoll@4'],
      rows.map((r) => [
        r.label,
        spread(r.events),
        spread(r.calls),
        spread(r.kernelEdges),
        spread(r.writes),
        ratio(r.events.median / sysfs.events.median),
      ]),
    ),
    '',
    '### From a pull write to the handler',
    `One edge at a time: the JS thread writes \`pull\`, then waits for the handler that sees the edge; ${ctx.quick ? 100 : 300} samples a run. The kernel's timestamp (the event's \`timestampNs\`, taken in the hard interrupt) shows how much of it is the kernel's; sysfs has none.`,
    '',
    table(
      ['implementation', 'p50 µs', 'p99 µs', 'kernel timestamp p50 µs', 'p50 vs epoll@4'],
      rows.map((r) => [
        r.label,
        spread(r.p50),
        spread(r.p99),
        spread(r.kernelP50),
        ratio(r.p50.median / sysfs.p50.median),
      ]),
    ),
  ].join('\n');
}

async function run(ctx) {
  const { results, clocksource } = await runGuest(ctx);
  const rows = rowsOf(results);
  const [loop, , sysfs] = rows;
  return {
    title: 'GPIO edges in a gpio-sim guest',
    markdown: markdown(rows, clocksource, ctx),
    charts: [
      {
        file: 'gpio-edges.svg',
        svg: {
          title: 'GPIO edge events delivered per second, gpio-sim guest (median)',
          unit: 'events/s',
          bars: rows.map((r) => ({ label: r.label, ...r.events })),
        },
      },
      {
        file: 'gpio-latency.svg',
        svg: {
          title: 'GPIO pull write to handler, gpio-sim guest (p50)',
          unit: 'µs',
          bars: rows.map((r) => ({ label: r.label, ...r.p50 })),
        },
      },
    ],
    targets: [
      {
        name: "GPIO 'loop' events/s vs epoll@4 on sysfs",
        value: loop.events.median / sysfs.events.median,
        atLeast: 1,
        why: 'Both are bound by the emulated interrupt path; under a loaded host the guest vCPUs are descheduled at random.',
      },
      {
        name: "GPIO 'loop' pull-to-handler p50 vs epoll@4 on sysfs",
        value: loop.p50.median / sysfs.p50.median,
        atMost: 1,
        why: 'The character device wakes its reader from a threaded interrupt handler, sysfs from the hard interrupt: one more thread wake-up, which a loaded host makes costly in the guest.',
      },
    ],
  };
}

module.exports = { run };
