// linux-epoll/compat against epoll@4.0.2 itself: one behavioural suite runs on both, so that any
// difference shows up as a failing test. What compat deliberately does differently is pinned below,
// for each implementation, under "differences".
import * as fs from 'node:fs';

import { Epoll } from '../../lib/compat';
import * as constants from '../../lib/epoll/constants';
import { io } from '../../lib';
import { runScript, PACKAGE } from '../support/child';
import { FdPool } from '../support/fds';
import { errorFrom } from '../support/thrown';
import { urgentConnection } from '../support/urgent';
import { waitFor } from '../support/wait';

type EpollClass = typeof Epoll;
type Seen = Array<{ fd: number; events: number }>;

const COMPAT_PATH = require.resolve('../../dist/lib/compat.js');
const EPOLL4_PATH = require.resolve('epoll');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Epoll4 = (require('epoll') as { Epoll: EpollClass }).Epoll;

const IMPLEMENTATIONS: ReadonlyArray<readonly [string, EpollClass, string]> = [
  ['linux-epoll/compat', Epoll, COMPAT_PATH],
  ['epoll@4.0.2', Epoll4, EPOLL4_PATH],
];

const byte = Buffer.from('x');
const sink = Buffer.alloc(64);

describe.each(IMPLEMENTATIONS)('%s', (_name, Impl, modulePath) => {
  const pool = new FdPool();
  const open: Epoll[] = [];
  let seen: Seen;
  // settle()'s fds, which the callbacks under test never see.
  const sentinels = new Set<number>();

  function make(onEvent?: (fd: number, events: number, ep: Epoll) => void): Epoll {
    const ep: Epoll = new Impl((err, fd, events) => {
      expect(err).toBeNull();
      seen.push({ fd, events });
      if (!sentinels.has(fd)) onEvent?.(fd, events, ep);
    });
    open.push(ep);
    return ep;
  }

  const count = (fd: number): number => seen.filter((e) => e.fd === fd).length;

  // Proves that nothing more is pending for the fds under test: a sentinel that is always ready is
  // reported three times, each in a later epoll_wait, and a ready fd would have come with it.
  async function settle(ep: Epoll): Promise<void> {
    const [r, w] = pool.pipe();
    io.write(w, byte);
    const before = count(r);
    sentinels.add(r);
    ep.add(r, Impl.EPOLLIN);
    await waitFor(() => count(r) >= before + 3, 'three sentinel events');
    ep.remove(r);
    sentinels.delete(r);
  }

  // Waits for the nth event on fd, then proves no other came with it.
  async function expectEventCount(ep: Epoll, fd: number, n: number): Promise<void> {
    await waitFor(() => count(fd) >= n, `event ${n}`);
    await settle(ep);
    expect(count(fd)).toBe(n);
  }

  beforeEach(() => {
    seen = [];
  });

  afterEach(() => {
    for (const ep of open.splice(0)) if (!ep.closed) ep.close();
    pool.closeAll();
  });

  test('the static event constants have the kernel values, read-only', () => {
    const expected = {
      EPOLLIN: 0x1,
      EPOLLPRI: 0x2,
      EPOLLOUT: 0x4,
      EPOLLERR: 0x8,
      EPOLLHUP: 0x10,
      EPOLLRDHUP: 0x2000,
      EPOLLONESHOT: 0x40000000,
      EPOLLET: 0x80000000,
    };
    for (const [name, value] of Object.entries(expected)) {
      expect(Impl[name as keyof typeof expected]).toBe(value);
      expect(constants[name as keyof typeof expected]).toBe(value);
      expect(Object.getOwnPropertyDescriptor(Impl, name)).toMatchObject({ writable: false, enumerable: true });
    }
    expect(Object.keys(Impl).sort()).toEqual(Object.keys(expected).sort());
    expect(() => {
      (Impl as unknown as Record<string, number>).EPOLLIN = 5;
    }).toThrow(/read.only/);
  });

  test('new Epoll(callback) needs a function', () => {
    for (const bad of [undefined, 1, 'f', {}, null]) {
      const error = errorFrom(() => new (Impl as unknown as new (cb: unknown) => Epoll)(bad));
      expect(error.name).toBe('Error');
      expect(error.message).toBe('First argument to construtor must be a callback');
    }
  });

  test('add, modify and remove return this and take every event type (verify-events)', () => {
    const [r] = pool.pipe();
    const ep = make();
    const types = [
      Impl.EPOLLIN,
      Impl.EPOLLOUT,
      Impl.EPOLLRDHUP,
      Impl.EPOLLPRI,
      Impl.EPOLLERR,
      Impl.EPOLLHUP,
      Impl.EPOLLET,
      Impl.EPOLLONESHOT,
    ];
    for (const events of types) expect(ep.add(r, events).remove(r)).toBe(ep);
    ep.add(r, Impl.EPOLLONESHOT);
    for (const events of types) expect(ep.modify(r, events)).toBe(ep);
    expect(ep.remove(r)).toBe(ep);
    expect(
      ep
        .add(r, Impl.EPOLLIN | Impl.EPOLLET)
        .modify(r, Impl.EPOLLPRI | Impl.EPOLLONESHOT)
        .remove(r),
    ).toBe(ep);
  });

  test.each([
    ['add', [], 'add(int fd, int events)'],
    ['add', [0], 'add(int fd, int events)'],
    ['add', ['3', 1], 'add(int fd, int events)'],
    ['add', [0.5, 1], 'add(int fd, int events)'],
    ['add', [-0, 1], 'add(int fd, int events)'],
    ['add', [2 ** 31, 1], 'add(int fd, int events)'],
    ['add', [3, '1'], 'add(int fd, int events)'],
    ['modify', [3], 'modify(int fd, int events)'],
    ['modify', [null, 1], 'modify(int fd, int events)'],
    ['remove', [], 'remove(int fd)'],
    ['remove', ['x'], 'remove(int fd)'],
  ] as const)("%s(%p) is refused with epoll@4's message", (method, args, signature) => {
    const [r] = pool.pipe();
    const ep = make().add(r, Impl.EPOLLIN);
    const call = ep[method] as (...a: unknown[]) => unknown;
    const error = errorFrom(() => call.apply(ep, [...args]));
    expect(error.name).toBe('Error');
    expect(error.message).toBe(`incorrect arguments passed to ${signature}`);
    // Nothing changed: the fd is still watched, exactly once.
    expect(errorFrom(() => ep.add(r, Impl.EPOLLIN)).message).toBe('File exists');
  });

  test("kernel errors carry strerror's text", () => {
    const [r] = pool.pipe();
    const ep = make();
    expect(errorFrom(() => ep.add(-1, Impl.EPOLLIN)).message).toBe('Bad file descriptor');
    expect(errorFrom(() => ep.add(2 ** 31 - 1, Impl.EPOLLIN)).message).toBe('Bad file descriptor');
    expect(errorFrom(() => ep.modify(r, Impl.EPOLLIN)).message).toBe('No such file or directory');
    expect(errorFrom(() => ep.remove(r)).message).toBe('No such file or directory');
    ep.add(r, Impl.EPOLLIN);
    expect(errorFrom(() => ep.add(r, Impl.EPOLLOUT)).message).toBe('File exists');
    const file = fs.openSync(__filename, 'r');
    try {
      expect(errorFrom(() => ep.add(file, Impl.EPOLLIN)).message).toBe('Operation not permitted');
    } finally {
      fs.closeSync(file);
    }
  });

  test('the callback gets exactly (null, fd, events)', async () => {
    const [r, w] = pool.pipe();
    const calls: unknown[][] = [];
    const ep = new Impl((...args: unknown[]) => {
      calls.push(args);
      ep.remove(r);
    });
    open.push(ep);
    ep.add(r, Impl.EPOLLIN);
    io.write(w, byte);
    await waitFor(() => calls.length > 0, 'the event');
    expect(calls).toEqual([[null, r, Impl.EPOLLIN]]);
  });

  test('level-triggered: the event repeats until the data is read, then stops', async () => {
    const [r, w] = pool.pipe();
    const ep = make((fd) => {
      if (count(fd) === 3) io.read(fd, sink);
    });
    ep.add(r, Impl.EPOLLIN);
    io.write(w, byte);
    await expectEventCount(ep, r, 3);
  });

  test('EPOLLOUT, and EPOLLHUP reported unasked when the writer closes', async () => {
    const [r, w] = pool.pipe();
    const ep = make((fd, _events, self) => self.remove(fd));
    ep.add(w, Impl.EPOLLOUT);
    await waitFor(() => count(w) === 1, 'EPOLLOUT');
    expect(seen).toEqual([{ fd: w, events: Impl.EPOLLOUT }]);
    ep.add(r, Impl.EPOLLIN);
    pool.close(w);
    await waitFor(() => count(r) === 1, 'EPOLLHUP');
    expect(seen[1]).toEqual({ fd: r, events: Impl.EPOLLHUP });
  });

  test('EPOLLONESHOT: one event, then nothing until modify() re-arms (one-shot, two-shot)', async () => {
    const [r, w] = pool.pipe();
    const ep = make();
    ep.add(r, Impl.EPOLLIN | Impl.EPOLLONESHOT);
    io.write(w, byte);
    await expectEventCount(ep, r, 1);
    ep.modify(r, Impl.EPOLLIN | Impl.EPOLLONESHOT);
    await expectEventCount(ep, r, 2);
  });

  test('EPOLLET: one event per edge, even with data left unread', async () => {
    const [r, w] = pool.pipe();
    const ep = make();
    ep.add(r, Impl.EPOLLIN | Impl.EPOLLET);
    io.write(w, byte);
    await expectEventCount(ep, r, 1);
    io.write(w, byte);
    await expectEventCount(ep, r, 2);
  });

  test('EPOLLPRI: TCP urgent data (MSG_OOB) on a loopback socket', async () => {
    const connection = await urgentConnection();
    try {
      const ep = make((fd, _events, self) => self.remove(fd));
      ep.add(connection.fd, Impl.EPOLLPRI);
      await waitFor(() => seen.length === 1, 'EPOLLPRI');
      expect(seen).toEqual([{ fd: connection.fd, events: Impl.EPOLLPRI }]);
    } finally {
      await connection.close();
    }
  });

  test('remove() stops events; an event for an fd removed by an earlier callback is not delivered', async () => {
    const [r1, w1] = pool.pipe();
    const [r2, w2] = pool.pipe();
    // Whichever comes first removes both.
    const ep = make((_fd, _events, self) => self.remove(r1).remove(r2));
    ep.add(r1, Impl.EPOLLIN).add(r2, Impl.EPOLLIN);
    io.write(w1, byte);
    io.write(w2, byte);
    await waitFor(() => seen.length > 0, 'an event');
    await settle(ep);
    expect(count(r1) + count(r2)).toBe(1);
  });

  test('two instances with their own fds each get their own events', async () => {
    const [r1, w1] = pool.pipe();
    const [r2, w2] = pool.pipe();
    const a = make((fd, _e, self) => self.remove(fd));
    const b = make((fd, _e, self) => self.remove(fd));
    a.add(r1, Impl.EPOLLIN);
    b.add(r2, Impl.EPOLLIN);
    io.write(w1, byte);
    io.write(w2, byte);
    await waitFor(() => seen.length === 2, 'both events');
    expect(seen.map((e) => e.fd).sort()).toEqual([r1, r2].sort());
  });

  test('close(): closed turns true, returns null, and every later call is refused (closed.js)', async () => {
    const [r, w] = pool.pipe();
    const ep = make();
    expect(ep.closed).toBe(false);
    ep.add(r, Impl.EPOLLIN);
    expect(ep.close()).toBeNull();
    expect(ep.closed).toBe(true);
    const messages = [
      () => ep.add(r, Impl.EPOLLIN),
      () => ep.modify(r, Impl.EPOLLIN),
      () => ep.remove(r),
      () => (ep.add as (...a: unknown[]) => unknown)(),
      () => ep.close(),
    ].map((fn) => errorFrom(fn).message);
    expect(messages).toEqual([
      "add can't be called after calling close",
      "modify can't be called after calling close",
      "remove can't be called after calling close",
      "add can't be called after calling close",
      "close can't be called more than once",
    ]);
    // The fd was watched when close() came: no event for it afterwards.
    io.write(w, byte);
    const other = make((fd, _e, self) => self.remove(fd));
    await settle(other);
    expect(count(r)).toBe(0);
  });

  test('close() from inside the callback stops delivery at once', async () => {
    const [r1, w1] = pool.pipe();
    const [r2, w2] = pool.pipe();
    const ep = make((_fd, _events, self) => self.close());
    ep.add(r1, Impl.EPOLLIN).add(r2, Impl.EPOLLIN);
    io.write(w1, byte);
    io.write(w2, byte);
    await waitFor(() => seen.length > 0, 'an event');
    await settle(make((fd, _e, self) => self.remove(fd)));
    expect(seen.filter((e) => e.fd === r1 || e.fd === r2)).toHaveLength(1);
  });

  describe('process lifetime and errors, seen from a child process', () => {
    const prelude = `const { Epoll } = require(${JSON.stringify(modulePath)});
      const io = LINUX_EPOLL.io;`;

    test('instances with nothing added let the process exit (do-nothing, do-almost-nothing)', async () => {
      const result = await runScript(`${prelude}
        // Kept reachable: epoll@4 crashes when the GC collects an Epoll that was never closed,
        // which is a difference of its own (below), not a matter of process lifetime.
        const idle = [new Epoll(() => {}), new Epoll(() => {})];
        const [r] = io.pipe();
        new Epoll(() => {}).add(r, Epoll.EPOLLIN).remove(r).close();
        const emptied = new Epoll(() => {}).add(r, Epoll.EPOLLIN).remove(r);
        process.on('exit', () => console.log('exit'));`);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'exit\n' });
    });

    test('an fd added keeps the process alive until it is removed', async () => {
      const result = await runScript(`${prelude}
        const [r] = io.pipe();
        const ep = new Epoll(() => {});
        ep.add(r, Epoll.EPOLLIN);
        // unref()ed: only the Epoll can keep the process alive for these to run.
        setTimeout(() => console.log('alive'), 200).unref();
        setTimeout(() => { ep.remove(r); console.log('removed'); }, 300).unref();
        process.on('exit', () => console.log('exit'));`);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'alive\nremoved\nexit\n' });
    });

    test('an Epoll with fds added is never garbage collected (no-gc-allowed)', async () => {
      const result = await runScript(
        `${prelude}
        const [r, w] = io.pipe();
        (() => { new Epoll((err, fd) => { console.log('event', fd === r); process.exit(0); }).add(r, Epoll.EPOLLIN); })();
        setTimeout(() => { for (let i = 0; i < 5; i++) global.gc(); io.write(w, Buffer.from('x')); }, 50);`,
        { args: ['--expose-gc'] },
      );
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'event true\n' });
    });

    // In a child: under jest, epoll@4 calls back with the main realm's global, not the test's.
    test('the callback runs with the global object as this', async () => {
      const result = await runScript(`${prelude}
        const [r, w] = io.pipe();
        const ep = new Epoll(function () { console.log(this === globalThis); ep.remove(r).close(); });
        ep.add(r, Epoll.EPOLLIN);
        io.write(w, Buffer.from('x'));`);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'true\n' });
    });

    test('an exception thrown by the callback is uncaught; with a handler, delivery goes on', async () => {
      const crash = await runScript(`${prelude}
        const [r, w] = io.pipe();
        new Epoll(() => { throw new Error('boom'); }).add(r, Epoll.EPOLLIN);
        io.write(w, Buffer.from('x'));`);
      expect(crash.code).toBe(1);
      expect(crash.stderr).toMatch(/Error: boom/);
      const handled = await runScript(`${prelude}
        const [r, w] = io.pipe();
        let n = 0;
        process.on('uncaughtException', (e) => console.log('caught', e.message));
        const ep = new Epoll(() => { n++; if (n === 1) throw new Error('boom'); ep.remove(r).close(); console.log('again'); });
        ep.add(r, Epoll.EPOLLIN);
        io.write(w, Buffer.from('x'));`);
      expect(handled).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'caught boom\nagain\n' });
    });
  });
});

// Each line is a behaviour where compat deliberately differs; each is tested on both.
describe('differences from epoll@4.0.2', () => {
  const pool = new FdPool();
  afterEach(() => pool.closeAll());

  test('calling Epoll without new: compat throws a TypeError, epoll@4 aborts the process', async () => {
    expect(errorFrom(() => (Epoll as unknown as (cb: unknown) => unknown)(() => {})).name).toBe('TypeError');
    const epoll4 = await runScript(`require(${JSON.stringify(EPOLL4_PATH)}).Epoll(() => {});`);
    expect(epoll4.signal).toBe('SIGABRT');
  });

  test('events that are not a 32-bit integer of known bits: compat refuses them, epoll@4 truncates', () => {
    const [r] = pool.pipe();
    const ep = new Epoll(() => {});
    const epoll4 = new Epoll4(() => {});
    try {
      for (const [bad, code] of [
        [NaN, 'ERR_OUT_OF_RANGE'],
        [1.5, 'ERR_OUT_OF_RANGE'],
        [2 ** 32 + 1, 'ERR_OUT_OF_RANGE'],
        [0x800, 'ERR_INVALID_ARG_VALUE'],
      ] as const) {
        expect(errorFrom(() => ep.add(r, bad))).toMatchObject({ name: 'RangeError', code });
        expect(epoll4.add(r, bad).remove(r)).toBe(epoll4);
      }
    } finally {
      ep.close();
      epoll4.close();
    }
  });

  test('the same fd in two instances: compat delivers to both, epoll@4 says EEXIST (one global set)', async () => {
    const [r, w] = pool.pipe();
    const seen: string[] = [];
    const a = new Epoll((_e, fd) => {
      seen.push('a');
      a.remove(fd);
    });
    const b = new Epoll((_e, fd) => {
      seen.push('b');
      b.remove(fd);
    });
    const c = new Epoll4(() => {});
    const d = new Epoll4(() => {});
    try {
      a.add(r, Epoll.EPOLLIN);
      b.add(r, Epoll.EPOLLIN);
      io.write(w, byte);
      await waitFor(() => seen.length === 2, 'both instances');
      expect(seen.sort()).toEqual(['a', 'b']);
      c.add(r, Epoll4.EPOLLIN);
      expect(errorFrom(() => d.add(r, Epoll4.EPOLLIN)).message).toBe('File exists');
      c.remove(r);
    } finally {
      for (const ep of [a, b, c, d]) ep.close();
    }
  });

  test('an fd closed while watched: compat forgets it on remove() and close(); epoll@4 throws EBADF and stays alive', async () => {
    const script = (path: string) => `const { Epoll } = require(${JSON.stringify(path)});
      console.log('start');  // opens stdout first, so that nothing reuses the fds closed below
      const [r1] = LINUX_EPOLL.io.pipe(); const [r2] = LINUX_EPOLL.io.pipe();
      const ep = new Epoll(() => {}).add(r1, Epoll.EPOLLIN).add(r2, Epoll.EPOLLIN);
      LINUX_EPOLL.io.close(r1); LINUX_EPOLL.io.close(r2);
      try { ep.remove(r1); console.log('removed'); } catch (e) { console.log(e.message); }
      try { ep.close(); console.log('closed'); } catch (e) { console.log(e.message); }
      setTimeout(() => { console.log('still alive'); process.exit(0); }, 300).unref();`;
    expect(await runScript(script(COMPAT_PATH))).toMatchObject({
      code: 0,
      signal: null,
      stderr: '',
      stdout: 'start\nremoved\nclosed\n',
    });
    expect(await runScript(script(EPOLL4_PATH))).toMatchObject({
      code: 0,
      signal: null,
      stderr: '',
      stdout: 'start\nBad file descriptor\nBad file descriptor\nstill alive\n',
    });
  });

  test('an Epoll never closed, once unreachable: compat is collected and its thread ends; epoll@4 segfaults in the GC', async () => {
    // Allocation makes the young generation fill up, so a scavenge finds the dropped instance.
    // epoll@4's destructor then reports the async resource's end from inside the GC
    // (node::AsyncWrap::EmitDestroy, seen with gdb), which the process does not survive.
    const script = (path: string) => `const { Epoll } = require(${JSON.stringify(path)});
      const threads = () => require('fs').readdirSync('/proc/self/task').length;
      const before = threads();
      new Epoll(() => {});
      const during = threads();
      let junk = [];
      (function allocate(round) {
        for (let i = 0; i < 1e5; i++) junk.push({ i });
        if (junk.length > 1e6) junk = [];
        if (round < 100) setImmediate(allocate, round + 1);
        else console.log('survived', during - before, threads() - before);
      })(0);`;
    expect(await runScript(script(COMPAT_PATH))).toMatchObject({
      code: 0,
      signal: null,
      stderr: '',
      stdout: 'survived 1 0\n',
    });
    expect(await runScript(script(EPOLL4_PATH))).toMatchObject({ code: null, signal: 'SIGSEGV', stdout: '' });
  });

  test('worker_threads: compat works in a worker; epoll@4 calls the worker from the main thread and crashes', async () => {
    const script = (path: string) => `const { Worker } = require('worker_threads');
      const w = new Worker(\`
        const { parentPort } = require('worker_threads');
        const { Epoll } = require(${JSON.stringify(path)});
        const { io } = require(${JSON.stringify(PACKAGE)});
        const [r, w] = io.pipe();
        const ep = new Epoll((err, fd, events) => { ep.remove(fd).close(); parentPort.postMessage([err, fd === r, events]); });
        ep.add(r, Epoll.EPOLLIN);
        io.write(w, Buffer.from('x'));\`, { eval: true });
      w.on('message', (m) => console.log(JSON.stringify(m)));
      w.on('error', (e) => console.log('error', e.message));`;
    expect(await runScript(script(COMPAT_PATH))).toMatchObject({
      code: 0,
      signal: null,
      stderr: '',
      stdout: '[null,true,1]\n',
    });
    const epoll4 = await runScript(script(EPOLL4_PATH));
    // It never works, but how it fails varies from run to run: V8 catches the cross-thread call
    // (SIGABRT after "FATAL ERROR: HandleScope"; on Node 26 at times an uncaught error in the
    // worker that cannot even be serialized), or does not (SIGSEGV), or something else again.
    const works = epoll4.code === 0 && epoll4.signal === null && epoll4.stdout === '[null,true,1]\n';
    expect({ works, signal: epoll4.signal, code: epoll4.code, stdout: epoll4.stdout }).toMatchObject({ works: false });
  });

  test("compat errors keep epoll@4's class and message, and add Node's code, errno and syscall", () => {
    const ep = new Epoll(() => {});
    try {
      expect(errorFrom(() => ep.add(-1, Epoll.EPOLLIN))).toMatchObject({
        name: 'Error',
        message: 'Bad file descriptor',
        code: 'EBADF',
        syscall: 'epoll_ctl',
        fd: -1,
      });
      expect(errorFrom(() => ep.remove('x' as unknown as number))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
      ep.close();
      expect(errorFrom(() => ep.close())).toMatchObject({ code: 'ERR_EPOLL_CLOSED' });
    } finally {
      if (!ep.closed) ep.close();
    }
  });

  test('options (an extension): loop dispatch, and maxEvents 1 for one event per epoll_wait as in epoll@4', async () => {
    for (const options of [{ dispatch: 'loop' as const }, { maxEvents: 1 }]) {
      const [r, w] = pool.pipe();
      const seen: number[] = [];
      const ep = new Epoll((_e, fd) => {
        seen.push(fd);
        ep.remove(fd);
      }, options);
      try {
        ep.add(r, Epoll.EPOLLIN);
        io.write(w, byte);
        await waitFor(() => seen.length === 1, 'the event');
        expect(seen).toEqual([r]);
      } finally {
        ep.close();
      }
    }
    expect(errorFrom(() => new Epoll(() => {}, { dispatch: 'fast' as never }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });
});
