'use strict';
// The cost of one await against one handler call: always-ready level-triggered eventfds, never
// read, each delivering one readiness at a time, counted for a fixed time.
//   handler:  ep.add(fd, EPOLLIN, handler), the callback API
//   readable: a loop per fd of `await ep.readable(fd)` (a one-shot registration each time)
//   watch:    a loop per fd of `for await (const events of ep.watch(fd, EPOLLIN))`
//   node bench/programs/await-cost.js --impl handler|readable|watch [--fds N] [--seconds S] [--dispatch loop|thread]
// Prints one JSON line: { impl, fds, events, seconds, eventsPerSec, nsPerEvent }.
const { option } = require('../lib/args');
const { EpollInstance, EventFd, EPOLLIN } = require('../../dist/lib');

const impl = option('impl', 'handler');
const fds = Number(option('fds', 1));
const seconds = Number(option('seconds', 1));
const ep = new EpollInstance({ dispatch: option('dispatch', 'loop'), maxEvents: 1024 });
const ready = Array.from({ length: fds }, () => new EventFd(1));
let events = 0;
let running = true;

async function awaitLoop(fd) {
  while (running) {
    await ep.readable(fd);
    events++;
  }
}

async function watchLoop(fd) {
  for await (const _ of ep.watch(fd, EPOLLIN)) {
    events++;
    if (!running) break;
  }
}

for (const { fd } of ready) {
  if (impl === 'handler') ep.add(fd, EPOLLIN, () => events++);
  else if (impl === 'readable') void awaitLoop(fd).catch(() => undefined);
  else void watchLoop(fd).catch(() => undefined);
}
const started = process.hrtime.bigint();
setTimeout(() => {
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  running = false;
  const counted = events;
  ep.close();
  for (const efd of ready) efd.close();
  console.log(
    JSON.stringify({
      impl,
      fds,
      events: counted,
      seconds: elapsed,
      eventsPerSec: counted / elapsed,
      nsPerEvent: (elapsed * 1e9) / counted,
    }),
  );
}, seconds * 1000);
