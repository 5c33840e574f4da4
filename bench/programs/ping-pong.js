'use strict';
// Round-trip latency between the JS thread and a C process, through two eventfds: the JS side
// writes a ping, the peer (bench/c/pingpong_peer, waiting in epoll_wait) answers with a pong, and
// the handler on the pong eventfd times the round trip and pings again. Run it under
// `taskset -c 0` to keep every thread on one core, so slow cross-core wake-ups do not hide the
// code's own cost; bench/c/pingpong is the C-to-C floor of the same exchange.
//   node bench/programs/ping-pong.js --dispatch loop|thread --peer PATH [--iterations N] [--warmup 1000]
// Prints one JSON line: { dispatch, iterations, p50Us, p99Us, meanUs }.
const { spawn } = require('node:child_process');
const { EpollInstance, EventFd, EPOLLIN } = require('../../dist/lib');
const { option } = require('../lib/args');
const { latencySummary } = require('../lib/stats');

const dispatch = option('dispatch', 'loop');
const peerPath = option('peer');
const iterations = Number(option('iterations', 20000));
// Untimed round trips first, as many as bench/c/pingpong's own warm-up.
const warmup = Number(option('warmup', 1000));

const ping = new EventFd();
const pong = new EventFd();
const peer = spawn(peerPath, [], { stdio: ['ignore', 'inherit', 'inherit', ping.fd, pong.fd] });
const ep = new EpollInstance({ dispatch });
const rtts = new Float64Array(iterations);
let done = -warmup;
let sentAt = 0n;

function send() {
  sentAt = process.hrtime.bigint();
  ping.write(1);
}

ep.add(pong.fd, EPOLLIN, () => {
  const now = process.hrtime.bigint();
  pong.read();
  if (done >= 0) rtts[done] = Number(now - sentAt) / 1000;
  if (++done < iterations) return send();
  ping.write(1_000_000);
  ep.close();
  console.log(JSON.stringify({ dispatch, iterations, ...latencySummary(rtts) }));
});
peer.on('exit', (code) => {
  ping.close();
  pong.close();
  if (code !== 0) process.exitCode = 1;
});
send();
