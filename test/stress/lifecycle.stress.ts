// Lifecycle torture: workers terminated mid-dispatch, process.exit() and close() from handlers,
// throwing handlers, and signal storms during waits. Each scenario that can end a process runs in
// a child process; none may crash, hang, lose an event or leave a thread or fd behind.
import { EPOLLIN, EpollInstance, EventFd } from '../../lib';
import { PACKAGE, runScript } from '../support/child';
import { MODES } from '../support/modes';
import { nextMacrotask, waitFor } from '../support/wait';
import { MEASURE, scaled, timeLimit } from './scale';

const WORKERS = scaled(1000);

/**
 * Source for a child script: `ready`, always-ready eventfds, and busy instances in both modes
 * watching them, so that batches are collected and waiting whatever the script does next.
 */
function busyNeighbours(fds: number, maxEvents: number): string {
  return `
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ready = Array.from({ length: ${fds} }, () => new EventFd(1));
    for (const mode of ['thread', 'loop']) {
      const busy = new EpollInstance({ dispatch: mode, maxEvents: ${maxEvents} });
      for (const efd of ready) busy.add(efd.fd, EPOLLIN, () => undefined);
    }`;
}

test(`${WORKERS} worker threads created and terminated mid-dispatch leave no thread or fd behind`, async () => {
  const result = await runScript(
    `${MEASURE}
    const { Worker } = require('worker_threads');
    const { EpollInstance, EventFd, EPOLLIN, EPOLLET } = LINUX_EPOLL;
    const source = \`
      const { EpollInstance, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
      const { parentPort, workerData } = require('worker_threads');
      let told = false;
      for (const dispatch of ['thread', 'loop']) {
        const ep = new EpollInstance({ dispatch, maxEvents: 2 });
        for (const fd of workerData) {
          ep.add(fd, EPOLLIN, () => {
            if (!told) parentPort.postMessage('dispatching');
            told = true;
          });
        }
      }
    \`;
    // Always ready, and owned by the main thread: every worker floods with events until it dies.
    // Held by the code that starts workers, so that collection does not close them under the workers.
    const held = [1, 2, 3, 4].map(() => new EventFd(1));
    // The main thread's own instance must keep working throughout.
    const main = new EpollInstance({ dispatch: 'thread' });
    const tick = new EventFd();
    let mainEvents = 0;
    main.add(tick.fd, EPOLLIN | EPOLLET, () => { mainEvents += Number(tick.read()); });
    let started = 0, exited = 0, midDispatch = 0;
    let baseline;
    const one = (i) => new Promise((resolve) => {
      const worker = new Worker(source, { eval: true, workerData: held.map((efd) => efd.fd) });
      started++;
      worker.once('exit', () => { exited++; tick.write(1); resolve(); });
      worker.once('error', (error) => { console.error('worker error', error); resolve(); });
      // Three ways to die: as soon as it dispatches, right away, or a moment into its life.
      if (i % 3 === 0) worker.once('message', () => { midDispatch++; worker.terminate(); });
      else if (i % 3 === 1) worker.terminate();
      else setTimeout(() => worker.terminate(), i % 7);
    });
    (async () => {
      await warmUpWorkers();
      baseline = counts();
      let next = 0;
      const lane = async () => { while (next < ${WORKERS}) await one(next++); };
      await Promise.all([lane(), lane(), lane(), lane()]);
      await settle();
      const after = counts();
      main.close();
      console.log(JSON.stringify({ started, exited, midDispatch, mainEvents,
        fds: after.fds - baseline.fds, threads: after.threads - baseline.threads }));
    })();`,
    { args: ['--expose-gc'], timeoutMs: timeLimit(60_000) },
  );
  expect(result.stderr).toBe('');
  expect(result.signal).toBeNull();
  const report = JSON.parse(result.stdout);
  expect(report).toMatchObject({ started: WORKERS, exited: WORKERS, mainEvents: WORKERS, fds: 0, threads: 0 });
  expect(report.midDispatch).toBeGreaterThan(WORKERS / 4);
  process.stdout.write(`workers: ${report.exited} terminated, ${report.midDispatch} of them while dispatching\n`);
});

describe.each(MODES)('process.exit() from a handler (dispatch: %s)', (dispatch) => {
  test('exits with its code while other instances are dispatching and events are queued', async () => {
    for (let round = 0; round < scaled(10); round++) {
      const result = await runScript(
        `
        ${busyNeighbours(16, 4)}
        const ep = new EpollInstance({ dispatch: '${dispatch}', maxEvents: 64 });
        let calls = 0;
        process.on('exit', (code) => process.stdout.write('exit ' + code + ' after ' + calls));
        for (const efd of ready) ep.add(efd.fd, EPOLLIN, () => { if (++calls === ${20 + round}) process.exit(42); });`,
        { timeoutMs: timeLimit(2_000) },
      );
      expect(result).toMatchObject({ code: 42, signal: null, stderr: '', stdout: `exit 42 after ${20 + round}` });
    }
  });

  test('inside a worker, ends the worker only; the process goes on', async () => {
    const result = await runScript(
      `${MEASURE}
      const { Worker } = require('worker_threads');
      const { EventFd } = LINUX_EPOLL;
      const ready = new EventFd(1);
      let baseline;
      const source = \`
        const { EpollInstance, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
        const ep = new EpollInstance({ dispatch: '${dispatch}' });
        ep.add(require('worker_threads').workerData, EPOLLIN, () => process.exit(7));
      \`;
      let codes = [];
      const one = () => new Promise((resolve) => new Worker(source, { eval: true, workerData: ready.fd }).once('exit', (code) => { codes.push(code); resolve(); }));
      (async () => {
        await warmUpWorkers();
        baseline = counts();
        for (let i = 0; i < ${scaled(20)}; i++) await one();
        await settle();
        const after = counts();
        console.log(JSON.stringify({ codes: [...new Set(codes)], fds: after.fds - baseline.fds, threads: after.threads - baseline.threads }));
      })();`,
      { args: ['--expose-gc'], timeoutMs: timeLimit(5_000) },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ codes: [7], fds: 0, threads: 0 });
  });
});

describe.each(MODES)('close() from a handler with events still queued in the batch (dispatch: %s)', (dispatch) => {
  const READY = 32;
  let fds: EventFd[] = [];
  beforeAll(() => {
    fds = Array.from({ length: READY }, () => new EventFd(1));
  });
  afterAll(() => {
    for (const efd of fds) efd.close();
  });

  test('the rest of the batch is dropped and nothing runs after close() returns', async () => {
    const rounds = scaled(300);
    for (let round = 0; round < rounds; round++) {
      const ep = new EpollInstance({ dispatch, maxEvents: 64 });
      // The first batches may be partial while the fds are being added; from the third full
      // round on, every batch carries all 32 always-ready fds, so closing at call `stop` leaves
      // READY - stop % READY events of that batch undispatched.
      const stop = 2 * READY + 1 + (round % (READY - 1));
      let calls = 0;
      let afterClose = 0;
      for (const efd of fds) {
        ep.add(efd.fd, EPOLLIN, () => {
          if (ep.closed) afterClose++;
          if (++calls === stop) ep.close();
        });
      }
      await waitFor(() => ep.closed, 'close from a handler');
      await nextMacrotask();
      expect({ round, calls, afterClose }).toEqual({ round, calls: stop, afterClose: 0 });
    }
  });

  test('closing another instance whose batch is already collected drops that batch', async () => {
    const rounds = scaled(300);
    for (let round = 0; round < rounds; round++) {
      const victim = new EpollInstance({ dispatch, maxEvents: 64 });
      const closer = new EpollInstance({ dispatch, maxEvents: 1 });
      let victimAfterClose = 0;
      let victimCalls = 0;
      for (const efd of fds) {
        victim.add(efd.fd, EPOLLIN, () => {
          victimCalls++;
          if (victim.closed) victimAfterClose++;
        });
      }
      const trigger = new EventFd();
      closer.add(trigger.fd, EPOLLIN, () => {
        victim.close();
        closer.close();
      });
      // Let the victim dispatch a little so that, in thread mode, its next batch is waiting.
      await waitFor(() => victimCalls >= READY, 'the victim to dispatch');
      trigger.write(1);
      await waitFor(() => closer.closed, 'the closer');
      await nextMacrotask();
      trigger.close();
      expect({ round, victimAfterClose }).toEqual({ round, victimAfterClose: 0 });
    }
  });
});

describe.each(MODES)('a handler that throws (dispatch: %s)', (dispatch) => {
  test('with an uncaughtException listener: every error is reported once and no event is lost', async () => {
    const writes = scaled(20_000);
    const result = await runScript(
      `
      const { EpollInstance, EventFd, EPOLLIN, EPOLLET } = LINUX_EPOLL;
      const ep = new EpollInstance({ dispatch: '${dispatch}', maxEvents: 4 });
      const efds = Array.from({ length: 8 }, () => new EventFd());
      let read = 0, thrown = 0, caught = 0, written = 0;
      process.on('uncaughtException', (error) => { if (error.message === 'handler failure') caught++; });
      // At exit every error has been reported: a batch's later errors come on a later tick.
      process.on('exit', () => console.log(JSON.stringify({ read, thrown, caught })));
      for (const efd of efds) {
        ep.add(efd.fd, EPOLLIN | EPOLLET, () => {
          read += Number(efd.read() ?? 0n);
          // Checked before the throw: the last read may be one that throws, and no event follows it.
          if (read === ${writes}) ep.close();
          // Edge-triggered: were a throw to skip the rest of the batch, those events would be lost.
          if ((read + thrown) % 3 === 0) { thrown++; throw new Error('handler failure'); }
        });
      }
      const writeSome = () => {
        for (let i = 0; i < 50 && written < ${writes}; i++, written++) efds[written % 8].write(1);
        if (written < ${writes}) setImmediate(writeSome);
      };
      writeSome();`,
      { timeoutMs: timeLimit(5_000) },
    );
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.read).toBe(writes);
    expect(report.thrown).toBeGreaterThan(100);
    expect(report.caught).toBe(report.thrown);
  });

  test('without a listener: the process dies with the error and exit code 1, never a crash', async () => {
    for (let round = 0; round < scaled(10); round++) {
      const result = await runScript(
        `
        ${busyNeighbours(8, 2)}
        const ep = new EpollInstance({ dispatch: '${dispatch}' });
        let calls = 0;
        for (const efd of ready) ep.add(efd.fd, EPOLLIN, () => { if (++calls === ${5 + round}) throw new Error('fatal handler error'); });`,
        { timeoutMs: timeLimit(2_000) },
      );
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 1, signal: null });
      expect(result.stderr.match(/Error: fatal handler error/g)).toHaveLength(1);
      expect(result.stderr).not.toMatch(/Aborted|FATAL|Segmentation|DEP0168/);
    }
  });
});

test('storms of SIGINT and SIGUSR1 during waits: no event lost, nothing hangs', async () => {
  const writes = scaled(20_000);
  const result = await runScript(
    `
    const { spawn } = require('child_process');
    const { Worker } = require('worker_threads');
    const { EpollInstance, EventFd, EPOLLIN, EPOLLET } = LINUX_EPOLL;
    const signals = { SIGINT: 0, SIGUSR1: 0 };
    process.on('SIGINT', () => signals.SIGINT++);
    process.on('SIGUSR1', () => signals.SIGUSR1++);
    // One instance per mode, each with edge-triggered eventfds that a worker writes to slowly, so
    // that the JS thread and the wait thread spend their time waiting while the signals land.
    const instances = ['thread', 'loop'].map((dispatch) => new EpollInstance({ dispatch, maxEvents: 2 }));
    const efds = Array.from({ length: 8 }, () => new EventFd());
    let read = 0;
    efds.forEach((efd, i) => instances[i % 2].add(efd.fd, EPOLLIN | EPOLLET, () => {
      read += Number(efd.read() ?? 0n);
      if (read === ${writes}) finish();
    }));
    const storm = spawn(process.execPath, ['-e', \`
      const pid = Number(process.argv[1]);
      const fire = () => {
        try { for (let i = 0; i < 20; i++) { process.kill(pid, 'SIGUSR1'); process.kill(pid, 'SIGINT'); } } catch { return; }
        setImmediate(fire);
      };
      fire();\`, String(process.pid)], { stdio: 'ignore' });
    const writer = new Worker(\`
      const { io } = require(${JSON.stringify(PACKAGE)});
      const { workerData } = require('worker_threads');
      const one = new BigUint64Array([1n]);
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < ${writes}; i++) {
        io.write(workerData[i % workerData.length], one);
        if (i % 10 === 0) Atomics.wait(pause, 0, 0, 0.2);
      }\`, { eval: true, workerData: efds.map((e) => e.fd) });
    const finish = () => {
      for (const ep of instances) ep.close();
      storm.kill();
      console.log(JSON.stringify({ read, ...signals }));
    };`,
    { timeoutMs: timeLimit(20_000) },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout);
  expect(report.read).toBe(writes);
  expect(report.SIGINT).toBeGreaterThan(100);
  expect(report.SIGUSR1).toBeGreaterThan(100);
  process.stdout.write(
    `signal storm: ${report.read} events read while ${report.SIGINT} SIGINT and ${report.SIGUSR1} SIGUSR1 were handled\n`,
  );
});
