'use strict';
// Memory: the RSS cost of each registration, and RSS while 10 million events are dispatched
// (it must stay flat: the dispatch path allocates nothing per event).
//   node --expose-gc bench/programs/memory.js [--fds N] [--events M] [--dispatch loop|thread]
// Prints one JSON line: { dispatch, fds, bytesPerFd, events, rssMiB: [at 10%, 50%, 100%], growthMiB }.
const { EpollInstance, EventFd, EPOLLIN } = require('../../dist/lib');
const { option } = require('../lib/args');

const fdCount = Number(option('fds', 10000));
const totalEvents = Number(option('events', 10_000_000));
const dispatch = option('dispatch', 'loop');

function settledRss() {
  global.gc();
  return process.memoryUsage().rss;
}

// Kernel memory for the eventfds is not in RSS; this is what the process itself pays.
const efds = Array.from({ length: fdCount }, () => new EventFd(1));
const ep = new EpollInstance({ dispatch });
const before = settledRss();
let events = 0;
const marks = [totalEvents / 10, totalEvents / 2, totalEvents];
const rssAt = [];
const onEvent = () => {
  if (++events === marks[rssAt.length]) {
    rssAt.push(process.memoryUsage().rss / 2 ** 20);
    if (rssAt.length === marks.length) finish();
  }
};
for (const efd of efds) ep.add(efd.fd, EPOLLIN, onEvent);
const registered = settledRss();

function finish() {
  ep.close();
  for (const efd of efds) efd.close();
  console.log(
    JSON.stringify({
      dispatch,
      fds: fdCount,
      bytesPerFd: (registered - before) / fdCount,
      events: totalEvents,
      rssMiB: rssAt,
      growthMiB: rssAt[2] - rssAt[0],
    }),
  );
}
