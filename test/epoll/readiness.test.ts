// Awaitable readiness (docs/AWAIT.md): ep.readable/writable/watch/read/write against real fds, in
// both dispatch modes: what settles them, what ends them, and that nothing is left behind.
import * as fs from 'node:fs';
import { getEventListeners } from 'node:events';

import {
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EpollInstance,
  TimerFd,
  io,
  sock,
  type DispatchMode,
} from '../../lib';
import { FdPool } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { nextMacrotask, waitFor } from '../support/wait';

type Settled = { value?: unknown; error?: { name?: string; code?: string; [key: string]: unknown } };

function settle(promise: Promise<unknown>): Promise<Settled> {
  return promise.then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
}

// A pending promise stays pending through a few turns of the loop (each turn can carry a batch).
async function stillPending(promise: Promise<unknown>, turns = 5): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < turns && !settled; i++) await nextMacrotask();
  return !settled;
}

// A second open file description of a pipe's read end: one write makes both ready in the same
// syscall, and so in the same batch.
function reopen(pool: FdPool, fd: number): number {
  return pool.adopt(fs.openSync(`/proc/self/fd/${fd}`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
}

describeEachMode('awaitable readiness', (dispatch: DispatchMode) => {
  const pool = new FdPool();
  let ep: EpollInstance;
  beforeEach(() => (ep = new EpollInstance({ dispatch })));
  afterEach(() => {
    ep.close();
    pool.closeAll();
  });

  describe('readable() and writable()', () => {
    test('resolve with the ready bits, and leave no registration behind once the turn ends', async () => {
      const [a, b] = pool.socketpair();
      const readable = ep.readable(a);
      expect(ep.has(a)).toBe(true);
      expect(await stillPending(readable)).toBe(true);
      io.write(b, Buffer.from('x'));
      expect(await readable).toBe(EPOLLIN);
      expect(await ep.writable(a)).toBe(EPOLLOUT);
      // Kept, disarmed, to the end of the turn: an await in a loop re-arms it with one MOD.
      expect(ep.has(a)).toBe(true);
      await nextMacrotask();
      expect(ep.has(a)).toBe(false);
      expect(ep.size).toBe(0);
    });

    test('an fd its awaits hold only to the end of the turn: add() takes it at once', async () => {
      const [a] = pool.socketpair();
      expect(await ep.writable(a)).toBe(EPOLLOUT);
      expect(ep.has(a)).toBe(true);
      let events = 0;
      ep.add(a, EPOLLOUT, () => events++);
      await waitFor(() => events > 0, 'the handler');
      await nextMacrotask();
      expect(ep.has(a)).toBe(true);
      ep.remove(a);
      expect(ep.size).toBe(0);
    });

    test('several awaiters, and a readable and a writable at once, on one fd', async () => {
      const [a, b] = pool.socketpair();
      const readers = [ep.readable(a), ep.readable(a), ep.readable(a)];
      const writer = ep.writable(a);
      expect(await writer).toBe(EPOLLOUT);
      expect(await stillPending(Promise.race(readers))).toBe(true);
      expect(ep.has(a)).toBe(true);
      io.write(b, Buffer.from('x'));
      expect(await Promise.all(readers)).toEqual([EPOLLIN, EPOLLIN, EPOLLIN]);
      await nextMacrotask();
      expect(ep.size).toBe(0);
    });

    test('a hang-up resolves them too, with EPOLLHUP', async () => {
      const [a, b] = pool.socketpair();
      const readable = ep.readable(a);
      pool.close(b);
      expect((await readable) & EPOLLHUP).toBe(EPOLLHUP);
    });

    test('an fd with a handler from add() is refused with EEXIST, and add() of an awaited fd too', async () => {
      const [a, b] = pool.socketpair();
      ep.add(a, EPOLLIN, () => undefined);
      await expect(ep.readable(a)).rejects.toMatchObject({ code: 'EEXIST', syscall: 'epoll_ctl', fd: a });
      expect(() => ep.watch(a, EPOLLIN)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      ep.remove(a);
      const readable = ep.readable(a);
      expect(() => ep.add(a, EPOLLIN, () => undefined)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      expect(() => ep.modify(a, EPOLLIN)).toThrow(expect.objectContaining({ code: 'ERR_EPOLL_AWAITED' }));
      io.write(b, Buffer.from('x'));
      expect(await readable).toBe(EPOLLIN);
      // Settled: the fd is free for add() at once.
      expect(() => ep.add(a, EPOLLIN, () => undefined)).not.toThrow();
    });

    test('bad input rejects with a coded error and registers nothing', async () => {
      const [a] = pool.socketpair();
      await expect(ep.readable(-1)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      await expect(ep.readable('3' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      await expect(ep.readable(a, { timeout: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      await expect(ep.readable(a, { timeout: 2 ** 31 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      await expect(ep.readable(a, { signal: {} as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      await expect(ep.readable(a, { signal: { aborted: false } as never })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARG_TYPE',
      });
      await expect(ep.readable(a, 'x' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      const file = fs.openSync(__filename, 'r');
      try {
        await expect(ep.readable(file)).rejects.toMatchObject({ code: 'EPERM' });
      } finally {
        fs.closeSync(file);
      }
      expect(ep.size).toBe(0);
    });

    test('a hostile signal: getters and a throwing addEventListener leave nothing behind', async () => {
      const [a] = pool.socketpair();
      const hostile = {
        aborted: false,
        addEventListener() {
          throw new Error('from addEventListener');
        },
        removeEventListener() {},
      };
      await expect(ep.readable(a, { signal: hostile as never })).rejects.toThrow('from addEventListener');
      const options = {
        get timeout(): number {
          throw new Error('from a getter');
        },
      };
      await expect(ep.readable(a, options)).rejects.toThrow('from a getter');
      expect(() => ep.watch(a, EPOLLIN, { signal: hostile as never })).toThrow('from addEventListener');
      expect(ep.size).toBe(0);
    });

    test('a signal whose reason getter throws still ends the await, with that error as the cause', async () => {
      const [a] = pool.socketpair();
      const listeners: (() => void)[] = [];
      const thrown = new Error('from reason');
      const signal = {
        aborted: false,
        get reason(): never {
          throw thrown;
        },
        addEventListener: (_: string, listener: () => void) => listeners.push(listener),
        removeEventListener: (_: string, listener: () => void) => listeners.splice(listeners.indexOf(listener), 1),
      };
      const readable = settle(ep.readable(a, { signal }));
      expect(listeners).toHaveLength(1);
      listeners[0]();
      const { error } = await readable;
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(error!.cause).toBe(thrown);
      expect(listeners).toHaveLength(0);
      expect(ep.size).toBe(0);
    });

    test("a user's abort listener that runs first and remove()s the fd: one rejection, nothing left", async () => {
      const [a] = pool.socketpair();
      const controller = new AbortController();
      controller.signal.addEventListener('abort', () => ep.remove(a));
      const readable = settle(ep.readable(a, { signal: controller.signal }));
      controller.abort();
      expect((await readable).error).toMatchObject({ code: 'ERR_EPOLL_STALE', reason: 'removed' });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      expect(ep.size).toBe(0);
    });

    test('the consumer of a watch closes the instance from inside its loop: the loop ends with ERR_EPOLL_CLOSED', async () => {
      const efd = pool.eventFd(1);
      const iterate = async (): Promise<number> => {
        let seen = 0;
        for await (const _ of ep.watch(efd.fd, EPOLLIN)) if (++seen === 2) ep.close();
        return seen;
      };
      expect((await settle(iterate())).error).toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
    });

    test('a closed instance rejects with ERR_EPOLL_CLOSED', async () => {
      const [a] = pool.socketpair();
      ep.close();
      await expect(ep.readable(a)).rejects.toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
      expect(() => ep.watch(a, EPOLLIN)).toThrow(expect.objectContaining({ code: 'ERR_EPOLL_CLOSED' }));
    });
  });

  describe('abort and timeout', () => {
    test("abort rejects with Node's AbortError shape and removes what it added", async () => {
      const [a] = pool.socketpair();
      const controller = new AbortController();
      const reason = new Error('the reason');
      const readable = settle(ep.readable(a, { signal: controller.signal, timeout: 60000 }));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      controller.abort(reason);
      const { error } = await readable;
      expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', message: 'The operation was aborted' });
      expect(error!.cause).toBe(reason);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(ep.size).toBe(0);
    });

    test('an already aborted signal rejects at once, registering nothing', async () => {
      const [a] = pool.socketpair();
      const signal = AbortSignal.abort('early');
      const readable = ep.readable(a, { signal });
      expect(ep.size).toBe(0);
      await expect(readable).rejects.toMatchObject({ name: 'AbortError', cause: 'early' });
    });

    test('a timeout rejects with ERR_EPOLL_TIMEOUT, and the other awaiters on the fd stay', async () => {
      const [a, b] = pool.socketpair();
      const other = ep.readable(a);
      const timed = ep.readable(a, { timeout: 1 });
      await expect(timed).rejects.toMatchObject({ name: 'TimeoutError', code: 'ERR_EPOLL_TIMEOUT', fd: a, timeout: 1 });
      expect(ep.has(a)).toBe(true);
      io.write(b, Buffer.from('x'));
      expect(await other).toBe(EPOLLIN);
      await nextMacrotask();
      expect(ep.size).toBe(0);
    });

    test('readiness, abort and timeout: the first settles it, and the others change nothing', async () => {
      const [a] = pool.socketpair();
      const controller = new AbortController();
      // Writable now: resolves at the next batch, and its abort listener and timer go with it.
      expect(await ep.writable(a, { signal: controller.signal, timeout: 5 })).toBe(EPOLLOUT);
      controller.abort();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThan(5);
    });

    test('abort racing readiness in the same batch: whichever runs first on the JS thread wins', async () => {
      const [r, w] = pool.pipe();
      const before = reopen(pool, r);
      const after = reopen(pool, r);
      const controller = new AbortController();
      const { signal } = controller;
      // A handler that aborts, on each side of the awaited fd: at least one of them runs first.
      let pendingWhenAborted: boolean | undefined;
      const abort = (): void => {
        pendingWhenAborted ??= getEventListeners(signal, 'abort').length === 1;
        controller.abort();
      };
      ep.add(before, EPOLLIN | EPOLLET, abort);
      const readable = settle(ep.readable(r, { signal }));
      ep.add(after, EPOLLIN | EPOLLET, abort);
      io.write(w, Buffer.from('x'));
      const result = await readable;
      expect(pendingWhenAborted).toBeDefined();
      if (pendingWhenAborted) expect(result.error).toMatchObject({ name: 'AbortError' });
      else expect(result.value).toBe(EPOLLIN);
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      await nextMacrotask();
      expect(ep.has(r)).toBe(false);
    });
  });

  describe('the batch', () => {
    test("a promise settles after every handler of the batch that reported it, in the batch's microtasks", async () => {
      const [r, w] = pool.pipe();
      const before = reopen(pool, r);
      const after = reopen(pool, r);
      const order: string[] = [];
      let continued = false;
      ep.add(before, EPOLLIN | EPOLLET, () => order.push(`handler, continued: ${continued}`));
      const readable = ep.readable(r).then(() => {
        continued = true;
        order.push('await');
      });
      ep.add(after, EPOLLIN | EPOLLET, () => order.push(`handler, continued: ${continued}`));
      io.write(w, Buffer.from('x'));
      await readable;
      expect(order).toEqual(['handler, continued: false', 'handler, continued: false', 'await']);
    });

    test('remove(fd) by a handler earlier in the batch rejects the await with ERR_EPOLL_STALE', async () => {
      const [r, w] = pool.pipe();
      const first = reopen(pool, r);
      const last = reopen(pool, r);
      const removeIt = (): void => {
        if (ep.has(r)) ep.remove(r);
      };
      ep.add(first, EPOLLIN | EPOLLET, removeIt);
      const readable = settle(ep.readable(r));
      ep.add(last, EPOLLIN | EPOLLET, removeIt);
      io.write(w, Buffer.from('x'));
      const { value, error } = await readable;
      // Removed before its event was dispatched, or resolved first and then nothing to remove.
      if (error !== undefined) expect(error).toMatchObject({ code: 'ERR_EPOLL_STALE', reason: 'removed', fd: r });
      else expect(value).toBe(EPOLLIN);
    });

    test('close() in a handler rejects every pending await with ERR_EPOLL_CLOSED', async () => {
      const efd = pool.eventFd();
      const [a] = pool.socketpair();
      const readable = settle(ep.readable(a));
      const watch = ep.watch(a, EPOLLIN);
      const next = settle(watch.next());
      ep.add(efd.fd, EPOLLIN, () => ep.close());
      efd.write(1);
      expect((await readable).error).toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
      expect((await next).error).toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
      expect(await watch.next()).toEqual({ done: true, value: undefined });
    });
  });

  describe('the stale-event guarantee', () => {
    test('remove(fd) rejects pending awaits with ERR_EPOLL_STALE (reason removed)', async () => {
      const [a] = pool.socketpair();
      const readable = ep.readable(a);
      ep.remove(a);
      await expect(readable).rejects.toMatchObject({ code: 'ERR_EPOLL_STALE', reason: 'removed', fd: a });
    });

    test('close() rejects pending awaits with ERR_EPOLL_CLOSED; asyncDispose does the same', async () => {
      const [a] = pool.socketpair();
      const readable = ep.readable(a);
      ep.close();
      await expect(readable).rejects.toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
      const other = new EpollInstance({ dispatch });
      const pending = other.writable(pool.eventFd().fd, {});
      await other[Symbol.asyncDispose]();
      expect(other.closed).toBe(true);
      // An eventfd is writable at once, but the instance closed before any batch.
      await expect(pending).rejects.toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
    });

    test('an fd closed while awaited, its number reused: the old await rejects, the new one resolves for the new file', async () => {
      const [a, b] = io.socketpair();
      const old = settle(ep.readable(a));
      io.close(a);
      io.close(b);
      const [c, d] = pool.socketpair();
      expect(c).toBe(a);
      const fresh = ep.readable(c);
      expect((await old).error).toMatchObject({ code: 'ERR_EPOLL_STALE', reason: 'dropped', fd: a });
      io.write(d, Buffer.from('x'));
      expect(await fresh).toBe(EPOLLIN);
    });

    test('add() on a reused number rejects the old await', async () => {
      const [a, b] = io.socketpair();
      const old = settle(ep.readable(a));
      io.close(a);
      io.close(b);
      const [c] = pool.socketpair();
      expect(c).toBe(a);
      ep.add(c, EPOLLIN, () => undefined);
      expect((await old).error).toMatchObject({ code: 'ERR_EPOLL_STALE', reason: 'dropped' });
    });
  });

  describe('watch()', () => {
    test('every dispatch, in order; break ends it and removes the registration', async () => {
      const [a, b] = pool.socketpair();
      const seen: number[] = [];
      const buffer = Buffer.alloc(16);
      io.write(b, Buffer.from('1'));
      for await (const events of ep.watch(a, EPOLLIN)) {
        seen.push(events);
        expect(io.read(a, buffer)).toBe(1);
        if (seen.length === 3) break;
        io.write(b, Buffer.from('1'));
      }
      expect(seen).toEqual([EPOLLIN, EPOLLIN, EPOLLIN]);
      expect(ep.has(a)).toBe(false);
    });

    test('edge-triggered: one event per edge, not repeated while the data stays unread', async () => {
      const [a, b] = pool.socketpair();
      const watch = ep.watch(a, EPOLLIN | EPOLLET);
      io.write(b, Buffer.from('x'));
      expect(await watch.next()).toEqual({ done: false, value: EPOLLIN });
      const next = watch.next();
      expect(await stillPending(next)).toBe(true);
      io.write(b, Buffer.from('y'));
      expect(await next).toEqual({ done: false, value: EPOLLIN });
      await watch.return!();
      expect(ep.size).toBe(0);
    });

    test('next() calls made at once are answered in order, as an async generator queues them', async () => {
      const [a, b] = pool.socketpair();
      const watch = ep.watch(a, EPOLLIN | EPOLLET);
      const first = watch.next();
      const second = watch.next();
      const third = watch.next();
      io.write(b, Buffer.from('x'));
      expect(await first).toEqual({ done: false, value: EPOLLIN });
      io.write(b, Buffer.from('y'));
      expect(await second).toEqual({ done: false, value: EPOLLIN });
      await watch.return!();
      expect(await third).toEqual({ done: true, value: undefined });
    });

    test('return() ends a pending next() and removes the registration', async () => {
      const [a] = pool.socketpair();
      const watch = ep.watch(a, EPOLLIN);
      const next = watch.next();
      expect(await watch.return!()).toEqual({ done: true, value: undefined });
      expect(await next).toEqual({ done: true, value: undefined });
      expect(ep.has(a)).toBe(false);
      expect(await watch.next()).toEqual({ done: true, value: undefined });
    });

    test('the signal ends it with an AbortError, removing the registration and its listener', async () => {
      const [a] = pool.socketpair();
      const controller = new AbortController();
      const iterate = async (): Promise<number> => {
        let count = 0;
        for await (const _ of ep.watch(a, EPOLLIN, { signal: controller.signal })) count++;
        return count;
      };
      const done = settle(iterate());
      await nextMacrotask();
      controller.abort('stop');
      expect((await done).error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: 'stop' });
      expect(ep.has(a)).toBe(false);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      const late = ep.watch(a, EPOLLIN, { signal: controller.signal });
      expect(ep.has(a)).toBe(false);
      await expect(late.next()).rejects.toMatchObject({ name: 'AbortError' });
    });

    test("overflow 'throw': the queued events come first, then ERR_EPOLL_WATCH_QUEUE_OVERFLOW", async () => {
      const efd = pool.eventFd(1);
      // Level-triggered and never read: one event per batch, and no consumer.
      const watch = ep.watch(efd.fd, EPOLLIN, { maxQueue: 3, overflow: 'throw' });
      await waitFor(() => !ep.has(efd.fd), 'the overflow to end the watch');
      const results = [await watch.next(), await watch.next(), await watch.next()];
      expect(results).toEqual(Array(3).fill({ done: false, value: EPOLLIN }));
      await expect(watch.next()).rejects.toMatchObject({ code: 'ERR_EPOLL_WATCH_QUEUE_OVERFLOW' });
      expect(await watch.next()).toEqual({ done: true, value: undefined });
    });

    test("overflow 'ignore' (the default): the queue stays bounded, and one warning says so", async () => {
      const efd = pool.eventFd(1);
      const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        const watch = ep.watch(efd.fd, EPOLLIN, { maxQueue: 2 });
        await waitFor(() => emitWarning.mock.calls.length > 0, 'the overflow warning');
        for (let i = 0; i < 10; i++) await nextMacrotask();
        expect(emitWarning.mock.calls).toEqual([
          [expect.stringContaining('maxQueue (2) exceeded'), { code: 'EPOLL_WATCH_QUEUE_OVERFLOW' }],
        ]);
        efd.read();
        expect(await watch.next()).toEqual({ done: false, value: EPOLLIN });
        expect(await watch.next()).toEqual({ done: false, value: EPOLLIN });
        // Drained, and the counter read: nothing more until the next write.
        const next = watch.next();
        expect(await stillPending(next)).toBe(true);
        efd.write(1);
        expect(await next).toEqual({ done: false, value: EPOLLIN });
        await watch.return!();
      } finally {
        emitWarning.mockRestore();
      }
    });

    test('a watch and a writable() share the fd; remove(fd) ends the watch with ERR_EPOLL_STALE', async () => {
      const [a, b] = pool.socketpair();
      const watch = ep.watch(a, EPOLLIN | EPOLLET);
      expect(await ep.writable(a)).toBe(EPOLLOUT);
      expect(ep.has(a)).toBe(true);
      io.write(b, Buffer.from('x'));
      expect(await watch.next()).toEqual({ done: false, value: EPOLLIN });
      ep.remove(a);
      await expect(watch.next()).rejects.toMatchObject({ code: 'ERR_EPOLL_STALE', reason: 'removed' });
    });

    test('refuses EPOLLONESHOT, EPOLLEXCLUSIVE and bad options, registering nothing', () => {
      const [a] = pool.socketpair();
      expect(() => ep.watch(a, EPOLLIN | EPOLLONESHOT)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
      expect(() => ep.watch(a, EPOLLIN, { maxQueue: 0 })).toThrow(
        expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
      );
      expect(() => ep.watch(a, EPOLLIN, { overflow: 'error' as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
      expect(() => ep.watch(a, 1 << 30)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      expect(ep.size).toBe(0);
    });
  });

  describe('read(), write(), EventFd.wait, TimerFd.expired, sock.connections', () => {
    test('read() awaits data, then gives the bytes read, and 0 at the end of the stream', async () => {
      const [a, b] = pool.socketpair();
      const buffer = Buffer.alloc(8);
      const read = ep.read(a, buffer, { offset: 2, length: 4 });
      expect(await stillPending(read)).toBe(true);
      io.write(b, Buffer.from('abcdef'));
      expect(await read).toBe(4);
      expect(buffer.subarray(2, 6).toString()).toBe('abcd');
      expect(await ep.read(a, buffer)).toBe(2);
      pool.close(b);
      expect(await ep.read(a, buffer)).toBe(0);
      await nextMacrotask();
      expect(ep.size).toBe(0);
    });

    test('write() writes everything through partial writes, in order', async () => {
      const [a, b] = pool.socketpair();
      sock.setSendBufferSize(a, 4096);
      const payload = Buffer.alloc(1 << 20, 'abcdefghijklmnop');
      const written = ep.write(a, payload);
      const received: Buffer[] = [];
      let total = 0;
      const buffer = Buffer.alloc(65536);
      while (total < payload.length) {
        const count = await ep.read(b, buffer);
        received.push(Buffer.from(buffer.subarray(0, count)));
        total += count;
      }
      expect(await written).toBe(payload.length);
      expect(Buffer.concat(received).equals(payload)).toBe(true);
    });

    test('read() and write() reject on abort and on a bad range, with the coded error', async () => {
      const [a] = pool.socketpair();
      const controller = new AbortController();
      const read = ep.read(a, Buffer.alloc(4), { signal: controller.signal });
      controller.abort();
      await expect(read).rejects.toMatchObject({ name: 'AbortError' });
      await expect(ep.read(a, Buffer.alloc(4), { offset: 5 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      await expect(ep.write(a, 'text' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      const lying = new Uint8Array(4);
      Object.defineProperty(lying, 'byteLength', { value: 1 << 30 });
      await expect(ep.write(a, lying, { length: 1 << 20 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      expect(ep.size).toBe(0);
    });

    test('EventFd.wait(ep) and TimerFd.expired(ep) read the count once it is there', async () => {
      const efd = pool.eventFd();
      const value = efd.wait(ep);
      expect(await stillPending(value)).toBe(true);
      efd.write(3);
      expect(await value).toBe(3n);
      const timer = new TimerFd();
      try {
        timer.start(1);
        expect(await timer.expired(ep)).toBe(1n);
        await expect(timer.expired({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
        const timerFd = timer.fd;
        const never = timer.expired(ep);
        timer.close();
        await expect(never).rejects.toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
        expect(ep.has(timerFd)).toBe(false);
        // The eventfd's registration, idle since its wait resolved, goes at the end of a turn: this
        // one's, where the timer had expired before expired() looked (a slow machine), else earlier.
        await nextMacrotask();
        expect(ep.size).toBe(0);
      } finally {
        timer.close();
      }
    });

    test('sock.connections(): each connection, until break, which removes the listener', async () => {
      const listenFd = pool.adopt(sock.listenTcp({ port: 0 }));
      const { port } = sock.localAddress(listenFd) as sock.InetSocketAddress;
      const clients = [0, 1, 2].map(() => pool.adopt(sock.connectTo({ address: '127.0.0.1', port }).fd));
      const accepted: number[] = [];
      for await (const { fd, address } of sock.connections(ep, listenFd)) {
        pool.adopt(fd);
        expect(address).toMatchObject({ family: 'IPv4', address: '127.0.0.1' });
        if (accepted.push(fd) === clients.length) break;
      }
      expect(accepted).toHaveLength(3);
      expect(ep.size).toBe(0);
      const controller = new AbortController();
      const loop = settle(sock.connections(ep, listenFd, controller).next());
      await nextMacrotask();
      controller.abort();
      expect((await loop).error).toMatchObject({ name: 'AbortError' });
      expect(ep.size).toBe(0);
    });
  });
});
