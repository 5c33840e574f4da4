// PidFd against the kernel's pidfds: real processes, watched by both dispatch modes, and a
// child_process child whose 'exit' must still fire after PidFd looked at its status.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { EPOLLIN, EpollInstance, PidFd, io } from '../../lib';
import { binding } from '../../lib/core/binding';
import { PACKAGE, fdLeakScript, runScript } from '../support/child';
import { openFlags } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { errorFrom } from '../support/thrown';
import { waitFor } from '../support/wait';

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function childExit(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// A process that is not this one's child: a shell starts it in the background and exits, so it is
// reparented to init. Its pid is the shell's only output.
async function orphan(): Promise<number> {
  const shell = spawn('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  shell.stdout!.on('data', (d: Buffer) => (out += d));
  await new Promise((resolve) => shell.once('close', resolve));
  return Number(out.trim());
}

// The status of an exited child, looked at without a turn of the event loop, in which Node would
// reap it (child_process reaps on SIGCHLD): the kernel keeps it for WNOWAIT until then.
function spinForStatus(pidfd: PidFd): ReturnType<PidFd['exitStatus']> {
  const deadline = Date.now() + 5000;
  let status = pidfd.exitStatus();
  while (status === null && Date.now() < deadline) status = pidfd.exitStatus();
  return status;
}

describe('PidFd exit status', () => {
  test("is read without reaping: it reads the same twice, and child_process still reports 'exit'", async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(7)'], { stdio: 'ignore' });
    const exited = childExit(child);
    const pidfd = PidFd.open(child.pid!);
    const status = spinForStatus(pidfd);
    expect(status).toEqual({ pid: child.pid, code: 7, signal: null, coreDumped: false });
    expect(pidfd.exitStatus()).toEqual(status);
    expect(await exited).toEqual({ code: 7, signal: null });
    pidfd.close();
  });

  test('sendSignal() kills through the fd; the status and child_process both name the signal', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = childExit(child);
    const pidfd = PidFd.open(child.pid!);
    pidfd.sendSignal(0);
    expect(pidfd.exitStatus()).toBeNull();
    pidfd.sendSignal('SIGTERM');
    expect(spinForStatus(pidfd)).toEqual({ pid: child.pid, code: null, signal: 'SIGTERM', coreDumped: false });
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    // Reaped by child_process now: the kernel has no status left to give, and the process is gone.
    const reaped = errorFrom(() => pidfd.exitStatus());
    expect(reaped).toMatchObject({ code: 'ECHILD', errno: -10, syscall: 'waitid', fd: pidfd.fd });
    expect(reaped.hint).toContain('reaped already');
    expect(errorFrom(() => pidfd.sendSignal('SIGTERM'))).toMatchObject({ code: 'ESRCH', syscall: 'pidfd_send_signal' });
    pidfd.close();
  });

  test('a death that dumped core says so', async () => {
    // The core file lands in the child's cwd (core_pattern permitting), a directory of the test's own.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidfd-core-'));
    try {
      const child = spawn('sh', ['-c', 'ulimit -c unlimited && exec sleep 30'], { stdio: 'ignore', cwd: dir });
      const exited = childExit(child);
      // comm, not exe: where sleep is a busybox applet (the kernel-test guests), exe is busybox.
      await waitFor(() => fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8') === 'sleep\n', 'sh to exec sleep');
      const pidfd = PidFd.open(child.pid!);
      pidfd.sendSignal('SIGQUIT');
      expect(spinForStatus(pidfd)).toEqual({ pid: child.pid, code: null, signal: 'SIGQUIT', coreDumped: true });
      expect(await exited).toEqual({ code: null, signal: 'SIGQUIT' });
      pidfd.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEachMode('PidFd', (dispatch) => {
  test("a child's pidfd turns readable when it exits, and child_process still reports 'exit'", async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => process.exit(7), 50)'], { stdio: 'ignore' });
    const exited = childExit(child);
    const pidfd = PidFd.open(child.pid!);
    const epoll = new EpollInstance({ dispatch });
    let outcome: unknown = null;
    epoll.add(pidfd.fd, EPOLLIN, () => {
      // Node may have reaped it in this same turn, before this handler: then there is no status.
      try {
        outcome = pidfd.exitStatus();
      } catch (error) {
        outcome = (error as { code: string }).code;
      }
      epoll.remove(pidfd.fd);
    });
    await waitFor(() => outcome !== null, 'the pidfd to turn readable');
    expect([{ pid: child.pid, code: 7, signal: null, coreDumped: false }, 'ECHILD']).toContainEqual(outcome);
    expect(await exited).toEqual({ code: 7, signal: null });
    epoll.close();
    pidfd.close();
  });

  test('any process can be waited for: an orphan, killed by number, turns the fd readable', async () => {
    const pid = await orphan();
    const pidfd = PidFd.open(pid);
    const epoll = new EpollInstance({ dispatch });
    let readable = false;
    epoll.add(pidfd.fd, EPOLLIN, () => {
      readable = true;
      epoll.remove(pidfd.fd);
    });
    // Not this process's child: there is no status for it, and the error says why.
    const notOurs = errorFrom(() => pidfd.exitStatus());
    expect(notOurs).toMatchObject({ code: 'ECHILD', syscall: 'waitid', fd: pidfd.fd });
    expect(notOurs.hint).toContain('only to the parent');
    pidfd.sendSignal(9);
    await waitFor(() => readable, 'the orphan to exit');
    epoll.close();
    pidfd.close();
  });
});

describe('PidFd', () => {
  test('is non-blocking and close-on-exec, for this very process too', () => {
    const pidfd = PidFd.open(process.pid);
    expect(openFlags(pidfd.fd) & (O_NONBLOCK | O_CLOEXEC)).toBe(O_NONBLOCK | O_CLOEXEC);
    expect(pidfd.pid).toBe(process.pid);
    expect(fs.readlinkSync(`/proc/self/fd/${pidfd.fd}`)).toBe('anon_inode:[pidfd]');
    pidfd.close();
  });

  test('a process that is gone is ESRCH with a hint; a thread id is refused with a hint too', () => {
    const gone = errorFrom(() => PidFd.open(0x7fffffff));
    expect(gone).toMatchObject({ code: 'ESRCH', syscall: 'pidfd_open' });
    expect(gone.hint).toContain('no such process');
    expect(gone.message).toContain(gone.hint);
    const thread = fs
      .readdirSync('/proc/self/task')
      .map(Number)
      .find((tid) => tid !== process.pid)!;
    const notProcess = errorFrom(() => PidFd.open(thread));
    expect(['ENOENT', 'EINVAL']).toContain(notProcess.code);
    expect(notProcess.hint).toContain('thread');
  });

  test('bad arguments throw documented errors, run no user code, and signal nothing', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = childExit(child);
    const pidfd = PidFd.open(child.pid!);
    let touched = 0;
    // Error messages may name a Proxy's constructor, but nothing coerces it to a number.
    const hostile = new Proxy(
      {},
      { get: (_target, key) => (key === Symbol.toPrimitive ? () => touched++ : undefined) },
    );
    const getter = {
      valueOf: () => {
        touched++;
        return 15;
      },
      [Symbol.toPrimitive]: () => {
        touched++;
        return 'SIGTERM';
      },
    };
    for (const pid of [0, -1, 1.5, 2 ** 31, 2 ** 53, Number.NaN, Infinity]) {
      expect(errorFrom(() => PidFd.open(pid)).code).toBe('ERR_OUT_OF_RANGE');
    }
    for (const pid of ['1', 1n, null, undefined, hostile, getter]) {
      expect(errorFrom(() => PidFd.open(pid as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    for (const signal of [-1, 65, 2 ** 32, 1.5, Number.NaN]) {
      expect(errorFrom(() => pidfd.sendSignal(signal)).code).toBe('ERR_OUT_OF_RANGE');
    }
    for (const signal of ['SIGFOO', 'sigterm', 'constructor', '__proto__', '']) {
      expect(errorFrom(() => pidfd.sendSignal(signal as never)).code).toBe('ERR_INVALID_ARG_VALUE');
    }
    for (const signal of [null, hostile, getter, 15n]) {
      expect(errorFrom(() => pidfd.sendSignal(signal as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    expect(touched).toBe(0);
    // Still running: nothing above reached it.
    expect(pidfd.exitStatus()).toBeNull();
    pidfd.sendSignal();
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    pidfd.close();
    pidfd.close();
    expect(pidfd.closed).toBe(true);
    for (const call of [() => pidfd.sendSignal(0), () => pidfd.exitStatus()]) {
      expect(errorFrom(call).code).toBe('ERR_EPOLL_CLOSED');
    }
  });

  test('a shadowed fd or pid property redirects no signal', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = childExit(child);
    const pidfd = PidFd.open(child.pid!);
    const self = PidFd.open(process.pid);
    Object.defineProperty(pidfd, 'fd', { value: self.fd });
    Object.defineProperty(pidfd, 'pid', { value: process.pid });
    pidfd.sendSignal('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    pidfd.close();
    self.close();
  });

  test('the constructor, which TypeScript hides, refuses JS callers and takes over no fd of theirs', () => {
    const [readEnd, writeEnd] = io.pipe();
    const Construct = PidFd as unknown as new (...args: unknown[]) => PidFd;
    for (const args of [[readEnd, process.pid], [Symbol('PidFd.open'), process.pid], []]) {
      expect(errorFrom(() => new Construct(...args))).toMatchObject({
        name: 'TypeError',
        code: 'ERR_ILLEGAL_CONSTRUCTOR',
      });
    }
    // Still open, and still this test's: a write goes through.
    expect(io.write(writeEnd, Buffer.from('x'))).toBe(1);
    expect(io.read(readEnd, Buffer.alloc(1))).toBe(1);
    io.close(readEnd);
    io.close(writeEnd);
  });

  test('the binding, called directly with a wrong out-parameter, refuses it before waitid', () => {
    const pidfd = PidFd.open(process.pid);
    const native = binding.pidFd;
    const EFAULT = -14;
    const proxied = new Proxy(new Int32Array(3), {});
    for (const out of [new Int32Array(2), new Uint32Array(3), new Float64Array(3), [0, 0, 0], proxied, {}]) {
      expect(native.pidfdExitStatus(pidfd.fd, out as never)).toBe(EFAULT);
    }
    const detached = new Int32Array(3);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(native.pidfdExitStatus(pidfd.fd, detached)).toBe(EFAULT);
    // A bad fd number is the kernel's EBADF, not a crash.
    expect(native.pidfdSendSignal(-1, 0)).toBe(-9);
    pidfd.close();
  });
});

describe('PidFd lifetime', () => {
  test('unreachable PidFds are closed when collected', async () => {
    const result = await runScript(
      `${fdLeakScript('anon_inode:[pidfd]')}
      (function () { for (let i = 0; i < 20; i++) LINUX_EPOLL.PidFd.open(process.pid); })();
      const during = held();
      settled((left) => console.log(JSON.stringify({ during, left })), () => gc());`,
      { args: ['--expose-gc'] },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ during: 20, left: 0 });
  });

  test("a worker waits for a child with its own loop-mode instance, and a terminated worker's pidfds are closed", async () => {
    const result = await runScript(
      `${fdLeakScript('anon_inode:[pidfd]')}
      const { Worker } = require('worker_threads');
      const { spawn } = require('child_process');
      const waiter = \`
        const { PidFd, EpollInstance, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
        const { parentPort, workerData } = require('worker_threads');
        const pidfd = PidFd.open(workerData);
        const epoll = new EpollInstance({ dispatch: 'loop' });
        epoll.add(pidfd.fd, EPOLLIN, () => {
          let status;
          try { status = pidfd.exitStatus(); } catch (error) { status = error.code; }
          parentPort.postMessage({ status });
          epoll.close();
          pidfd.close();
        });
        parentPort.postMessage('watching');
      \`;
      const holder = \`
        const { PidFd } = require(${JSON.stringify(PACKAGE)});
        globalThis.held = [PidFd.open(process.pid), PidFd.open(process.pid)];
        require('worker_threads').parentPort.postMessage('open');
      \`;
      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      const worker = new Worker(waiter, { eval: true, workerData: child.pid });
      let childExit;
      child.on('exit', (code, signal) => (childExit = { code, signal }));
      worker.on('message', (message) => {
        if (message === 'watching') return child.kill('SIGKILL');
        worker.terminate();
        churnWorkers(holder, 10, (left) => setImmediate(() => console.log(JSON.stringify({ status: message.status, childExit, left }))));
      });`,
      { timeoutMs: 30000 },
    );
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    // The main thread's child_process may have reaped it first.
    expect([{ pid: expect.any(Number), code: null, signal: 'SIGKILL', coreDumped: false }, 'ECHILD']).toContainEqual(
      report.status,
    );
    expect(report.childExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(report.left).toBe(0);
  });
});
