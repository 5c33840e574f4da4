// Leak checks, each in a fresh process so that its fds, threads and memory are the test's alone:
// instances created and closed by the 100,000, events dispatched by the 10 million, and
// unreachable instances left to the garbage collector.
import { runScript } from '../support/child';
import { MEASURE, scaled, timeLimit } from './scale';

const INSTANCES = scaled(100_000);
const EVENTS = scaled(10_000_000);
// RSS growth beyond the growth of V8's own heap, which sizes itself up over the first few hundred
// thousand instances and then stays put. A native leak of 500 bytes per instance, or of 2 bytes
// per event, would exceed these; the noise measured here is under 16 MB.
const RSS_BOUND_INSTANCES_MB = 48;
const RSS_BOUND_EVENTS_MB = 16;

interface Counts {
  fds: number;
  threads: number;
  rssMB: number;
  heapMB: number;
}

function parse(stdout: string): Record<string, Counts> & { stats?: Record<string, number> } {
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
}

test(`${INSTANCES} instances created and closed: fds and threads return to baseline, RSS grows < ${RSS_BOUND_INSTANCES_MB} MB beyond the JS heap`, async () => {
  const rounds = 5;
  const result = await runScript(
    `${MEASURE}
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ready = new EventFd(1);
    // Both modes, with and without registrations, ref'd and unref'd, several buffer sizes; every
    // 100th one also dispatches an event before it is closed.
    const round = async (count) => {
      for (let i = 0; i < count; i++) {
        const ep = new EpollInstance({ dispatch: i % 2 ? 'thread' : 'loop', maxEvents: 1 + (i % 128) });
        if (i % 3 === 0) ep.add(ready.fd, EPOLLIN, () => undefined);
        if (i % 5 === 0) ep.unref();
        if (i % 100 === 0) {
          ep.ref(); // an unref'd instance alone would let the process exit while we wait
          await new Promise((resolve) => ep.has(ready.fd) ? ep.modify(ready.fd, EPOLLIN, resolve) : ep.add(ready.fd, EPOLLIN, resolve));
        }
        ep.close();
      }
      await settle();
    };
    (async () => {
      const baseline = counts();
      await round(${INSTANCES / rounds});
      const first = counts();
      for (let r = 1; r < ${rounds}; r++) await round(${INSTANCES / rounds});
      console.log(JSON.stringify({ baseline, first, last: counts() }));
    })();`,
    { args: ['--expose-gc'], timeoutMs: timeLimit(15_000) },
  );
  expect(result.stderr).toBe('');
  const { baseline, first, last } = parse(result.stdout);
  expect({ fds: last.fds, threads: last.threads }).toEqual({ fds: baseline.fds, threads: baseline.threads });
  expect(last.rssMB - first.rssMB - (last.heapMB - first.heapMB)).toBeLessThan(RSS_BOUND_INSTANCES_MB);
});

test.each(['thread', 'loop'])(
  `${EVENTS} events dispatched (dispatch: %s): fds and threads return to baseline, RSS grows < ${RSS_BOUND_EVENTS_MB} MB beyond the JS heap`,
  async (dispatch) => {
    const result = await runScript(
      `${MEASURE}
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    // 1,000 always-ready level-triggered fds: each batch carries up to 1,000 events.
    const fds = Array.from({ length: 1000 }, () => new EventFd(1));
    const run = (total) => new Promise((resolve) => {
      const ep = new EpollInstance({ dispatch: '${dispatch}', maxEvents: 1024 });
      let events = 0;
      const handler = () => {
        if (++events === total) {
          ep.close();
          resolve({ events });
        }
      };
      for (const efd of fds) ep.add(efd.fd, EPOLLIN, handler);
    });
    (async () => {
      const baseline = counts();
      await run(1_000_000);
      await settle();
      const warm = counts();
      const stats = await run(${EVENTS});
      await settle();
      const last = counts();
      for (const efd of fds) efd.close();
      const closed = counts();
      console.log(JSON.stringify({ baseline, warm, last, closed, stats }));
    })();`,
      { args: ['--expose-gc'], timeoutMs: timeLimit(10_000) },
    );
    expect(result.stderr).toBe('');
    const { baseline, warm, last, closed, stats } = parse(result.stdout);
    expect(stats).toMatchObject({ events: EVENTS });
    expect({ fds: last.fds, threads: last.threads }).toEqual({ fds: baseline.fds, threads: baseline.threads });
    expect(closed.fds).toBe(baseline.fds - 1000);
    expect(last.rssMB - warm.rssMB - (last.heapMB - warm.heapMB)).toBeLessThan(RSS_BOUND_EVENTS_MB);
  },
);

test("unreachable unref'd instances, dispatching or idle, in both modes, are collected: threads, fds and memory come back", async () => {
  const perRoundCount = scaled(1000);
  const rounds = 5;
  const result = await runScript(
    `${MEASURE}
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ready = new EventFd(1);
    let created = 0;
    let collected = 0;
    let dispatched = 0;
    const registry = new FinalizationRegistry(() => collected++);
    // Made and dropped inside a function, so nothing but the instances themselves refers to them.
    const spawn = (count) => {
      for (let i = 0; i < count; i++) {
        const ep = new EpollInstance({ dispatch: i % 2 ? 'thread' : 'loop', maxEvents: 4 });
        // Most are dispatching an always-ready fd when they become unreachable; some are idle.
        if (i % 4 !== 0) ep.add(ready.fd, EPOLLIN, () => dispatched++);
        ep.unref();
        registry.register(ep, i);
        created++;
      }
    };
    (async () => {
      const baseline = counts();
      const perRound = [];
      for (let r = 0; r < ${rounds}; r++) {
        spawn(${perRoundCount});
        const during = counts();
        await turn();
        await settle();
        await settle();
        perRound.push({ during, after: counts() });
      }
      await settle();
      console.log(JSON.stringify({ baseline, perRound, created, collected, dispatched: dispatched > 0 }));
    })();`,
    { args: ['--expose-gc'], timeoutMs: timeLimit(20_000) },
  );
  expect(result.stderr).toBe('');
  const { baseline, perRound, created, collected, dispatched } = JSON.parse(result.stdout) as {
    baseline: Counts;
    perRound: { during: Counts; after: Counts }[];
    created: number;
    collected: number;
    dispatched: boolean;
  };
  expect(dispatched).toBe(true);
  expect(collected).toBe(created);
  for (const { during, after } of perRound) {
    // Each round really held fds and threads (the wait threads), and gave them all back.
    expect(during.fds - baseline.fds).toBeGreaterThanOrEqual(perRoundCount);
    expect({ fds: after.fds, threads: after.threads }).toEqual({ fds: baseline.fds, threads: baseline.threads });
  }
  const [first, last] = [perRound[0].after, perRound[rounds - 1].after];
  expect(last.rssMB - first.rssMB - (last.heapMB - first.heapMB)).toBeLessThan(RSS_BOUND_INSTANCES_MB);
});

test("an unreachable instance that is ref'd and registered stays alive, like an active handle, until closed", async () => {
  const result = await runScript(
    `${MEASURE}
    const { EpollInstance, EventFd, EPOLLIN, EPOLLET } = LINUX_EPOLL;
    const efd = new EventFd();
    let events = 0;
    (function () {
      const ep = new EpollInstance({ dispatch: 'thread' });
      ep.add(efd.fd, EPOLLIN | EPOLLET, () => {
        efd.read();
        if (++events === 3) ep.close();
      });
    })();
    (async () => {
      for (let i = 0; i < 3; i++) {
        await settle();
        efd.write(1);
        await turn();
      }
      await settle();
      console.log(events);
    })();`,
    { args: ['--expose-gc'], timeoutMs: timeLimit(2_000) },
  );
  expect(result).toMatchObject({ code: 0, stderr: '', stdout: '3\n' });
});

// PidFd and Inotify (issue 15): instances made by the ten thousand, half closed and half dropped
// for the collector, each one used first (a watch added and an event read; a signal 0 sent). The
// kernel allows a user only 128 inotify instances (fs.inotify.max_user_instances), so the dropped
// ones are collected every 20: one that outlived its collection would soon fail with EMFILE.
const PROCFS_FDS = scaled(10_000);
test(`${PROCFS_FDS} PidFds and Inotify instances, closed or dropped: fds return to baseline, RSS grows < ${RSS_BOUND_INSTANCES_MB} MB beyond the JS heap`, async () => {
  const rounds = 4;
  const result = await runScript(
    `${MEASURE}
    const { PidFd, Inotify, IN_CREATE } = LINUX_EPOLL;
    const dir = fs.mkdtempSync(require('path').join(require('os').tmpdir(), 'procfs-leaks-'));
    let events = 0;
    let made = 0;
    const round = async (count) => {
      for (let i = 0; i < count; i++) {
        const pidfd = PidFd.open(process.pid);
        pidfd.sendSignal(0);
        const inotify = new Inotify();
        inotify.watch(dir, IN_CREATE);
        if (i % 50 === 0) {
          fs.writeFileSync(dir + '/f' + made++, '');
          events += inotify.read().length;
        }
        if (i % 2) { pidfd.close(); inotify.close(); }
        if (i % 40 === 39) { globalThis.gc(); await turn(); }
      }
      await settle();
    };
    (async () => {
      const baseline = counts();
      await round(${PROCFS_FDS / 2 / rounds});
      const first = counts();
      for (let r = 1; r < ${rounds}; r++) await round(${PROCFS_FDS / 2 / rounds});
      fs.rmSync(dir, { recursive: true });
      console.log(JSON.stringify({ baseline, first, last: counts(), stats: { events } }));
    })();`,
    { args: ['--expose-gc'], timeoutMs: timeLimit(15_000) },
  );
  expect(result.stderr).toBe('');
  const { baseline, first, last, stats } = parse(result.stdout);
  expect(stats).toEqual({ events: PROCFS_FDS / 2 / 50 });
  expect(last.fds).toBe(baseline.fds);
  expect(last.rssMB - first.rssMB - (last.heapMB - first.heapMB)).toBeLessThan(RSS_BOUND_INSTANCES_MB);
});
