'use strict';
// Exit-notification latency: from a child's last instant (bench/c/exit_stamp stamps
// CLOCK_MONOTONIC just before _exit) to the moment JS hears of it:
//   loop, thread   linux-epoll's PidFd readable, in an EpollInstance in that dispatch mode
//   exit           child_process's 'exit' event (libuv: SIGCHLD, then waitpid)
// Each sample spawns a child, starts watching, then lets it go (one byte on its stdin).
//   node bench/programs/pidfd-latency.js --notify N --child PATH [--samples N]
// Prints one JSON line: { notify, samples, p50Us, p99Us, meanUs }.
const { spawn } = require('node:child_process');
const { option } = require('../lib/args');
const { latencySummary } = require('../lib/stats');

const notify = option('notify', 'loop');
const childPath = option('child', '');
const samples = Number(option('samples', 200));
const { EpollInstance, PidFd, EPOLLIN } = require('../../dist/lib');
const epoll = notify === 'exit' ? null : new EpollInstance({ dispatch: notify });

// Resolves to the µs from the child's stamp to its notification.
function sample() {
  return new Promise((resolve, reject) => {
    const child = spawn(childPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    let heard = 0n;
    let closed = false;
    const settle = () => {
      if (heard !== 0n && closed) resolve(Number(heard - BigInt(out.trim())) / 1000);
    };
    const hear = () => {
      heard = process.hrtime.bigint();
      settle();
    };
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      closed = true;
      settle();
    });
    if (epoll === null) child.once('exit', hear);
    else {
      const pidfd = PidFd.open(child.pid);
      epoll.add(pidfd.fd, EPOLLIN, () => {
        hear();
        epoll.remove(pidfd.fd);
        pidfd.close();
      });
    }
    child.stdin.end('x');
  });
}

async function main() {
  const latencies = [];
  for (let i = 0; i < samples + 10; i++) {
    const us = await sample();
    if (i >= 10) latencies.push(us); // the first ten warm up
  }
  if (epoll !== null) epoll.close();
  console.log(JSON.stringify({ notify, samples, ...latencySummary(latencies) }));
}

main();
