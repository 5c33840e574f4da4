'use strict';
// Events per second on always-ready level-triggered fds, counted for a fixed time without reading.
// With --fds 1 the fd is stdin holding a pending newline: the `epoll` package's own performance
// check, so every implementation is measured the same way. With more, each fd is an eventfd.
//   node bench/programs/dispatch-rate.js --impl loop|thread|epoll4 [--fds N] [--seconds S]
// Prints one JSON line: { impl, fds, events, seconds, eventsPerSec, nsPerEvent }.
const { option } = require('../lib/args');

const impl = option('impl', 'loop');
const fds = Number(option('fds', 1));
const seconds = Number(option('seconds', 1));

function readyFds() {
  if (fds === 1) return { list: [0], close() {} };
  const { EventFd } = require('../../dist/lib');
  const list = Array.from({ length: fds }, () => new EventFd(1));
  return { list: list.map((e) => e.fd), close: () => list.forEach((e) => e.close()) };
}

// Each watcher counts callbacks and returns a function that stops it.
function watchWithLinuxEpoll(list, onEvent) {
  const { EpollInstance, EPOLLIN } = require('../../dist/lib');
  const ep = new EpollInstance({ dispatch: impl, maxEvents: 1024 });
  for (const fd of list) ep.add(fd, EPOLLIN, onEvent);
  return () => ep.close();
}

function watchWithEpoll4(list, onEvent) {
  const { Epoll } = require('epoll');
  const poller = new Epoll(onEvent);
  for (const fd of list) poller.add(fd, Epoll.EPOLLIN);
  return () => poller.close();
}

const ready = readyFds();
let events = 0;
const count = () => {
  events++;
};
const stop = (impl === 'epoll4' ? watchWithEpoll4 : watchWithLinuxEpoll)(ready.list, count);
const started = process.hrtime.bigint();
setTimeout(() => {
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  stop();
  ready.close();
  console.log(
    JSON.stringify({
      impl,
      fds,
      events,
      seconds: elapsed,
      eventsPerSec: events / elapsed,
      nsPerEvent: (elapsed * 1e9) / events,
    }),
  );
}, seconds * 1000);
