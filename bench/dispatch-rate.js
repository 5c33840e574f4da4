'use strict';
// Events per second on always-ready level-triggered fds, counted for a fixed time without reading.
//   node bench/dispatch-rate.js [--fds N] [--seconds S] [--dispatch thread|loop]
// Prints one JSON line: { dispatch, fds, events, seconds, eventsPerSec, nsPerEvent }.
const { EpollInstance, EventFd, EPOLLIN } = require('../dist/lib');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

const fds = Number(option('fds', 1));
const seconds = Number(option('seconds', 1));
const dispatch = option('dispatch', 'loop');

const ep = new EpollInstance({ dispatch, maxEvents: 1024 });
const ready = [];
let events = 0;
const count = () => {
  events++;
};
for (let i = 0; i < fds; i++) {
  const efd = new EventFd(1);
  ready.push(efd);
  ep.add(efd.fd, EPOLLIN, count);
}
const started = process.hrtime.bigint();
setTimeout(() => {
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  ep.close();
  for (const efd of ready) efd.close();
  console.log(JSON.stringify({ dispatch, fds, events, seconds: elapsed, eventsPerSec: events / elapsed, nsPerEvent: (elapsed * 1e9) / events }));
}, seconds * 1000);
