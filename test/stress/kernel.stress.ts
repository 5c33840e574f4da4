// The kernel's edge cases that only show with real kernel objects: a registration kept alive by a
// dup() of its fd, the per-user watch limit (ENOSPC), the open-file limit (EMFILE), and nesting
// deeper than the kernel allows.
// Self-addition and cycles (EINVAL, ELOOP) are in test/core/errors.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

import { EPOLLIN, EpollInstance, EventFd } from '../../lib';
import { afterNextBatch } from '../support/batches';
import { PACKAGE, runScript } from '../support/child';
import { MODES } from '../support/modes';
import { nestingRefusals } from '../support/nesting';
import { waitFor } from '../support/wait';

describe.each(MODES)('a registration kept alive by a dup() (dispatch: %s)', (dispatch) => {
  test('the kernel goes on reporting the old file, but no handler hears it, and the number re-added for a new file gets only its own events', async () => {
    const ep = new EpollInstance({ dispatch });
    const probe = new EpollInstance({ dispatch });
    // Level-triggered and always ready: the kernel reports it at every wait for as long as it lives.
    const old = new EventFd(1);
    const fd = old.fd;
    let oldCalls = 0;
    ep.add(fd, EPOLLIN, () => oldCalls++);
    await waitFor(() => oldCalls > 0, 'the first event');
    // A child that inherits the fd holds a dup() of the same open file description.
    const holder = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    await new Promise((resolve) => holder.once('spawn', resolve));
    let fresh: EventFd | undefined;
    try {
      old.close();
      // The number is closed: remove() cannot reach the kernel's registration, and forgets it.
      ep.remove(fd);
      const oldCallsAtRemove = oldCalls;
      fresh = new EventFd();
      expect(fresh.fd).toBe(fd);
      // The kernel keys registrations by (file, number): the new file at the same number is new.
      const freshEvents: number[] = [];
      ep.add(fd, EPOLLIN, (events) => freshEvents.push(events));

      let kernelStillReports = false;
      probe.add(ep.fd, EPOLLIN, () => (kernelStillReports = true));
      await waitFor(() => kernelStillReports, 'the epoll fd to stay readable with the old file');
      // Many batches go by, each with the old file's event: none reaches a handler, and timers run.
      let timerRan = false;
      setTimeout(() => (timerRan = true), 1);
      for (let i = 0; i < 20; i++) await afterNextBatch(ep);
      await waitFor(() => timerRan, 'a timer while the stale registration keeps waking the instance');
      expect(oldCalls).toBe(oldCallsAtRemove);
      expect(freshEvents).toEqual([]);

      fresh.write(1);
      await waitFor(() => freshEvents.length > 0, "the new file's own event");
      expect(freshEvents[0]).toBe(EPOLLIN);
      expect(oldCalls).toBe(oldCallsAtRemove);
    } finally {
      holder.kill();
      ep.close();
      probe.close();
      fresh?.close();
    }
  });
});

describe('nesting depth', () => {
  test('the kernel refuses nesting deeper than 5 levels with its code for it (ELOOP; EINVAL on 5.10), and the refused add changes nothing', () => {
    const chain = Array.from({ length: 7 }, (_, i) => new EpollInstance({ dispatch: MODES[i % 2] }));
    try {
      // chain[i + 1] watches chain[i]: each add makes the chain one level deeper.
      let depth = 1;
      let refused: (Error & Record<string, unknown>) | undefined;
      for (let i = 0; i + 1 < chain.length; i++) {
        try {
          chain[i + 1].add(chain[i].fd, EPOLLIN, () => undefined);
          depth++;
        } catch (error) {
          refused = error as Error & Record<string, unknown>;
          expect(chain[i + 1].size).toBe(0);
          break;
        }
      }
      expect(refused).toMatchObject({ syscall: 'epoll_ctl' });
      expect(nestingRefusals()).toContain(refused!.code);
      expect(refused!.message).toMatch(/too deep/);
      // EP_MAX_NESTS is 4 nested levels below the top one.
      expect(depth).toBe(5);
    } finally {
      for (const ep of chain) ep.close();
    }
  });
});

describe.each(MODES)('the open-file limit (dispatch: %s)', (dispatch) => {
  test('an instance that cannot get its fds fails with EMFILE at each step and leaves nothing open', async () => {
    const result = await runScript(
      `
      const { EpollInstance, EventFd } = LINUX_EPOLL;
      const hog = [];
      try { for (;;) hog.push(new EventFd()); } catch (error) { if (error.code !== 'EMFILE') throw error; }
      const free = () => {
        const probes = [];
        try { for (;;) probes.push(new EventFd()); } catch {}
        for (const probe of probes) probe.close();
        return probes.length;
      };
      // With 0 free fds epoll_create1 fails; with 1, the instance's own eventfd does: the wait
      // thread's wake-up, or the loop mode's nesting anchor.
      const outcomes = [];
      for (let freed = 0; freed <= 2; freed++) {
        if (freed > 0) hog.pop().close();
        let outcome = 'created';
        try { new EpollInstance({ dispatch: '${dispatch}' }).close(); } catch (error) { outcome = error.code + ' ' + error.syscall; }
        outcomes.push({ freed, outcome, freeAfter: free() });
      }
      console.log(JSON.stringify(outcomes));`,
      { timeoutMs: 30_000 },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      { freed: 0, outcome: 'EMFILE epoll_create1', freeAfter: 0 },
      { freed: 1, outcome: 'EMFILE eventfd', freeAfter: 1 },
      { freed: 2, outcome: 'created', freeAfter: 2 },
    ]);
  });
});

describe('fs.epoll.max_user_watches', () => {
  const SETTING = '/proc/sys/fs/epoll/max_user_watches';
  // Lowered for a second or two. The limit applies to every user, but each user has a count of
  // its own: the child runs as nobody, so only its own watches count, and the lowered limit stays
  // far above what root's other processes use here.
  const LIMIT = 100_000;
  const NOBODY = 65534;

  test('ENOSPC once the per-user limit is reached: a system error that says so, and nothing changes', () => {
    const original = fs.readFileSync(SETTING, 'utf8').trim();
    // This must be writable (root, and /proc/sys not read-only) for the test to mean anything.
    fs.accessSync(SETTING, fs.constants.W_OK);
    // Restores the setting even if this process is killed before its finally block runs.
    const watchdog = spawn('sh', ['-c', `sleep 60; echo ${original} > ${SETTING}`], {
      detached: true,
      stdio: 'ignore',
    });
    watchdog.unref();
    let child: ReturnType<typeof spawnSync>;
    try {
      fs.writeFileSync(SETTING, String(LIMIT));
      child = spawnSync(
        process.execPath,
        [
          '-e',
          `
        const { EpollInstance, EventFd, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
        const instances = Array.from({ length: 12 }, () => new EpollInstance({ dispatch: 'loop' }).unref());
        const efds = Array.from({ length: 10000 }, () => new EventFd());
        let watches = 0;
        let refused = null;
        outer: for (const ep of instances) {
          for (const efd of efds) {
            const before = ep.size;
            try {
              ep.add(efd.fd, EPOLLIN, () => undefined);
              watches++;
            } catch (error) {
              refused = { code: error.code, errno: error.errno, syscall: error.syscall, message: error.message, has: ep.has(efd.fd), sizeUnchanged: ep.size === before };
              // One watch freed makes room for exactly this one.
              ep.remove(efds[0].fd);
              ep.add(efd.fd, EPOLLIN, () => undefined);
              refused.addedAfterRemove = ep.has(efd.fd);
              break outer;
            }
          }
        }
        console.log(JSON.stringify({ watches, refused }));
        for (const ep of instances) ep.close();
      `,
        ],
        { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 60_000 },
      );
    } finally {
      fs.writeFileSync(SETTING, original);
      process.kill(-watchdog.pid!, 'SIGKILL');
    }
    expect(fs.readFileSync(SETTING, 'utf8').trim()).toBe(original);
    expect(child.stderr).toBe('');
    const { watches, refused } = JSON.parse(String(child.stdout));
    // nobody may have had a few watches already; all the rest were ours.
    expect(watches).toBeGreaterThan(LIMIT - 1000);
    expect(watches).toBeLessThanOrEqual(LIMIT);
    expect(refused).toMatchObject({
      code: 'ENOSPC',
      errno: -28,
      syscall: 'epoll_ctl',
      has: false,
      sizeUnchanged: true,
      addedAfterRemove: true,
    });
    expect(refused.message).toMatch(/max_user_watches/);
  });
});
