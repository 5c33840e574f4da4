'use strict';
// GPIO edges on a gpio-sim line, in the gpio-sim guest (bench/gpio-in-vm.sh): how many edge events
// reach JS per second while another process toggles the line as fast as it can, and the latency
// from writing the sim's `pull` attribute to the handler. Implementations:
//   cdev-loop, cdev-thread  linux-epoll/gpio: a line request with edge 'both', in an EpollInstance
//                           of that dispatch mode; the handler reads every waiting event at once
//   epoll4-sysfs            epoll@4 on the line's sysfs value file (EPOLLPRI), reading the value
//                           per event, as onoff does
//   node bench/programs/gpio-edges.js --impl I --mode rate|latency [--seconds S] [--samples N]
// Prints one JSON line. rate (over the toggler's own time; each pull write is one edge): { impl,
// seconds, pullWritesPerSec, handlerCalls, eventsPerSec, kernelEdgesPerSec, dropped }; latency: { impl, samples, p50Us, p99Us, meanUs, kernelP50Us }.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { option } = require('../lib/args');
const { latencySummary } = require('../lib/stats');
const { ROOT } = require('../lib/processes');

const impl = option('impl', 'cdev-loop');
const mode = option('mode', 'rate');
const seconds = Number(option('seconds', 3));
const samples = Number(option('samples', 500));
const LINE = 0;

// One gpio-sim chip of one line, made through configfs.
function makeSim() {
  const dir = `/sys/kernel/config/gpio-sim/bench${process.pid}`;
  fs.mkdirSync(`${dir}/bank0`, { recursive: true });
  fs.writeFileSync(`${dir}/bank0/num_lines`, '1');
  fs.writeFileSync(`${dir}/bank0/label`, `bench${process.pid}`);
  fs.writeFileSync(`${dir}/live`, '1');
  const chip = fs.readFileSync(`${dir}/bank0/chip_name`, 'utf8').trim();
  const device = fs.readFileSync(`${dir}/dev_name`, 'utf8').trim();
  const pull = `/sys/devices/platform/${device}/${chip}/sim_gpio${LINE}/pull`;
  const label = `bench${process.pid}`;
  const base = fs
    .readdirSync('/sys/class/gpio')
    .filter((e) => e.startsWith('gpiochip'))
    .find((e) => fs.readFileSync(`/sys/class/gpio/${e}/label`, 'utf8').trim() === label);
  return {
    path: `/dev/${chip}`,
    pull,
    sysfsNumber: Number(fs.readFileSync(`/sys/class/gpio/${base}/base`, 'utf8')) + LINE,
    remove() {
      fs.writeFileSync(`${dir}/live`, '0');
      fs.rmdirSync(`${dir}/bank0`);
      fs.rmdirSync(dir);
    },
  };
}

// Edge sources: start(onEdges) calls onEdges(count, kernelNs?) per handler call; stop() releases.
function cdevSource(sim, dispatch) {
  const { EPOLLIN, EpollInstance } = require(path.join(ROOT, 'dist/lib/index.js'));
  const { GpioChip } = require(path.join(ROOT, 'dist/lib/gpio.js'));
  const chip = new GpioChip(sim.path);
  const request = chip.requestLines({ lines: [LINE], edge: 'both', eventBufferSize: 1024 });
  chip.close();
  const ep = new EpollInstance({ dispatch });
  let lastSeqno = 0;
  return {
    start(onEdges) {
      ep.add(request.fd, EPOLLIN, () => {
        const events = request.readEvents();
        if (events === null) return;
        const last = events[events.length - 1];
        lastSeqno = last.seqno;
        onEdges(events.length, last.timestampNs);
      });
    },
    kernelEdges: () => lastSeqno,
    dropped: () => request.droppedEvents,
    stop() {
      ep.close();
      request.close();
    },
  };
}

function sysfsSource(sim) {
  const { Epoll } = require(path.join(ROOT, 'node_modules/epoll'));
  const gpio = `/sys/class/gpio/gpio${sim.sysfsNumber}`;
  fs.writeFileSync('/sys/class/gpio/export', String(sim.sysfsNumber));
  fs.writeFileSync(`${gpio}/direction`, 'in');
  fs.writeFileSync(`${gpio}/edge`, 'both');
  const fd = fs.openSync(`${gpio}/value`, 'r');
  const value = Buffer.alloc(1);
  fs.readSync(fd, value, 0, 1, 0);
  let poller;
  return {
    start(onEdges) {
      poller = new Epoll(() => {
        fs.readSync(fd, value, 0, 1, 0);
        onEdges(1);
      });
      poller.add(fd, Epoll.EPOLLPRI);
    },
    kernelEdges: () => NaN,
    dropped: () => NaN,
    stop() {
      poller.remove(fd).close();
      fs.closeSync(fd);
      fs.writeFileSync('/sys/class/gpio/unexport', String(sim.sysfsNumber));
    },
  };
}

function source(sim) {
  if (impl === 'cdev-loop') return cdevSource(sim, 'loop');
  if (impl === 'cdev-thread') return cdevSource(sim, 'thread');
  if (impl === 'epoll4-sysfs') return sysfsSource(sim);
  throw new Error(`unknown --impl ${impl}`);
}

// Another process toggles the pull as fast as its writes go, for the given time.
function toggler(pullPath, ms) {
  const script = `
    const fs = require('node:fs');
    const fd = fs.openSync(${JSON.stringify(pullPath)}, 'w');
    const up = Buffer.from('pull-up'), down = Buffer.from('pull-down');
    const start = process.hrtime.bigint(), end = start + ${ms}n * 1000000n;
    let writes = 0;
    while (process.hrtime.bigint() < end) { fs.writeSync(fd, writes++ % 2 === 0 ? up : down, 0, undefined, 0); }
    console.log(writes, Number(process.hrtime.bigint() - start) / 1e9);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve) =>
    child.on('close', () => {
      const [writes, elapsed] = out.trim().split(' ').map(Number);
      resolve({ writes, elapsed });
    }),
  );
}

async function rate(sim, edges) {
  let calls = 0;
  let events = 0;
  edges.start((count) => {
    calls++;
    events += count;
  });
  const { writes, elapsed } = await toggler(sim.pull, seconds * 1000);
  // Let the last events arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    impl,
    seconds: elapsed,
    pullWritesPerSec: writes / elapsed,
    handlerCalls: calls,
    eventsPerSec: events / elapsed,
    kernelEdgesPerSec: edges.kernelEdges() / elapsed,
    dropped: edges.dropped(),
  };
}

async function latency(sim, edges) {
  const fd = fs.openSync(sim.pull, 'w');
  const levels = [Buffer.from('pull-up'), Buffer.from('pull-down')];
  const latencies = new Float64Array(samples);
  const kernel = new Float64Array(samples);
  let wake = () => {};
  let at = 0n;
  edges.start((_count, kernelNs) => {
    const now = process.hrtime.bigint();
    wake([now, kernelNs]);
  });
  for (let i = 0; i < samples; i++) {
    const arrived = new Promise((resolve) => (wake = resolve));
    at = process.hrtime.bigint();
    fs.writeSync(fd, levels[i % 2], 0, undefined, 0);
    const [now, kernelNs] = await arrived;
    latencies[i] = Number(now - at) / 1000;
    kernel[i] = kernelNs === undefined ? NaN : Number(kernelNs - at) / 1000;
  }
  fs.closeSync(fd);
  return { impl, samples, ...latencySummary(latencies), kernelP50Us: latencySummary(kernel).p50Us };
}

async function main() {
  const sim = makeSim();
  fs.writeFileSync(sim.pull, 'pull-down');
  const edges = source(sim);
  try {
    console.log(JSON.stringify(mode === 'latency' ? await latency(sim, edges) : await rate(sim, edges)));
  } finally {
    edges.stop();
    sim.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
