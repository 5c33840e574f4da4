// EventFd and TimerFd own their fd: it is closed once, by close(), or else when the object is
// collected or its worker ends (issue 11, item 9), and nothing assigned to the object redirects
// it (item 7). Collection and worker teardown are watched from outside, in child processes.
import * as fs from 'node:fs';

import { EPOLLIN, EpollInstance, EventFd, TimerFd, io } from '../../lib';
import { PACKAGE, runScript } from '../support/child';
import { bound } from '../support/slowdown';
import { errorFrom } from '../support/thrown';
import { waitFor } from '../support/wait';

// Defines counts(): the eventfds and timerfds the process holds; and settled(before, then): calls
// then(counts) once they are back to before, or after 5 s, whichever comes first.
const COUNTS = `
const fs = require('fs');
const counts = () => {
  const found = { eventfd: 0, timerfd: 0 };
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let link = '';
    try { link = fs.readlinkSync('/proc/self/fd/' + fd); } catch { continue; }
    const kind = /^anon_inode:\\[(eventfd|timerfd)\\]$/.exec(link);
    if (kind) found[kind[1]]++;
  }
  return found;
};
const settled = (before, then, prepare = () => {}) => {
  const deadline = Date.now() + 5000;
  const poll = () => {
    prepare();
    const now = counts();
    if ((now.eventfd === before.eventfd && now.timerfd === before.timerfd) || Date.now() > deadline) then(now);
    else setTimeout(poll, 5);
  };
  poll();
};
`;

describe('fd ownership', () => {
  test('an unreachable EventFd or TimerFd leaked its fd: it is closed when collected', async () => {
    const result = await runScript(
      `${COUNTS}
      const { EventFd, TimerFd } = LINUX_EPOLL;
      const before = counts();
      let closedByUser = new EventFd();
      const number = closedByUser.fd;
      closedByUser.close();
      // The kernel hands the number out again: collecting closedByUser must not close it.
      const reused = fs.openSync('/dev/null', 'r');
      let userClosedCollected = false;
      const registry = new FinalizationRegistry(() => (userClosedCollected = true));
      registry.register(closedByUser, 0);
      closedByUser = null;
      (function () {
        for (let i = 0; i < 20; i++) {
          new EventFd(1);
          new TimerFd().start(1000, 1000);
        }
      })();
      const during = counts();
      settled(before, (after) => {
        const waitCollected = () => {
          if (!userClosedCollected) { gc(); return setTimeout(waitCollected, 5); }
          // Past the finalizers of that collection too, which run on a later turn.
          setTimeout(() => console.log(JSON.stringify({
            grew: [during.eventfd - before.eventfd, during.timerfd - before.timerfd],
            left: [after.eventfd - before.eventfd, after.timerfd - before.timerfd],
            reused: reused === number && fs.readlinkSync('/proc/self/fd/' + reused),
          })), 20);
        };
        waitCollected();
      }, () => gc());`,
      { args: ['--expose-gc'] },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ grew: [20, 20], left: [0, 0], reused: '/dev/null' });
  });

  test(
    'the EventFd and TimerFd of a terminated worker leaked their fds: they are closed at teardown',
    async () => {
      const result = await runScript(
        `${COUNTS}
      const { Worker } = require('worker_threads');
      const source = \`
        const { EventFd, TimerFd } = require(${JSON.stringify(PACKAGE)});
        const { parentPort } = require('worker_threads');
        globalThis.held = [new EventFd(1), new TimerFd().start(1000, 1000)];
        parentPort.postMessage('open');
      \`;
      const before = counts();
      let exited = 0;
      for (let i = 0; i < 60; i++) {
        const worker = new Worker(source, { eval: true });
        worker.once('message', () => worker.terminate());
        worker.once('exit', () => {
          if (++exited === 60) settled(before, (after) => console.log(JSON.stringify([after.eventfd - before.eventfd, after.timerfd - before.timerfd])));
        });
      }`,
        { timeoutMs: 30000 },
      );
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual([0, 0]);
      // Past the child's own 30 s bound: 60 workers take 15 to 18 s on Node 18 here, alone.
    },
    bound(40000),
  );

  test('close() reports the kernel error of a number closed behind its back, and closes nothing twice', () => {
    const efd = new EventFd();
    const fd = efd.fd;
    io.close(fd);
    expect(errorFrom(() => efd.close())).toMatchObject({ code: 'EBADF', syscall: 'close', fd });
    expect(efd.closed).toBe(true);
    const file = fs.openSync(__filename, 'r');
    try {
      expect(file).toBe(fd);
      efd.close();
      expect(fs.fstatSync(file).isFile()).toBe(true);
    } finally {
      fs.closeSync(file);
    }
  });

  test.each([
    ['EventFd', () => new EventFd()],
    ['TimerFd', () => new TimerFd()],
  ])('assigning to a %s changes neither its fd nor where it reads and writes', async (_, make) => {
    const subject = make();
    const decoy = new EventFd();
    const { fd } = subject;
    const shadow = subject as unknown as Record<string, unknown>;
    expect(() => (shadow.fd = decoy.fd)).toThrow(TypeError);
    expect(() => (shadow.closed = true)).toThrow(TypeError);
    for (const name of ['openFd', 'readCounter', '_fd', 'fd_']) shadow[name] = () => decoy.fd;
    expect(subject.fd).toBe(fd);
    expect(subject.closed).toBe(false);
    const epoll = new EpollInstance();
    try {
      let woken = 0;
      epoll.add(fd, EPOLLIN, () => woken++);
      if (subject instanceof EventFd) {
        expect(subject.write(3)).toBe(true);
      } else {
        (subject as TimerFd).start(0.001);
      }
      await waitFor(() => woken > 0, "the subject's own fd to become ready");
      expect(subject.read()).toBe(subject instanceof EventFd ? 3n : 1n);
      expect(decoy.read()).toBeNull();
    } finally {
      epoll.close();
      subject.close();
    }
    expect(subject.fd).toBe(-1);
    expect(decoy.closed).toBe(false);
    decoy.close();
  });
});
