'use strict';
// The cost of one wake-up with N idle registered fds plus one active fd: the active eventfd is
// written, its handler reads it and writes it again, so each iteration is one wake-up and one
// dispatch. bench/c/scaling measures the same loop with epoll, poll() and select() in C, and this
// program times it the same way: a warm-up of iterations/10 + 10, then the median of --repeat rounds.
//   node bench/programs/scaling.js --idle N [--iterations K] [--repeat 5] [--dispatch loop|thread]
// Prints one JSON line: { dispatch, idle, iterations, repeat, nsPerWakeup, minNs, maxNs }.
const { EpollInstance, EventFd, EPOLLIN } = require('../../dist/lib');
const { option } = require('../lib/args');

const idleCount = Number(option('idle', 10));
const iterations = Number(option('iterations', 20000));
const repeat = Number(option('repeat', 5));
const dispatch = option('dispatch', 'loop');

const ep = new EpollInstance({ dispatch });
const idle = Array.from({ length: idleCount }, () => new EventFd());
for (const efd of idle) ep.add(efd.fd, EPOLLIN, () => {});
const active = new EventFd();
const perRound = [];
let left = Math.floor(iterations / 10) + 10;
let roundStart = 0n;
ep.add(active.fd, EPOLLIN, () => {
  active.read();
  if (--left > 0) return active.write(1);
  // The end of the warm-up or of a round.
  const now = process.hrtime.bigint();
  if (roundStart !== 0n) perRound.push(Number(now - roundStart) / iterations);
  if (perRound.length < repeat) {
    roundStart = now;
    left = iterations;
    return active.write(1);
  }
  ep.close();
  for (const efd of [...idle, active]) efd.close();
  perRound.sort((a, b) => a - b);
  const [minNs, nsPerWakeup, maxNs] = [perRound[0], perRound[repeat >> 1], perRound[repeat - 1]];
  console.log(JSON.stringify({ dispatch, idle: idleCount, iterations, repeat, nsPerWakeup, minNs, maxNs }));
});
active.write(1);
