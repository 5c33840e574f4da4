// Inotify against the kernel's inotify: real files in a temporary directory, watched by both
// dispatch modes; a queue overflowed for real; the limits' hints met in a user namespace.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  EPOLLIN,
  EpollInstance,
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_IGNORED,
  IN_ISDIR,
  IN_MODIFY,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONLYDIR,
  IN_OPEN,
  IN_Q_OVERFLOW,
  Inotify,
  pairRenames,
  type InotifyEvent,
  io,
} from '../../lib';
import { binding } from '../../lib/core/binding';
import { PACKAGE, fdLeakScript, runScript } from '../support/child';
import { openFlags } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { errorFrom } from '../support/thrown';
import { waitFor } from '../support/wait';

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inotify-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

// Reads until would-block, so a test sees every event queued so far.
function drain(inotify: Inotify): InotifyEvent[] {
  const events: InotifyEvent[] = [];
  for (let batch = inotify.read(); batch !== null; batch = inotify.read()) events.push(...batch);
  return events;
}

describeEachMode('Inotify', (dispatch) => {
  test('reports creation, writes, a rename (paired by cookie) and deletion, in order, to an epoll handler', async () => {
    const inotify = new Inotify();
    const wd = inotify.watch(dir, IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE);
    const epoll = new EpollInstance({ dispatch });
    const events: InotifyEvent[] = [];
    epoll.add(inotify.fd, EPOLLIN, () => events.push(...drain(inotify)));
    fs.writeFileSync(path.join(dir, 'a'), 'x');
    fs.renameSync(path.join(dir, 'a'), path.join(dir, 'b'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.unlinkSync(path.join(dir, 'b'));
    await waitFor(() => events.length === 6, 'six events');
    const renamed = events[2].cookie;
    expect(renamed).not.toBe(0);
    expect(events).toEqual([
      { wd, mask: IN_CREATE, cookie: 0, name: 'a' },
      { wd, mask: IN_CLOSE_WRITE, cookie: 0, name: 'a' },
      { wd, mask: IN_MOVED_FROM, cookie: renamed, name: 'a' },
      { wd, mask: IN_MOVED_TO, cookie: renamed, name: 'b' },
      { wd, mask: (IN_CREATE | IN_ISDIR) >>> 0, cookie: 0, name: 'sub' },
      { wd, mask: IN_DELETE, cookie: 0, name: 'b' },
    ]);
    expect(pairRenames(events)).toEqual([
      events[0],
      events[1],
      { cookie: renamed, from: events[2], to: events[3] },
      events[4],
      events[5],
    ]);
    epoll.close();
    inotify.close();
  });
});

describe('Inotify', () => {
  test('is non-blocking and close-on-exec; read() is null with nothing queued', () => {
    const inotify = new Inotify();
    expect(openFlags(inotify.fd) & (O_NONBLOCK | O_CLOEXEC)).toBe(O_NONBLOCK | O_CLOEXEC);
    expect(fs.readlinkSync(`/proc/self/fd/${inotify.fd}`)).toBe('anon_inode:inotify');
    expect(inotify.read()).toBeNull();
    inotify.close();
  });

  test('one read() takes hundreds of queued events in one crossing', () => {
    const inotify = new Inotify();
    const wd = inotify.watch(dir, IN_CREATE);
    for (let i = 0; i < 500; i++) fs.closeSync(fs.openSync(path.join(dir, `file-${i}`), 'w'));
    const reads = jest.spyOn(binding.io, 'read');
    try {
      const events = inotify.read()!;
      expect(reads).toHaveBeenCalledTimes(1);
      // 64 KiB holds 2048 events with names this short (16-byte header, 16 bytes of name).
      expect(events.length).toBe(500);
      expect(events.every((event, i) => event.wd === wd && event.name === `file-${i}`)).toBe(true);
    } finally {
      reads.mockRestore();
    }
    expect(inotify.read()).toBeNull();
    inotify.close();
  });

  test('names of every length and in any script survive; the watched file itself has the name ""', () => {
    const inotify = new Inotify();
    const file = path.join(dir, 'self');
    fs.writeFileSync(file, '');
    const fileWd = inotify.watch(file, IN_MODIFY);
    const dirWd = inotify.watch(dir, IN_CREATE);
    const names = ['x', 'ab', 'abc', 'éèê', '名前', '🙂'.repeat(63), 'n'.repeat(255)];
    for (const name of names) fs.writeFileSync(path.join(dir, name), '');
    fs.appendFileSync(file, 'more');
    expect(drain(inotify)).toEqual([
      ...names.map((name) => ({ wd: dirWd, mask: IN_CREATE, cookie: 0, name })),
      { wd: fileWd, mask: IN_MODIFY, cookie: 0, name: '' },
    ]);
    inotify.close();
  });

  test('watching a path again gives the same wd; unwatch() queues IN_IGNORED, and a second is EINVAL', () => {
    const inotify = new Inotify();
    const wd = inotify.watch(dir, IN_CREATE);
    expect(inotify.watch(dir, IN_OPEN)).toBe(wd);
    inotify.unwatch(wd);
    expect(drain(inotify)).toEqual([{ wd, mask: IN_IGNORED, cookie: 0, name: '' }]);
    expect(errorFrom(() => inotify.unwatch(wd))).toMatchObject({ code: 'EINVAL', syscall: 'inotify_rm_watch' });
    fs.writeFileSync(path.join(dir, 'after'), '');
    expect(inotify.read()).toBeNull();
    inotify.close();
  });

  test('kernel refusals are system errors: a missing path, and IN_ONLYDIR on a file', () => {
    const inotify = new Inotify();
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    expect(errorFrom(() => inotify.watch(path.join(dir, 'missing'), IN_CREATE))).toMatchObject({
      code: 'ENOENT',
      syscall: 'inotify_add_watch',
    });
    expect(errorFrom(() => inotify.watch(file, IN_CREATE | IN_ONLYDIR))).toMatchObject({ code: 'ENOTDIR' });
    inotify.close();
  });

  test('pairRenames() leaves unmatched moves and other cookies alone, and refuses a non-array', () => {
    const from = { wd: 1, mask: IN_MOVED_FROM, cookie: 5, name: 'a' };
    const elsewhere = { wd: 1, mask: IN_MOVED_TO, cookie: 6, name: 'z' };
    const to = { wd: 2, mask: (IN_MOVED_TO | IN_ISDIR) >>> 0, cookie: 5, name: 'b' };
    const lone = { wd: 1, mask: IN_MOVED_FROM, cookie: 7, name: 'c' };
    expect(pairRenames([from, elsewhere, to, lone])).toEqual([{ cookie: 5, from, to }, elsewhere, lone]);
    expect(pairRenames([])).toEqual([]);
    expect(errorFrom(() => pairRenames('x' as never)).code).toBe('ERR_INVALID_ARG_TYPE');
  });

  test('bad arguments throw documented errors, run no user code, and watch nothing', () => {
    const inotify = new Inotify();
    let touched = 0;
    const hostile = new Proxy({}, { get: (_t, key) => (key === Symbol.toPrimitive ? () => touched++ : undefined) });
    const coercible = { toString: () => (touched++, dir), valueOf: () => (touched++, IN_CREATE) };
    for (const name of [undefined, null, 5, Buffer.from(dir), hostile, coercible]) {
      expect(errorFrom(() => inotify.watch(name as never, IN_CREATE)).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    for (const name of ['', 'a\0b', `${dir}\0`, 'x'.repeat(4096)]) {
      expect(errorFrom(() => inotify.watch(name, IN_CREATE)).code).toBe('ERR_INVALID_ARG_VALUE');
    }
    for (const mask of [0, IN_ISDIR, IN_ONLYDIR, IN_Q_OVERFLOW | IN_CREATE, 0x1000 | IN_CREATE]) {
      expect(errorFrom(() => inotify.watch(dir, mask)).code).toBe('ERR_INVALID_ARG_VALUE');
    }
    for (const mask of [2 ** 32, -(2 ** 31) - 1, 1.5, Number.NaN, Infinity]) {
      expect(errorFrom(() => inotify.watch(dir, mask)).code).toBe('ERR_OUT_OF_RANGE');
    }
    for (const mask of ['256', 256n, hostile, coercible]) {
      expect(errorFrom(() => inotify.watch(dir, mask as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    for (const wd of [0, -1, 2 ** 31, 1.5]) expect(errorFrom(() => inotify.unwatch(wd)).code).toBe('ERR_OUT_OF_RANGE');
    for (const wd of ['1', hostile, coercible]) {
      expect(errorFrom(() => inotify.unwatch(wd as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    for (const options of [5, 'event', null, []]) {
      expect(errorFrom(() => new Inotify(options as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    expect(errorFrom(() => new Inotify({ overflow: 'ignore' as never })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(touched).toBe(0);
    // Nothing was watched: a new file makes no event.
    fs.writeFileSync(path.join(dir, 'unseen'), '');
    expect(inotify.read()).toBeNull();
    inotify.close();
    inotify.close();
    expect(inotify.closed).toBe(true);
    for (const call of [() => inotify.watch(dir, IN_CREATE), () => inotify.unwatch(1), () => inotify.read()]) {
      expect(errorFrom(call).code).toBe('ERR_EPOLL_CLOSED');
    }
  });

  test('a shadowed fd property, or a subclass that overrides it, redirects nothing', () => {
    class Spoofing extends Inotify {
      override get fd(): number {
        return 0;
      }
    }
    const [readEnd, writeEnd] = io.pipe();
    try {
      io.write(writeEnd, Buffer.from('not inotify'));
      for (const inotify of [new Inotify(), new Spoofing()]) {
        Object.defineProperty(inotify, 'fd', { value: readEnd });
        const wd = inotify.watch(dir, IN_CREATE);
        fs.writeFileSync(path.join(dir, `made-${wd}-${inotify.constructor.name}`), '');
        expect(inotify.read()).toEqual([
          { wd, mask: IN_CREATE, cookie: 0, name: `made-${wd}-${inotify.constructor.name}` },
        ]);
        inotify.close();
      }
      // The pipe's bytes are all still there: nothing read it.
      expect(io.read(readEnd, Buffer.alloc(32))).toBe(11);
    } finally {
      io.close(readEnd);
      io.close(writeEnd);
    }
  });

  test('the binding, called directly, refuses a path that is not a NUL-terminated view of its own', () => {
    const inotify = new Inotify();
    const native = binding.inotify;
    const EFAULT = -14;
    const unterminated = new Uint8Array(Buffer.from(dir));
    const detached = new Uint8Array(Buffer.from(`${dir}\0`));
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    for (const bytes of [unterminated, new Uint8Array(0), detached, `${dir}\0`, [0], {}, undefined]) {
      expect(native.inotifyAddWatch(inotify.fd, bytes as never, IN_CREATE)).toBe(EFAULT);
    }
    // A view whose length lies is read by the engine's length, not its property.
    const lying = new Uint8Array(Buffer.from(`${dir}\0`));
    Object.defineProperty(lying, 'length', { value: 1 });
    Object.defineProperty(lying, 'byteLength', { value: 1 });
    expect(native.inotifyAddWatch(inotify.fd, lying, IN_CREATE)).toBeGreaterThan(0);
    expect(native.inotifyAddWatch(-1, new Uint8Array(Buffer.from(`${dir}\0`)), IN_CREATE)).toBe(-9);
    inotify.close();
  });
});

describe('Inotify queue overflow', () => {
  const maxQueued = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));

  // More distinct events than the queue holds, without lowering any limit: each open and close of
  // the file is two events, and the kernel merges only identical neighbours.
  function overflow(inotify: Inotify): void {
    const file = path.join(dir, 'busy');
    fs.writeFileSync(file, '');
    inotify.watch(file, IN_OPEN | IN_CLOSE_NOWRITE);
    for (let i = 0; i <= maxQueued / 2 + 10; i++) fs.closeSync(fs.openSync(file, 'r'));
  }

  test('read() throws ERR_INOTIFY_OVERFLOW by default, and the error carries every event that read took', () => {
    const inotify = new Inotify();
    overflow(inotify);
    let taken = 0;
    let error: (Error & { code?: string; events?: InotifyEvent[]; hint?: string }) | undefined;
    for (;;) {
      try {
        const batch = inotify.read();
        if (batch === null) break;
        taken += batch.length;
      } catch (thrown) {
        error = thrown as typeof error;
        break;
      }
    }
    expect(error).toMatchObject({ code: 'ERR_INOTIFY_OVERFLOW' });
    expect(error!.hint).toContain('fs.inotify.max_queued_events');
    const events = error!.events!;
    expect(events[events.length - 1]).toEqual({ wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: '' });
    // The kernel queued max_queued_events, then the overflow marker.
    expect(taken + events.length).toBe(maxQueued + 1);
    expect(inotify.read()).toBeNull();
    inotify.close();
  });

  test("with { overflow: 'event' } the IN_Q_OVERFLOW event comes back among the others", () => {
    const inotify = new Inotify({ overflow: 'event' });
    overflow(inotify);
    const events = drain(inotify);
    expect(events.length).toBe(maxQueued + 1);
    expect(events.filter((event) => event.mask & IN_Q_OVERFLOW)).toEqual([
      { wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: '' },
    ]);
    inotify.close();
  });
});

// A user namespace of its own has its own inotify limits (user.max_inotify_*), which root in it
// may lower without touching anyone else's: the real ENOSPC and EMFILE, and their hints.
describe('Inotify limits', () => {
  test('ENOSPC from inotify_add_watch and EMFILE from inotify_init1 carry hints that name the limit', () => {
    const script = `
      const { Inotify, IN_CREATE } = require(${JSON.stringify(PACKAGE)});
      const report = (fn) => { try { fn(); return null; } catch (e) { return { code: e.code, syscall: e.syscall, hint: e.hint }; } };
      const first = new Inotify();
      first.watch('/tmp', IN_CREATE);
      console.log(JSON.stringify({ watch: report(() => first.watch('/etc', IN_CREATE)), init: report(() => new Inotify()) }));`;
    const child = spawnSync(
      'unshare',
      [
        '--user',
        '--map-root-user',
        'sh',
        '-c',
        'echo 1 > /proc/sys/user/max_inotify_watches && echo 1 > /proc/sys/user/max_inotify_instances && exec "$0" -e "$1"',
        process.execPath,
        script,
      ],
      { encoding: 'utf8', timeout: 10000 },
    );
    expect(child.stderr).toBe('');
    const { watch, init } = JSON.parse(child.stdout);
    expect(watch).toMatchObject({ code: 'ENOSPC', syscall: 'inotify_add_watch' });
    expect(watch.hint).toContain('fs.inotify.max_user_watches');
    expect(init).toMatchObject({ code: 'EMFILE', syscall: 'inotify_init1' });
    expect(init.hint).toContain('fs.inotify.max_user_instances');
  });
});

describe('Inotify lifetime', () => {
  test('unreachable instances are closed when collected', async () => {
    const result = await runScript(
      `${fdLeakScript('anon_inode:inotify')}
      (function () { for (let i = 0; i < 20; i++) new LINUX_EPOLL.Inotify().watch('/tmp', LINUX_EPOLL.IN_CREATE); })();
      const during = held();
      settled((left) => console.log(JSON.stringify({ during, left })), () => gc());`,
      { args: ['--expose-gc'] },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ during: 20, left: 0 });
  });

  test("a worker watches with its own thread-mode instance, and a terminated worker's instances are closed", async () => {
    const result = await runScript(
      `${fdLeakScript('anon_inode:inotify')}
      const { Worker } = require('worker_threads');
      const dir = fs.mkdtempSync(require('path').join(require('os').tmpdir(), 'inotify-worker-'));
      const watcher = \`
        const { Inotify, EpollInstance, EPOLLIN, IN_CREATE } = require(${JSON.stringify(PACKAGE)});
        const { parentPort, workerData } = require('worker_threads');
        const inotify = new Inotify();
        inotify.watch(workerData, IN_CREATE);
        const epoll = new EpollInstance({ dispatch: 'thread' });
        epoll.add(inotify.fd, EPOLLIN, () => { parentPort.postMessage(inotify.read()); epoll.close(); inotify.close(); });
        parentPort.postMessage('watching');
      \`;
      const holder = \`
        const { Inotify, IN_CREATE } = require(${JSON.stringify(PACKAGE)});
        globalThis.held = [new Inotify(), new Inotify()];
        globalThis.held[0].watch('/tmp', IN_CREATE);
        require('worker_threads').parentPort.postMessage('open');
      \`;
      const worker = new Worker(watcher, { eval: true, workerData: dir });
      worker.on('message', (message) => {
        if (message === 'watching') return fs.writeFileSync(dir + '/made-in-main', '');
        worker.terminate();
        fs.rmSync(dir, { recursive: true });
        churnWorkers(holder, 10, (left) => console.log(JSON.stringify({ events: message, left })));
      });`,
      { timeoutMs: 30000 },
    );
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.events).toEqual([{ wd: 1, mask: IN_CREATE, cookie: 0, name: 'made-in-main' }]);
    expect(report.left).toBe(0);
  });
});

// The masks the kernel reports are unsigned, IN_ONESHOT's bit 31 included.
test('IN_* constants are the kernel values, unsigned', () => {
  expect(IN_ALL_EVENTS).toBe(0xfff);
  expect(IN_CREATE).toBe(0x100);
  expect(IN_Q_OVERFLOW).toBe(0x4000);
  expect(IN_ISDIR).toBe(0x40000000);
  expect(require('../../lib').IN_ONESHOT).toBe(0x80000000);
});
