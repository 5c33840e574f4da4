// Every documented error: Node's codes for bad arguments, ERR_EPOLL_CLOSED after close, and the
// kernel's errors in Node's system-error shape. A rejected call changes nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';

import { EPOLLIN, EPOLLOUT, EpollInstance, EventFd, eventNames, io } from '../../lib';
import { FdPool } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { thrown } from '../support/thrown';

const { errno } = os.constants;

describeEachMode('EpollInstance errors', (dispatch) => {
  const pool = new FdPool();
  let ep: EpollInstance;
  beforeEach(() => {
    ep = new EpollInstance({ dispatch });
  });
  afterEach(() => {
    ep.close();
    pool.closeAll();
  });

  test.each([
    ['a string', '3', 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['a bigint', 3n, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['undefined', undefined, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['a negative number', -1, 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['a fraction', 1.5, 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['2^31', 2 ** 31, 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['NaN', NaN, 'RangeError', 'ERR_OUT_OF_RANGE'],
  ])('an fd that is %s is refused by add, modify, remove and has', (_what, fd, name, code) => {
    const handler = (): void => undefined;
    for (const call of [
      () => ep.add(fd as number, EPOLLIN, handler),
      () => ep.modify(fd as number, EPOLLIN),
      () => ep.remove(fd as number),
      () => ep.has(fd as number),
    ]) {
      expect(thrown(call)).toEqual({ name, code });
    }
    expect(ep.size).toBe(0);
  });

  test.each([
    ['unknown bits', 1 << 20, 'RangeError', 'ERR_INVALID_ARG_VALUE'],
    ['above 2^32-1', 2 ** 32, 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['below -2^31', -(2 ** 31) - 1, 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['a string', 'EPOLLIN', 'TypeError', 'ERR_INVALID_ARG_TYPE'],
  ])('an event mask with %s is refused', (_what, events, name, code) => {
    const efd = pool.eventFd();
    expect(thrown(() => ep.add(efd.fd, events as number, () => undefined))).toEqual({ name, code });
    expect(ep.has(efd.fd)).toBe(false);
    ep.add(efd.fd, EPOLLIN, () => undefined);
    expect(thrown(() => ep.modify(efd.fd, events as number))).toEqual({ name, code });
    expect(thrown(() => eventNames(events as number))).toEqual({ name, code });
  });

  test('a handler that is not a function is refused, by add and by modify', () => {
    const efd = pool.eventFd();
    expect(thrown(() => ep.add(efd.fd, EPOLLIN, 'nope' as never))).toEqual({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(ep.has(efd.fd)).toBe(false);
    ep.add(efd.fd, EPOLLIN, () => undefined);
    expect(thrown(() => ep.modify(efd.fd, EPOLLOUT, null as never))).toEqual({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });

  function expectSystemError(fn: () => unknown, code: string, fd: number): void {
    let caught: (Error & Record<string, unknown>) | undefined;
    try {
      fn();
    } catch (error) {
      caught = error as Error & Record<string, unknown>;
    }
    expect(caught).toBeDefined();
    expect(caught).toMatchObject({ code, errno: -errno[code as keyof typeof errno], syscall: 'epoll_ctl', fd });
    expect(caught!.message).toMatch(new RegExp(`^${code}: .+, epoll_ctl \\(fd ${fd}\\)`));
  }

  test('EEXIST: the same fd added twice', () => {
    const efd = pool.eventFd();
    ep.add(efd.fd, EPOLLIN, () => undefined);
    expectSystemError(() => ep.add(efd.fd, EPOLLIN, () => undefined), 'EEXIST', efd.fd);
    expect(ep.size).toBe(1);
  });

  test('ENOENT: modify or remove of an fd that was never registered', () => {
    const efd = pool.eventFd();
    expectSystemError(() => ep.modify(efd.fd, EPOLLIN), 'ENOENT', efd.fd);
    expectSystemError(() => ep.remove(efd.fd), 'ENOENT', efd.fd);
  });

  test('EBADF: an fd that is not open', () => {
    const [r] = pool.pipe();
    pool.close(r);
    expectSystemError(() => ep.add(r, EPOLLIN, () => undefined), 'EBADF', r);
    expect(ep.has(r)).toBe(false);
  });

  test('EPERM: a regular file, with a message that says why', () => {
    const file = fs.openSync(__filename, 'r');
    try {
      expectSystemError(() => ep.add(file, EPOLLIN, () => undefined), 'EPERM', file);
      expect(() => ep.add(file, EPOLLIN, () => undefined)).toThrow(/regular files/);
      expect(ep.size).toBe(0);
    } finally {
      fs.closeSync(file);
    }
  });

  test('EINVAL: an instance added to itself', () => {
    expectSystemError(() => ep.add(ep.fd, EPOLLIN, () => undefined), 'EINVAL', ep.fd);
    expect(ep.size).toBe(0);
  });

  test('ELOOP: instances nested in a cycle', () => {
    const other = new EpollInstance({ dispatch });
    try {
      ep.add(other.fd, EPOLLIN, () => undefined);
      expectSystemError(() => other.add(ep.fd, EPOLLIN, () => undefined), 'ELOOP', ep.fd);
      expect(other.size).toBe(0);
    } finally {
      other.close();
    }
  });

  test('ERR_EPOLL_CLOSED: any use after close() but close() itself', () => {
    const efd = pool.eventFd();
    ep.close();
    const handler = (): void => undefined;
    for (const call of [
      () => ep.add(efd.fd, EPOLLIN, handler),
      () => ep.modify(efd.fd, EPOLLIN),
      () => ep.remove(efd.fd),
      () => ep.has(efd.fd),
      () => ep.ref(),
      () => ep.unref(),
    ]) {
      expect(thrown(call)).toEqual({ name: 'Error', code: 'ERR_EPOLL_CLOSED' });
    }
    expect(() => ep.close()).not.toThrow();
  });
});

describe('EpollInstance options', () => {
  test.each([
    [{ maxEvents: 0 }, 'RangeError', 'ERR_OUT_OF_RANGE'],
    [{ maxEvents: 65537 }, 'RangeError', 'ERR_OUT_OF_RANGE'],
    [{ maxEvents: 1.5 }, 'RangeError', 'ERR_OUT_OF_RANGE'],
    [{ maxEvents: '8' }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    [{ dispatch: 'poll' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    [{ dispatch: 1 }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    [null, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['loop', 'TypeError', 'ERR_INVALID_ARG_TYPE'],
  ])('%j is refused', (options, name, code) => {
    expect(thrown(() => new EpollInstance(options as never))).toEqual({ name, code });
  });

  test('defaults: 1024 events per batch, thread dispatch', () => {
    const ep = new EpollInstance();
    expect(ep.maxEvents).toBe(1024);
    expect(ep.dispatch).toBe('thread');
    ep.close();
    const big = new EpollInstance({ maxEvents: 65536, dispatch: 'loop' });
    expect(big.maxEvents).toBe(65536);
    big.close();
  });

  test('the error message names the argument and the rule, as Node does', () => {
    expect(() => new EpollInstance({ maxEvents: 0 })).toThrow(
      'The value of "options.maxEvents" is out of range. It must be an integer >= 1 && <= 65536. Received 0',
    );
    expect(() => new EventFd(-1)).toThrow(/"initialValue"/);
    let stack = '';
    try {
      io.close(-1);
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    expect(stack).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: The value of "fd"/);
  });
});
