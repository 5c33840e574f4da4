// System errors whose errno is ambiguous carry a `hint` (lib/core/hints.ts), met here for real:
// each hint below comes from the kernel's own answer, in both dispatch modes where epoll is involved.
// The inotify limits (ENOSPC, EMFILE) are met in test/fds/inotify.test.ts, in a user namespace; the
// pidfd ones (ESRCH, a thread id, ECHILD) in test/fds/pid-fd.test.ts.
import * as fs from 'node:fs';

import { EPOLLIN, EpollInstance, PidFd, io } from '../../lib';
import { describeEachMode } from '../support/modes';
import { errorFrom } from '../support/thrown';

describeEachMode('hints', (dispatch) => {
  test('EPERM from epoll_ctl says the fd is a regular file or directory, in the property and the message', () => {
    const epoll = new EpollInstance({ dispatch });
    for (const target of [__filename, __dirname]) {
      const fd = fs.openSync(target, 'r');
      try {
        const error = errorFrom(() => epoll.add(fd, EPOLLIN, () => undefined));
        expect(error).toMatchObject({ code: 'EPERM', syscall: 'epoll_ctl', fd });
        expect(error.hint).toBe('the fd does not support epoll (regular files and directories are always ready)');
        expect(error.message.endsWith(error.hint!)).toBe(true);
        expect(epoll.has(fd)).toBe(false);
      } finally {
        fs.closeSync(fd);
      }
    }
    epoll.close();
  });

  test('ELOOP from epoll_ctl says why: two instances that would watch each other', () => {
    const outer = new EpollInstance({ dispatch });
    const inner = new EpollInstance({ dispatch });
    outer.add(inner.fd, EPOLLIN, () => undefined);
    const error = errorFrom(() => inner.add(outer.fd, EPOLLIN, () => undefined));
    expect(error).toMatchObject({ code: 'ELOOP', syscall: 'epoll_ctl' });
    expect(error.hint).toBe('adding it would nest epoll instances in a cycle or too deep');
    outer.close();
    inner.close();
  });

  test('EINVAL from epoll_ctl says why: an instance added to itself', () => {
    const epoll = new EpollInstance({ dispatch });
    const error = errorFrom(() => epoll.add(epoll.fd, EPOLLIN, () => undefined));
    expect(error).toMatchObject({ code: 'EINVAL', syscall: 'epoll_ctl' });
    expect(error.hint).toMatch(/^the fd is this instance itself, .* nest epoll instances too deep$/);
    expect(epoll.size).toBe(0);
    epoll.close();
  });
});

describe('hints', () => {
  test('ESRCH from pidfd_open says the process is gone', () => {
    const error = errorFrom(() => PidFd.open(0x7fffffff));
    expect(error).toMatchObject({ code: 'ESRCH', syscall: 'pidfd_open' });
    expect(error.hint).toBe('no such process: it has exited (and was reaped) or never existed');
  });

  test('an errno that is plain for its syscall has no hint property at all', () => {
    const error = errorFrom(() => io.close(0x7ffffff0));
    expect(error).toMatchObject({ code: 'EBADF', syscall: 'close' });
    expect('hint' in error).toBe(false);
  });
});
