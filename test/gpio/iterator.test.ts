// BatchIterator, the async iterator of line events and info changes, on an fd any machine has: an
// eventfd whose count stands for a batch of records.
import { EventFd } from '../../lib';
import { BatchIterator, type BatchSource } from '../../lib/gpio/readiness';
import { runScript } from '../support/child';

function counterSource(efd: EventFd, failWith?: Error): BatchSource<bigint> {
  return {
    fd: efd.fd,
    read: () => {
      if (failWith) throw failWith;
      const count = efd.read();
      return count === null ? null : [count, -count];
    },
  };
}

test('yields each record of each batch, waiting for readiness between batches', async () => {
  const efd = new EventFd();
  let ended = 0;
  const iterator = new BatchIterator(counterSource(efd), () => ended++);
  try {
    efd.write(3);
    expect(await iterator.next()).toEqual({ done: false, value: 3n });
    expect(await iterator.next()).toEqual({ done: false, value: -3n });
    const pending = iterator.next();
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    efd.write(5);
    expect(await pending).toEqual({ done: false, value: 5n });
  } finally {
    await iterator.return();
    efd.close();
  }
  expect(ended).toBe(1);
});

test('end() resolves a pending next() as done, and later calls are done at once', async () => {
  const efd = new EventFd();
  const iterator = new BatchIterator(counterSource(efd), () => undefined);
  const pending = iterator.next();
  iterator.end();
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(await iterator.next()).toEqual({ done: true, value: undefined });
  // The fd is no longer watched: closing it now is safe, and writing it wakes nothing.
  efd.close();
});

test('a failing read rejects the pending next() once, and ends the iteration', async () => {
  const efd = new EventFd();
  const failure = Object.assign(new Error('boom'), { code: 'EIO' });
  const iterator = new BatchIterator(counterSource(efd, failure), () => undefined);
  try {
    await expect(iterator.next()).rejects.toBe(failure);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  } finally {
    efd.close();
  }
});

test('next() while one is pending is refused, and does not disturb it', async () => {
  const efd = new EventFd();
  const iterator = new BatchIterator(counterSource(efd), () => undefined);
  try {
    const first = iterator.next();
    await expect(iterator.next()).rejects.toThrow(/pending/);
    efd.write(1);
    expect(await first).toEqual({ done: false, value: 1n });
  } finally {
    await iterator.return();
    efd.close();
  }
});

test('for await over it, broken out of, leaves the process free to exit', async () => {
  const readiness = require.resolve('../../dist/lib/gpio/readiness.js');
  const result = await runScript(`
    const { BatchIterator } = require(${JSON.stringify(readiness)});
    const efd = new LINUX_EPOLL.EventFd();
    const source = { fd: efd.fd, read: () => { const n = efd.read(); return n === null ? null : [n, -n]; } };
    (async () => {
      const seen = [];
      for await (const value of new BatchIterator(source, () => {})) {
        seen.push(value);
        if (seen.length === 2) break;
      }
      console.log(seen.join(' '));
    })();
    setTimeout(() => efd.write(7), 10);
  `);
  expect(result).toMatchObject({ code: 0, signal: null, stdout: '7 -7\n' });
});
