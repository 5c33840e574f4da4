'use strict';
// The cost of one wake-up with N idle registered fds plus one active fd: the active eventfd is
// written, its handler reads it and writes it again, so each iteration is one wake-up and one
// dispatch. bench/c/scaling measures the same loop with epoll, poll() and select() in C.
//   node bench/programs/scaling.js --idle N [--iterations K] [--dispatch loop|thread]
// Prints one JSON line: { dispatch, idle, iterations, nsPerWakeup }.
const { EpollInstance, EventFd, EPOLLIN } = require('../../dist/lib');
const { option } = require('../lib/args');

const idleCount = Number(option('idle', 10));
const iterations = Number(option('iterations', 20000));
const dispatch = option('dispatch', 'loop');

const ep = new EpollInstance({ dispatch });
const idle = Array.from({ length: idleCount }, () => new EventFd());
for (const efd of idle) ep.add(efd.fd, EPOLLIN, () => {});
const active = new EventFd();
let done = 0;
let started = 0n;
ep.add(active.fd, EPOLLIN, () => {
  active.read();
  if (++done === 1) started = process.hrtime.bigint();
  if (done <= iterations) return active.write(1);
  const elapsed = Number(process.hrtime.bigint() - started);
  ep.close();
  for (const efd of [...idle, active]) efd.close();
  console.log(JSON.stringify({ dispatch, idle: idleCount, iterations, nsPerWakeup: elapsed / iterations }));
});
active.write(1);
