// Run by scripts/test-valgrind.sh under valgrind: the wait thread's start, dispatch and stop, and
// the loop mode's, including a stop from inside a handler, an instance left to the GC, and a
// worker terminated mid-dispatch. It checks its own results and exits non-zero if one is wrong.
'use strict';
const assert = require('node:assert');
const { Worker } = require('node:worker_threads');
const { EpollInstance, EventFd, EPOLLIN, EPOLLET } = require(process.argv[2]);

async function dispatchSome(dispatch) {
  const ep = new EpollInstance({ dispatch, maxEvents: 4 });
  const efds = [new EventFd(), new EventFd(1), new EventFd(1)];
  let read = 0;
  await new Promise((resolve) => {
    for (const efd of efds) {
      ep.add(efd.fd, EPOLLIN | EPOLLET, () => {
        read += Number(efd.read() ?? 0n);
        if (read === 12) resolve();
        else if (read >= 2 && efd === efds[0]) efd.write(1);
      });
    }
    efds[0].write(1);
    efds[0].write(9);
  });
  ep.close();
  for (const efd of efds) efd.close();
  assert.ok(read >= 12);
}

async function closeFromHandler(dispatch) {
  const ep = new EpollInstance({ dispatch, maxEvents: 8 });
  const efds = [new EventFd(1), new EventFd(1), new EventFd(1)];
  let calls = 0;
  await new Promise((resolve) => {
    for (const efd of efds)
      ep.add(efd.fd, EPOLLIN, () => {
        calls++;
        ep.close();
        resolve();
      });
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (const efd of efds) efd.close();
  assert.strictEqual(calls, 1);
}

function dropToGc(dispatch, ready) {
  const ep = new EpollInstance({ dispatch });
  ep.add(ready.fd, EPOLLIN, () => undefined);
  ep.unref();
}

function workerMidDispatch(ready) {
  const source = `
    const { EpollInstance, EPOLLIN } = require(${JSON.stringify(process.argv[2])});
    const { parentPort, workerData } = require('node:worker_threads');
    let told = false;
    for (const dispatch of ['thread', 'loop']) {
      new EpollInstance({ dispatch }).add(workerData, EPOLLIN, () => { if (!told) parentPort.postMessage('dispatching'); told = true; });
    }`;
  return new Promise((resolve) => {
    const worker = new Worker(source, { eval: true, workerData: ready.fd });
    worker.once('message', () => worker.terminate());
    worker.once('exit', resolve);
  });
}

(async () => {
  const ready = new EventFd(1);
  for (const dispatch of ['thread', 'loop']) {
    await dispatchSome(dispatch);
    await closeFromHandler(dispatch);
    dropToGc(dispatch, ready);
  }
  await workerMidDispatch(ready);
  for (let i = 0; i < 5; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  ready.close();
  console.log('wait-thread scenario done');
})();
