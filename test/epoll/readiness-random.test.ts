// Awaits under random interleavings: readable, writable and watches on a few socketpairs, mixed
// with writes, reads, aborts, timeouts, remove(), add() and turns of the loop, from a fixed seed.
// Whatever the order, every await settles once, with bits it may have or a documented error, and
// once every signal is aborted nothing is left: no registration, no abort listener.
import { getEventListeners } from 'node:events';

import { EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EpollInstance, io } from '../../lib';
import { FdPool } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { seededRandom } from '../support/random';
import { nextMacrotask } from '../support/wait';

const DOCUMENTED = new Set(['ABORT_ERR', 'ERR_EPOLL_TIMEOUT', 'ERR_EPOLL_STALE', 'ERR_EPOLL_CLOSED', 'EEXIST']);

describeEachMode('awaits under random interleavings', (dispatch) => {
  test.each([1, 2, 3])('seed %i: each await settles once, as documented, and nothing is left', async (seed) => {
    const random = seededRandom(seed * 7919);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const pool = new FdPool();
    const ep = new EpollInstance({ dispatch });
    const pairs = Array.from({ length: 4 }, () => pool.socketpair());
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    // Never aborted: the awaits that use it end by readiness, timeout or remove(), and must take
    // their listener with them.
    const lasting = new AbortController().signal;
    const handled = new Set<number>();
    const problems: string[] = [];
    const settled: Promise<void>[] = [];
    const buffer = Buffer.alloc(64);
    let settledCount = 0;

    const check = (what: string, promise: Promise<number>, wants: number): void => {
      let times = 0;
      settled.push(
        promise.then(
          (events) => {
            if (++times > 1) problems.push(`${what} settled twice`);
            if ((events & (wants | EPOLLERR | EPOLLHUP)) === 0) problems.push(`${what} resolved with ${events}`);
            settledCount++;
          },
          (error: { code?: string }) => {
            if (++times > 1) problems.push(`${what} settled twice`);
            if (!DOCUMENTED.has(error.code as string)) problems.push(`${what} rejected with ${String(error)}`);
            settledCount++;
          },
        ),
      );
    };
    const consume = async (iterator: AsyncIterableIterator<number>, count: number): Promise<void> => {
      try {
        for await (const events of iterator) {
          if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) === 0) problems.push(`watch yielded ${events}`);
          if (--count === 0) break;
        }
      } catch (error) {
        const { code } = error as { code?: string };
        if (!DOCUMENTED.has(code as string)) problems.push(`watch threw ${String(error)}`);
      }
    };

    for (let step = 0; step < 300; step++) {
      const [a, b] = pick(pairs);
      const signal = pick(controllers).signal;
      const timeout = random() < 0.2 ? Math.floor(random() * 3) : undefined;
      const options = random() < 0.3 ? { signal: lasting, timeout: Math.floor(random() * 3) } : { signal, timeout };
      switch (Math.floor(random() * 10)) {
        case 0:
        case 1:
          check(`readable(${a}) at ${step}`, ep.readable(a, options), EPOLLIN);
          break;
        case 2:
          check(`writable(${a}) at ${step}`, ep.writable(a, options), EPOLLOUT);
          break;
        case 3:
          if (handled.has(a)) break;
          try {
            const iterator = ep.watch(a, EPOLLIN | (random() < 0.5 ? EPOLLET : 0), { signal, maxQueue: 4 });
            settled.push(consume(iterator, 1 + Math.floor(random() * 3)));
          } catch (error) {
            if ((error as { code?: string }).code !== 'EEXIST') problems.push(`watch() threw ${String(error)}`);
          }
          break;
        case 4:
          io.write(b, Buffer.from('x'));
          break;
        case 5:
          while (io.read(a, buffer) !== null);
          break;
        case 6:
          if (random() < 0.3) {
            const index = controllers.findIndex((c) => c.signal === signal);
            controllers[index].abort(step);
            controllers[index] = new AbortController();
          }
          break;
        case 7:
          if (ep.has(a)) {
            ep.remove(a);
            handled.delete(a);
          }
          break;
        case 8:
          if (handled.has(a)) break;
          try {
            ep.add(a, EPOLLIN, () => undefined);
            handled.add(a);
          } catch (error) {
            if ((error as { code?: string }).code !== 'EEXIST') problems.push(`add() threw ${String(error)}`);
          }
          break;
        default:
          await nextMacrotask();
      }
    }
    // Ending every signal and every handler must end every await and leave nothing registered.
    for (const controller of controllers) controller.abort('the end');
    for (const fd of handled) ep.remove(fd);
    await Promise.all(settled);
    await nextMacrotask();
    const listeners = [lasting, ...controllers.map((c) => c.signal)].map((s) => getEventListeners(s, 'abort').length);
    const size = ep.size;
    ep.close();
    pool.closeAll();
    expect(problems).toEqual([]);
    expect(settledCount).toBeGreaterThan(0);
    expect({ size, listeners }).toEqual({ size: 0, listeners: [0, 0, 0, 0] });
  });
});
