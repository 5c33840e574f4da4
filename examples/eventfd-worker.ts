// npm run example:eventfd-worker: a worker thread signals the main thread through an EventFd that
// the main thread's EpollInstance watches: no message port, no serialization. The worker writes to
// the same fd number, since threads share the fd table.
import { Worker, isMainThread, workerData } from 'node:worker_threads';

import { EPOLLIN, EpollInstance, EventFd, io } from '../lib';

const SIGNALS = 5;

function worker(fd: number): void {
  // An eventfd write adds an 8-byte count in host byte order, as a BigUint64Array holds it.
  const one = new BigUint64Array([1n]);
  let sent = 0;
  const timer = setInterval(() => {
    io.write(fd, one);
    if (++sent === SIGNALS) clearInterval(timer);
  }, 20);
}

function main(): void {
  const epoll = new EpollInstance({ dispatch: 'auto' });
  const signal = new EventFd();
  let received = 0n;
  epoll.add(signal.fd, EPOLLIN, () => {
    const count = signal.read();
    if (count === null) return;
    received += count;
    console.log(`main thread: ${received} of ${SIGNALS} signals`);
    if (received >= SIGNALS) {
      epoll.remove(signal.fd);
      epoll.close();
      signal.close();
    }
  });
  new Worker(__filename, { workerData: signal.fd });
}

if (isMainThread) {
  main();
} else {
  worker(workerData as number);
}
