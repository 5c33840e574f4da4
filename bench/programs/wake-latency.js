'use strict';
// Wake-up latency: from a write on another thread to the handler running on the JS thread.
// A worker_thread stamps process.hrtime (one monotonic clock for every thread of the process) into
// shared memory, then wakes the main thread through the path under test; the main thread takes
// the difference, then lets the worker go on. Paths:
//   loop, thread   an eventfd watched by linux-epoll in that dispatch mode
//   postmessage    worker.postMessage, Node's own inter-thread channel
//   net-pipe       a pipe written by the worker and read by a net.Socket on the main thread
//   node bench/programs/wake-latency.js --path P [--samples N]
// Prints one JSON line: { path, samples, p50Us, p99Us, meanUs }.
const { Worker } = require('node:worker_threads');
const { option } = require('../lib/args');
const { latencySummary } = require('../lib/stats');

const pathName = option('path', 'loop');
const samples = Number(option('samples', 5000));

// [0]: the worker's timestamp; ack[0]: the main thread's go-ahead.
const stamp = new BigInt64Array(new SharedArrayBuffer(8));
const ack = new Int32Array(new SharedArrayBuffer(4));
const latencies = new Float64Array(samples);
let received = 0;

function senderSource(kind) {
  return `
    const { workerData, parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const { stamp, ack, samples, fd } = workerData;
    const one = new BigUint64Array([1n]);
    for (let i = 0; i < samples; i++) {
      // A short pause, so that the main thread is asleep in its wait when the wake-up comes.
      Atomics.wait(ack, 0, 0, 0.2);
      stamp[0] = process.hrtime.bigint();
      ${kind === 'eventfd' ? 'fs.writeSync(fd, one);' : kind === 'pipe' ? "fs.writeSync(fd, 'x');" : 'parentPort.postMessage(0);'}
      Atomics.wait(ack, 0, 0);
      Atomics.store(ack, 0, 0);
    }`;
}

function onWakeUp() {
  latencies[received++] = Number(process.hrtime.bigint() - stamp[0]) / 1000;
  Atomics.store(ack, 0, 1);
  Atomics.notify(ack, 0);
  if (received === samples) finish();
}

let cleanup = () => {};
function finish() {
  cleanup();
  console.log(JSON.stringify({ path: pathName, samples, ...latencySummary(latencies) }));
}

function start(kind, fd) {
  return new Worker(senderSource(kind), { eval: true, workerData: { stamp, ack, samples, fd } });
}

if (pathName === 'loop' || pathName === 'thread') {
  const { EpollInstance, EventFd, EPOLLIN } = require('../../dist/lib');
  const ep = new EpollInstance({ dispatch: pathName });
  const efd = new EventFd();
  ep.add(efd.fd, EPOLLIN, () => {
    efd.read();
    onWakeUp();
  });
  cleanup = () => {
    ep.close();
    efd.close();
  };
  start('eventfd', efd.fd);
} else if (pathName === 'postmessage') {
  const worker = start('message');
  worker.on('message', onWakeUp);
} else if (pathName === 'net-pipe') {
  const net = require('node:net');
  const { io } = require('../../dist/lib');
  const [r, w] = io.pipe();
  const socket = new net.Socket({ fd: r, readable: true, writable: false });
  socket.on('data', (data) => {
    // Several wake-ups never coalesce: the worker waits for each acknowledgement.
    if (data.length !== 1) throw new Error(`expected one byte, got ${data.length}`);
    onWakeUp();
  });
  cleanup = () => {
    socket.destroy();
    io.close(w);
  };
  start('pipe', w);
} else {
  throw new Error(`unknown --path ${pathName}`);
}
