// The semantics of EpollInstance that users rely on, in both dispatch modes, on real kernel fds.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

import {
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLRDHUP,
  EpollInstance,
  EventFd,
  io,
} from '../../lib';
import { afterNextBatch } from '../support/batches';
import { FdPool } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { countPerTurn, nextMacrotask, waitFor } from '../support/wait';

describeEachMode('EpollInstance', (dispatch) => {
  const pool = new FdPool();
  const instances: EpollInstance[] = [];
  const open = (options: { maxEvents?: number } = {}): EpollInstance => {
    const ep = new EpollInstance({ dispatch, ...options });
    instances.push(ep);
    return ep;
  };
  afterEach(() => {
    for (const ep of instances.splice(0)) ep.close();
    pool.closeAll();
  });

  test('calls the handler with the kernel events and the fd', async () => {
    const ep = open();
    const efd = pool.eventFd();
    const calls: [number, number][] = [];
    expect(ep.add(efd.fd, EPOLLIN, (events, fd) => calls.push([events, fd]))).toBe(ep);
    efd.write(1);
    await waitFor(() => calls.length > 0, 'an event');
    expect(calls[0]).toEqual([EPOLLIN, efd.fd]);
    expect(ep.dispatch).toBe(dispatch);
  });

  test('level-triggered reports unread data at every dispatch; edge-triggered only when new data arrives', async () => {
    const ep = open();
    const [lr, lw] = pool.pipe();
    const [er, ew] = pool.pipe();
    let level = 0;
    let edge = 0;
    ep.add(lr, EPOLLIN, () => level++);
    ep.add(er, EPOLLIN | EPOLLET, () => edge++);
    io.write(lw, Buffer.from('x'));
    io.write(ew, Buffer.from('x'));
    await waitFor(() => level >= 3 && edge >= 1, 'repeated level-triggered events');
    await afterNextBatch(ep);
    expect(edge).toBe(1);
    io.write(ew, Buffer.from('y'));
    await waitFor(() => edge === 2, 'a second edge');
    await afterNextBatch(ep);
    expect(edge).toBe(2);
  });

  test('a level-triggered fd that stays ready gives one event per loop turn, not a flood', async () => {
    const ep = open();
    const efd = pool.eventFd(1);
    let count = 0;
    ep.add(efd.fd, EPOLLIN, () => count++);
    // Each turn of the loop runs one immediate and dispatches at most one batch. A wait thread
    // that posted its next batch as soon as the last was dispatched (not in a later turn) gave
    // hundreds in one turn, a few times in 10,000 turns.
    const perTurn = await countPerTurn(() => count, 20000);
    expect(count).toBeGreaterThan(0);
    expect(perTurn.reduce((most, n) => Math.max(most, n))).toBe(1);
  });

  test('EPOLLONESHOT reports once, then again after modify() re-arms it', async () => {
    const ep = open();
    const efd = pool.eventFd(1);
    let count = 0;
    ep.add(efd.fd, EPOLLIN | EPOLLONESHOT, () => count++);
    await waitFor(() => count === 1, 'the one-shot event');
    await afterNextBatch(ep);
    expect(count).toBe(1);
    expect(ep.has(efd.fd)).toBe(true);
    ep.modify(efd.fd, EPOLLIN | EPOLLONESHOT);
    await waitFor(() => count === 2, 'the re-armed event');
    await afterNextBatch(ep);
    expect(count).toBe(2);
  });

  test('reports EPOLLRDHUP, then EPOLLHUP, when the peer of a socketpair closes', async () => {
    const ep = open();
    const [a, b] = pool.socketpair();
    const seen: number[] = [];
    ep.add(a, EPOLLIN | EPOLLRDHUP, (events) => seen.push(events));
    pool.close(b);
    await waitFor(() => seen.length > 0, 'the hang-up');
    expect(seen[0] & EPOLLRDHUP).toBe(EPOLLRDHUP);
    expect(seen[0] & EPOLLHUP).toBe(EPOLLHUP);
    expect(seen[0] & EPOLLIN).toBe(EPOLLIN);
  });

  test('reports EPOLLERR on a pipe whose reader has gone, though it was not asked for', async () => {
    const ep = open();
    const [r, w] = pool.pipe();
    const seen: number[] = [];
    ep.add(w, EPOLLOUT | EPOLLET, (events) => seen.push(events));
    pool.close(r);
    await waitFor(() => seen.some((e) => (e & EPOLLERR) !== 0), 'EPOLLERR');
  });

  test('events are unsigned even with EPOLLET set', async () => {
    const ep = open();
    const efd = pool.eventFd(1);
    let events = -1;
    ep.add(efd.fd, EPOLLIN | EPOLLET, (e) => (events = e));
    await waitFor(() => events !== -1, 'an event');
    expect(events).toBe(EPOLLIN);
    expect(EPOLLET).toBe(2147483648);
    expect(EPOLLIN | EPOLLET).toBe(-2147483647);
  });

  test('an fd removed by an earlier handler of the same batch gets no event', async () => {
    const ep = open();
    const a = pool.eventFd(1);
    const b = pool.eventFd(1);
    const calls: number[] = [];
    const handler = (_events: number, fd: number): void => {
      calls.push(fd);
      const other = fd === a.fd ? b.fd : a.fd;
      if (ep.has(other)) ep.remove(other);
    };
    ep.add(a.fd, EPOLLIN, handler);
    ep.add(b.fd, EPOLLIN, handler);
    await waitFor(() => calls.length > 0, 'an event');
    await afterNextBatch(ep);
    // Both were ready in the first batch; whichever ran first removed the other.
    expect(new Set(calls).size).toBe(1);
    expect(ep.size).toBe(1);
  });

  test('removing and re-adding an fd inside one batch never gives the old event to the new registration', async () => {
    const ep = open({ maxEvents: 8 });
    const a = pool.eventFd(1);
    const b = pool.eventFd(1);
    const oldCalls: number[] = [];
    const newCalls: number[] = [];
    let swapped = false;
    const swap = (_events: number, fd: number): void => {
      oldCalls.push(fd);
      if (swapped) return;
      swapped = true;
      const other = fd === a.fd ? b : a;
      ep.remove(other.fd);
      // The other fd is still ready: its collected event is stale, the re-armed one is new.
      ep.add(other.fd, EPOLLIN | EPOLLONESHOT, (_e, f) => newCalls.push(f));
      ep.remove(fd);
    };
    ep.add(a.fd, EPOLLIN, swap);
    ep.add(b.fd, EPOLLIN, swap);
    await waitFor(() => newCalls.length === 1, 'the new registration');
    await afterNextBatch(ep);
    expect(oldCalls).toHaveLength(1);
    expect(newCalls).toHaveLength(1);
  });

  test('after remove() returns, a batch already collected does not reach the handler', async () => {
    const ep = open();
    const efd = pool.eventFd(1);
    let calls = 0;
    ep.add(efd.fd, EPOLLIN, () => calls++);
    await waitFor(() => calls > 0, 'an event');
    // In thread mode the next batch is usually collected already; it must not be dispatched.
    ep.remove(efd.fd);
    const before = calls;
    await afterNextBatch(ep);
    expect(calls).toBe(before);
  });

  test('modify() with a new handler sends the next dispatch to it', async () => {
    const ep = open();
    const efd = pool.eventFd();
    const log: string[] = [];
    ep.add(efd.fd, EPOLLIN | EPOLLET, () => log.push(`first ${efd.read()}`));
    efd.write(1);
    await waitFor(() => log.length === 1, 'the first event');
    expect(ep.modify(efd.fd, EPOLLIN | EPOLLET, () => log.push(`second ${efd.read()}`))).toBe(ep);
    efd.write(1);
    await waitFor(() => log.length === 2, 'the second event');
    expect(log).toEqual(['first 1', 'second 1']);
  });

  test('modify() to other events filters events collected under the old mask', async () => {
    const ep = open();
    const [r, w] = pool.socketpair();
    void w;
    const seen: number[] = [];
    ep.add(r, EPOLLIN | EPOLLOUT, (events) => {
      seen.push(events);
      ep.modify(r, EPOLLIN);
    });
    await waitFor(() => seen.length === 1, 'the writable event');
    await afterNextBatch(ep);
    expect(seen).toEqual([EPOLLOUT]);
  });

  test('remove() of an fd the caller already closed forgets it', async () => {
    const ep = open();
    const [r, w] = pool.pipe();
    ep.add(r, EPOLLIN, () => undefined);
    pool.close(r);
    expect(ep.remove(r)).toBe(ep);
    expect(ep.has(r)).toBe(false);
    expect(ep.size).toBe(0);
    void w;
  });

  test('an fd closed without remove() whose number is reused can be added again', async () => {
    const ep = open();
    const first = pool.eventFd(1);
    const fd = first.fd;
    let oldCalls = 0;
    ep.add(fd, EPOLLIN, () => oldCalls++);
    first.close();
    const reused = pool.eventFd(1);
    expect(reused.fd).toBe(fd);
    const newCalls: number[] = [];
    ep.add(fd, EPOLLIN, (events) => newCalls.push(events));
    expect(ep.size).toBe(1);
    const before = oldCalls;
    await waitFor(() => newCalls.length > 0, 'the new registration');
    expect(oldCalls).toBe(before);
  });

  test('modify() of an fd closed without remove() fails with the kernel error and forgets it', () => {
    const ep = open();
    const efd = pool.eventFd();
    const fd = efd.fd;
    ep.add(fd, EPOLLIN, () => undefined);
    efd.close();
    expect(() => ep.modify(fd, EPOLLIN)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'epoll_ctl' }));
    expect(ep.has(fd)).toBe(false);
    expect(ep.size).toBe(0);
  });

  test('a handler may close its own instance; the rest of the batch is dropped', async () => {
    const ep = open();
    const a = pool.eventFd(1);
    const b = pool.eventFd(1);
    let calls = 0;
    const closer = (): void => {
      calls++;
      ep.close();
    };
    ep.add(a.fd, EPOLLIN, closer);
    ep.add(b.fd, EPOLLIN, closer);
    await waitFor(() => ep.closed, 'close from the handler');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(1);
    expect(ep.fd).toBe(-1);
  });

  test('a handler may add to and remove from another instance during dispatch', async () => {
    const ep = open();
    const other = open();
    const efd = pool.eventFd(1);
    const target = pool.eventFd(1);
    let otherCalls = 0;
    ep.add(efd.fd, EPOLLIN | EPOLLET, () => {
      other.add(target.fd, EPOLLIN | EPOLLET, () => otherCalls++);
    });
    await waitFor(() => otherCalls === 1, 'the other instance');
    ep.modify(efd.fd, EPOLLIN | EPOLLET, () => other.has(target.fd) && other.remove(target.fd));
    efd.write(1);
    await waitFor(() => other.size === 0, 'removal from the other instance');
  });

  test('microtasks and nextTicks run after each batch, not between the handlers of one batch', async () => {
    const ep = open({ maxEvents: 4 });
    const a = pool.eventFd(1);
    const b = pool.eventFd(1);
    let pendingMicrotask = false;
    let pendingTick = false;
    let sawPendingInBatch = false;
    let sawTickInBatch = false;
    let calls = 0;
    const handler = (): void => {
      calls++;
      if (pendingMicrotask) sawPendingInBatch = true;
      if (pendingTick) sawTickInBatch = true;
      pendingMicrotask = true;
      pendingTick = true;
      queueMicrotask(() => (pendingMicrotask = false));
      process.nextTick(() => (pendingTick = false));
    };
    ep.add(a.fd, EPOLLIN, handler);
    ep.add(b.fd, EPOLLIN, handler);
    await waitFor(() => calls >= 10, 'several batches');
    expect(sawPendingInBatch).toBe(true);
    expect(sawTickInBatch).toBe(true);

    // With one event per batch, every batch starts with the queues drained.
    const single = open({ maxEvents: 1 });
    ep.close();
    pendingMicrotask = pendingTick = sawPendingInBatch = sawTickInBatch = false;
    calls = 0;
    single.add(a.fd, EPOLLIN, handler);
    single.add(b.fd, EPOLLIN, handler);
    await waitFor(() => calls >= 10, 'several single-event batches');
    expect(sawPendingInBatch).toBe(false);
    expect(sawTickInBatch).toBe(false);
  });

  test('handlers run in the async context in which the instance was created', async () => {
    const als = new AsyncLocalStorage<string>();
    const ep = als.run('created', () => open());
    const efd = pool.eventFd(1);
    let store: string | undefined = 'unset';
    als.run('added', () => ep.add(efd.fd, EPOLLIN, () => (store = als.getStore())));
    await waitFor(() => store !== 'unset', 'an event');
    expect(store).toBe('created');
  });

  test('timers and immediates run while a level-triggered fd stays ready', async () => {
    const ep = open();
    const efd = pool.eventFd(1);
    let events = 0;
    ep.add(efd.fd, EPOLLIN, () => events++);
    await waitFor(() => events > 0, 'the first event');
    // Were the loop starved by the ready fd, these would never resolve and the test would time out.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await nextMacrotask();
    const seen = events;
    await waitFor(() => events > seen, 'events after the timer and the immediate');
  });

  test('10,000 registered fds with events on only a few', async () => {
    const ep = open();
    const fds: EventFd[] = [];
    const seen = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const efd = pool.eventFd();
      fds.push(efd);
      ep.add(efd.fd, EPOLLIN | EPOLLET, (events, fd) => seen.set(fd, events));
    }
    expect(ep.size).toBe(10_000);
    const chosen = [fds[3], fds[4567], fds[9999]];
    for (const efd of chosen) efd.write(1);
    await waitFor(() => seen.size === 3, 'three events');
    await afterNextBatch(ep);
    expect([...seen.keys()].sort((x, y) => x - y)).toEqual(chosen.map((e) => e.fd).sort((x, y) => x - y));
    for (const events of seen.values()) expect(events).toBe(EPOLLIN);
  });

  test('an instance can be added to another one (nesting)', async () => {
    const outer = open();
    const inner = open();
    const efd = pool.eventFd(1);
    let innerEvents = 0;
    let outerEvents = 0;
    // Level-triggered throughout: the inner instance's own dispatch drains its ready list, and
    // only a still-ready fd puts it back for the outer instance to see.
    inner.add(efd.fd, EPOLLIN, () => innerEvents++);
    outer.add(inner.fd, EPOLLIN, () => outerEvents++);
    await waitFor(() => outerEvents > 0 && innerEvents > 0, 'events on both levels');
  });

  test('EPOLLEXCLUSIVE registers, and the kernel refuses it in modify()', async () => {
    const ep = open();
    const other = open();
    const efd = pool.eventFd();
    let calls = 0;
    ep.add(efd.fd, EPOLLIN | EPOLLEXCLUSIVE, () => calls++);
    other.add(efd.fd, EPOLLIN | EPOLLEXCLUSIVE, () => calls++);
    expect(() => ep.modify(efd.fd, EPOLLIN | EPOLLEXCLUSIVE)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    efd.write(1);
    await waitFor(() => calls > 0, 'an exclusive wake-up');
  });

  test('has() and size follow add and remove; a failed add leaves nothing behind', () => {
    const ep = open();
    const efd = pool.eventFd();
    expect(ep.has(efd.fd)).toBe(false);
    ep.add(efd.fd, EPOLLIN, () => undefined);
    expect(() => ep.add(efd.fd, EPOLLIN, () => undefined)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(ep.has(efd.fd)).toBe(true);
    expect(ep.size).toBe(1);
    const file = fs.openSync(__filename, 'r');
    try {
      expect(() => ep.add(file, EPOLLIN, () => undefined)).toThrow(expect.objectContaining({ code: 'EPERM' }));
      expect(ep.has(file)).toBe(false);
    } finally {
      fs.closeSync(file);
    }
    expect(ep.size).toBe(1);
    ep.remove(efd.fd);
    expect(ep.size).toBe(0);
    expect(ep.has(efd.fd)).toBe(false);
  });

  test('close() is idempotent, closes the epoll fd, and [Symbol.dispose] does the same', () => {
    const ep = open();
    const epfd = ep.fd;
    expect(fs.existsSync(`/proc/self/fd/${epfd}`)).toBe(true);
    expect(fs.readlinkSync(`/proc/self/fd/${epfd}`)).toBe('anon_inode:[eventpoll]');
    ep.close();
    ep.close();
    expect(ep.closed).toBe(true);
    expect(ep.fd).toBe(-1);
    expect(ep.size).toBe(0);
    const disposed = open();
    disposed[Symbol.dispose]();
    expect(disposed.closed).toBe(true);
  });

  test('a registered fd kept alive by dup() goes on being reported by the kernel, but never to a removed handler', async () => {
    const ep = open();
    const efd = pool.eventFd(1);
    const fd = efd.fd;
    let calls = 0;
    ep.add(fd, EPOLLIN, () => calls++);
    await waitFor(() => calls > 0, 'an event');
    // A child that inherits the fd holds a dup() of the same open file description.
    const holder = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    try {
      efd.close();
      // The kernel keeps the registration (its file is still open), and still reports it...
      const probe = new EpollInstance({ dispatch });
      instances.push(probe);
      let kernelStillReports = false;
      probe.add(ep.fd, EPOLLIN, () => (kernelStillReports = true));
      await waitFor(() => kernelStillReports, 'the epoll fd to stay readable');
      // ...but linux-epoll forgets it on remove() and drops those events.
      ep.remove(fd);
      expect(ep.has(fd)).toBe(false);
      const before = calls;
      await afterNextBatch(ep);
      expect(calls).toBe(before);
    } finally {
      holder.kill();
    }
  });
});

describe('dispatch option', () => {
  test("'auto' is 'loop' on Node, and the default is 'thread'", () => {
    const auto = new EpollInstance({ dispatch: 'auto' });
    const plain = new EpollInstance();
    try {
      expect(auto.dispatch).toBe('loop');
      expect(plain.dispatch).toBe('thread');
    } finally {
      auto.close();
      plain.close();
    }
  });
});
