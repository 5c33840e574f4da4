import * as fs from 'node:fs';

import { EPOLLIN, EpollInstance, EventFd } from '../../lib';
import { waitFor } from '../support/wait';
import { codeOf } from '../support/thrown';

describe('EventFd', () => {
  test('write adds to the counter; read takes it all and resets it', () => {
    const efd = new EventFd(3);
    expect(efd.write(2)).toBe(true);
    expect(efd.write(5n)).toBe(true);
    expect(efd.read()).toBe(10n);
    expect(efd.read()).toBeNull();
    efd.close();
  });

  test('semaphore mode reads 1 at a time', () => {
    const efd = new EventFd(2, { semaphore: true });
    expect(efd.read()).toBe(1n);
    expect(efd.read()).toBe(1n);
    expect(efd.read()).toBeNull();
    efd.close();
  });

  test('the counter holds up to 2^64-2; a write past that would block and returns false', () => {
    const efd = new EventFd();
    expect(efd.write(0xfffffffffffffffen)).toBe(true);
    expect(efd.write(1)).toBe(false);
    expect(efd.read()).toBe(0xfffffffffffffffen);
    efd.close();
  });

  test('is non-blocking and close-on-exec, and close() is idempotent', () => {
    const efd = new EventFd();
    const fd = efd.fd;
    expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toBe('anon_inode:[eventfd]');
    const fdinfo = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    const flags = parseInt(/flags:\s+(\d+)/.exec(fdinfo)![1], 8);
    expect(flags & 0o4000).toBe(0o4000); // O_NONBLOCK
    expect(flags & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    efd.close();
    efd.close();
    expect(efd.closed).toBe(true);
    expect(efd.fd).toBe(-1);
    expect(
      fs.existsSync(`/proc/self/fd/${fd}`) && fs.readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventfd]',
    ).toBe(false);
  });

  test('wakes an EpollInstance', async () => {
    const ep = new EpollInstance();
    const efd = new EventFd();
    let value: bigint | null = null;
    ep.add(efd.fd, EPOLLIN, () => (value = efd.read()));
    efd.write(7);
    await waitFor(() => value !== null, 'the eventfd event');
    expect(value).toBe(7n);
    ep.close();
    efd.close();
  });

  test.each([
    ['initial value -1', () => new EventFd(-1), 'ERR_OUT_OF_RANGE'],
    ['initial value 2^32', () => new EventFd(2 ** 32), 'ERR_OUT_OF_RANGE'],
    ['initial value as a string', () => new EventFd('1' as never), 'ERR_INVALID_ARG_TYPE'],
    ['semaphore as a string', () => new EventFd(0, { semaphore: 'yes' as never }), 'ERR_INVALID_ARG_TYPE'],
    ['options null', () => new EventFd(0, null as never), 'ERR_INVALID_ARG_TYPE'],
  ])('refuses %s', (_what, make, code) => {
    expect(codeOf(make)).toBe(code);
  });

  test.each([
    [0, 'ERR_OUT_OF_RANGE'],
    [0n, 'ERR_OUT_OF_RANGE'],
    [-1, 'ERR_OUT_OF_RANGE'],
    [1.5, 'ERR_OUT_OF_RANGE'],
    [2 ** 53, 'ERR_OUT_OF_RANGE'],
    [0xffffffffffffffffn, 'ERR_OUT_OF_RANGE'],
    ['1', 'ERR_INVALID_ARG_TYPE'],
    [null, 'ERR_INVALID_ARG_TYPE'],
  ])('write(%p) is refused and changes nothing', (value, code) => {
    const efd = new EventFd(1);
    expect(codeOf(() => efd.write(value as never))).toBe(code);
    expect(efd.read()).toBe(1n);
    efd.close();
  });

  test('use after close is ERR_EPOLL_CLOSED', () => {
    const efd = new EventFd();
    efd.close();
    expect(codeOf(() => efd.read())).toBe('ERR_EPOLL_CLOSED');
    expect(codeOf(() => efd.write(1))).toBe('ERR_EPOLL_CLOSED');
    expect(() => efd[Symbol.dispose]()).not.toThrow();
  });
});
