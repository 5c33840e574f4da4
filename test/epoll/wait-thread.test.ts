// What only dispatch: 'thread' has: a native thread per instance, seen through /proc.
import * as fs from 'node:fs';

import { EPOLLIN, EpollInstance } from '../../lib';
import { FdPool } from '../support/fds';
import { waitFor } from '../support/wait';

const TASKS = '/proc/self/task';

function waitThreads(): string[] {
  return fs.readdirSync(TASKS).filter((tid) => {
    try {
      return fs.readFileSync(`${TASKS}/${tid}/comm`, 'utf8') === 'linux-epoll\n';
    } catch {
      return false; // the thread ended while listing
    }
  });
}

function voluntarySwitches(tid: string): number {
  const status = fs.readFileSync(`${TASKS}/${tid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1]);
}

// The system calls a wait thread blocks in to wait for events (epoll_wait, epoll_pwait and
// epoll_pwait2, by number: libc may use any); while parked it waits in a futex instead.
const EPOLL_WAIT_CALLS: Partial<Record<NodeJS.Architecture, number[]>> = { x64: [232, 281, 441], arm64: [22, 441] };

// Whether the kernel has the thread blocked waiting for events. /proc's syscall file names the call
// by number ("running" when in none); its wchan, the kernel function, reads 0 on Debian's 5.10.
function inEpollWait(tid: string): boolean {
  const call = Number(fs.readFileSync(`${TASKS}/${tid}/syscall`, 'utf8').split(' ')[0]);
  const calls = EPOLL_WAIT_CALLS[process.arch];
  if (calls === undefined) throw new Error(`no epoll_wait numbers for ${process.arch}`);
  return calls.includes(call);
}

// The instance's own thread: the one named linux-epoll that was not there before it.
function startInstance(): { ep: EpollInstance; tid: string } {
  const before = new Set(waitThreads());
  const ep = new EpollInstance({ dispatch: 'thread' });
  const started = waitThreads().filter((tid) => !before.has(tid));
  expect(started).toHaveLength(1);
  return { ep, tid: started[0] };
}

describe("dispatch: 'thread'", () => {
  const pool = new FdPool();
  afterEach(() => pool.closeAll());

  test('each instance has one thread, named linux-epoll, joined by close()', async () => {
    const { ep, tid } = startInstance();
    ep.close();
    // pthread_join returns once the thread has left its function; the kernel lists its task until
    // it has finished exiting, a moment later. A thread close() left running would stay listed.
    await waitFor(() => !waitThreads().includes(tid), 'the joined thread to leave /proc/self/task');
  });

  test('while fds stay ready, the JS thread collects each next batch and the wait thread sleeps', async () => {
    const { ep, tid } = startInstance();
    try {
      const efd = pool.eventFd(1);
      let events = 0;
      ep.add(efd.fd, EPOLLIN, () => events++);
      await waitFor(() => events > 0, 'the first event');
      const switchesBefore = voluntarySwitches(tid);
      await waitFor(() => events >= 20000, '20,000 events', 10000);
      // Handing each batch over from the thread would wake it once per batch: 20,000 times.
      expect(voluntarySwitches(tid) - switchesBefore).toBeLessThan(100);
      expect(inEpollWait(tid)).toBe(false);
    } finally {
      ep.close();
    }
  });

  test('once nothing is ready, the thread waits again and delivers the next event', async () => {
    const { ep, tid } = startInstance();
    try {
      const efd = pool.eventFd(1);
      const seen: bigint[] = [];
      ep.add(efd.fd, EPOLLIN, () => seen.push(efd.read() ?? -1n));
      await waitFor(() => seen.length === 1, 'the first event');
      // Nothing ready: the JS thread lets the wait thread go back to the kernel.
      await waitFor(() => inEpollWait(tid), 'the wait thread in epoll_wait');
      efd.write(7);
      await waitFor(() => seen.length === 2, 'the event after idling');
      expect(seen).toEqual([1n, 7n]);
    } finally {
      ep.close();
    }
  });
});
