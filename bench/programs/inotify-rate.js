'use strict';
// Inotify delivery rate: how fast events queued by the kernel reach JS callbacks. Each round
// queues a burst of IN_MODIFY events (one-byte writes alternating between two files, so that the
// kernel merges none) while the JS thread is busy, then times the drain: from the end of the burst
// to the last event's callback. The burst stays under fs.inotify.max_queued_events, so nothing is
// lost. Implementations:
//   loop, thread   linux-epoll's Inotify, watched by an EpollInstance in that dispatch mode
//   fs.watch       Node's own watcher (libuv's inotify), one callback per event
//   inotify        the npm `inotify` package, from --module DIR (a NAN addon; see suites/procfs.js)
//   node bench/programs/inotify-rate.js --impl I [--events N] [--rounds R] [--module DIR]
// Prints one JSON line: { impl, events, rounds, eventsPerSecond } (the median round).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { option } = require('../lib/args');
const { summarize } = require('../lib/stats');

const impl = option('impl', 'loop');
const events = Number(option('events', 8000));
const rounds = Number(option('rounds', 15));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inotify-rate-'));
const files = ['a', 'b'].map((name) => fs.openSync(path.join(dir, name), 'w'));
const one = Buffer.from('x');

// Returns stop(); calls onEvents(count) as events arrive.
function watch(onEvents) {
  if (impl === 'fs.watch') {
    const watcher = fs.watch(dir, () => onEvents(1));
    return () => watcher.close();
  }
  if (impl === 'inotify') {
    const { Inotify } = require(path.join(option('module', ''), 'node_modules', 'inotify'));
    const inotify = new Inotify();
    inotify.addWatch({ path: dir, watch_for: Inotify.IN_MODIFY, callback: () => onEvents(1) });
    return () => inotify.close();
  }
  const { EpollInstance, Inotify, IN_MODIFY, EPOLLIN } = require('../../dist/lib');
  const epoll = new EpollInstance({ dispatch: impl });
  const inotify = new Inotify();
  inotify.watch(dir, IN_MODIFY);
  epoll.add(inotify.fd, EPOLLIN, () => {
    for (let batch = inotify.read(); batch !== null; batch = inotify.closed ? null : inotify.read())
      onEvents(batch.length);
  });
  return () => {
    epoll.close();
    inotify.close();
  };
}

function round() {
  return new Promise((resolve) => {
    let seen = 0;
    let burstEnd = 0n;
    const stop = watch((count) => {
      seen += count;
      if (seen < events) return;
      const seconds = Number(process.hrtime.bigint() - burstEnd) / 1e9;
      stop();
      resolve(events / seconds);
    });
    // The watch is in place before the burst, which the JS thread makes in one go.
    setImmediate(() => {
      for (let i = 0; i < events; i++) fs.writeSync(files[i & 1], one);
      burstEnd = process.hrtime.bigint();
    });
  });
}

async function main() {
  const rates = [];
  for (let r = 0; r < rounds + 1; r++) {
    const rate = await round();
    if (r > 0) rates.push(rate); // the first round warms up
  }
  for (const fd of files) fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ impl, events, rounds, eventsPerSecond: summarize(rates).median }));
}

main();
