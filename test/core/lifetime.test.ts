// Process and thread lifetime, seen from outside in child processes: what keeps a process alive,
// what happens to a handler's exception, and that workers and GC leave no thread or fd behind.
import { describeEachMode } from '../support/modes';
import { PACKAGE, runScript } from '../support/child';

const COUNTS = `
const fs = require('fs');
const counts = () => ({
  fds: fs.readdirSync('/proc/self/fd').filter((fd) => { try { return /eventpoll|eventfd/.test(fs.readlinkSync('/proc/self/fd/' + fd)); } catch { return false; } }).length,
  threads: fs.readdirSync('/proc/self/task').length,
});
// Calls report(counts()) once both are back to before, or after 5 s with what is left: the kernel
// lists a joined thread a moment longer, a leaked one for good. each() runs before every look.
const whenSettled = (before, report, each = () => {}) => {
  const deadline = Date.now() + 5000;
  const look = () => {
    each();
    const now = counts();
    if ((now.fds === before.fds && now.threads === before.threads) || Date.now() > deadline) report(now);
    else setTimeout(look, 10);
  };
  look();
};
`;

describeEachMode('lifetime', (dispatch) => {
  const make = `const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL; const dispatch = '${dispatch}';`;

  test('a new or emptied instance does not keep the process alive', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const efd = new EventFd();
      ep.add(efd.fd, EPOLLIN, () => {});
      ep.remove(efd.fd);
      const idle = new EpollInstance({ dispatch });
      console.log('done');`);
    // A process held open would be killed at runScript's timeout, with a signal.
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'done\n' });
  });

  test('an instance with registrations keeps the process alive until close()', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const [r, w] = LINUX_EPOLL.io.pipe();
      const started = Date.now();
      ep.add(r, EPOLLIN, () => { console.log('event after', Date.now() - started >= 250); ep.close(); });
      // Nothing else keeps the loop alive: the event comes from another process later on.
      require('child_process').spawn('sh', ['-c', 'sleep 0.3; printf x > /proc/' + process.pid + '/fd/' + w], { stdio: 'ignore' }).unref();
      process.on('exit', () => console.log('exit'));`);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'event after true\nexit\n' });
  });

  test('unref() lets the process exit, ref() holds it again', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const efd = new EventFd();
      ep.add(efd.fd, EPOLLIN, () => {});
      ep.unref();
      const held = new EpollInstance({ dispatch });
      const other = new EventFd();
      held.add(other.fd, EPOLLIN, () => { console.log('held'); held.close(); });
      held.unref().ref();
      setTimeout(() => other.write(1), 50).unref();
      process.on('exit', () => console.log('exit'));`);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'held\nexit\n' });
  });

  test('an unref()ed instance still delivers events while something else keeps the process alive', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const efd = new EventFd(1);
      ep.add(efd.fd, EPOLLIN, () => { console.log('event', efd.read()); ep.close(); clearTimeout(timer); });
      ep.unref();
      const timer = setTimeout(() => console.log('timeout'), 3000);`);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'event 1n\n' });
  });

  test('an unref()ed instance whose fd stays ready lets the process exit once nothing else holds it', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const efd = new EventFd(1);
      let events = 0;
      ep.add(efd.fd, EPOLLIN, () => events++);
      ep.unref();
      // Held by this interval only, until events have flowed; then the process must end.
      const holder = setInterval(() => { if (events > 1) { clearInterval(holder); console.log('events', events > 1); } }, 1);
      process.on('exit', () => console.log('exit'));`);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '', stdout: 'events true\nexit\n' });
  });

  test('a handler that throws reaches the process like any callback: it dies with the stack', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const efd = new EventFd(1);
      ep.add(efd.fd, EPOLLIN, function explodingHandler() { throw new Error('boom from the handler'); });`);
    expect(result.code).toBe(1);
    expect(result.signal).toBeNull();
    expect(result.stderr).toMatch(/Error: boom from the handler\n\s+at .*explodingHandler/);
    expect(result.stderr).not.toMatch(/DEP0168|Warning/);
  });

  test('with an uncaughtException listener the error is reported and the instance keeps working', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch, maxEvents: 8 });
      const a = new EventFd(1), b = new EventFd(1);
      let thrown = 0, other = 0;
      process.on('uncaughtException', (error) => console.log('caught', error.message));
      ep.add(a.fd, EPOLLIN, () => { a.read(); if (++thrown <= 2) throw new Error('bad ' + thrown); });
      ep.add(b.fd, EPOLLIN, () => { b.read(); other++; });
      // After the first error has been raised, a becomes ready again: the instance must still deliver.
      let rearmed = false;
      const watch = setInterval(() => {
        if (thrown === 1 && !rearmed) { rearmed = true; a.write(1); }
        if (thrown === 2 && other > 0) { clearInterval(watch); console.log('thrown', thrown, 'other', other > 0); ep.close(); }
      }, 1);`);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('caught bad 1\ncaught bad 2\nthrown 2 other true\n');
  });

  test('process.exit() inside a handler exits cleanly', async () => {
    const result = await runScript(`${make}
      const ep = new EpollInstance({ dispatch });
      const efd = new EventFd(1);
      ep.add(efd.fd, EPOLLIN, () => process.exit(42));`);
    expect(result).toMatchObject({ code: 42, signal: null, stderr: '' });
  });

  test('a worker_thread terminated while its instances wait leaves no thread or fd behind', async () => {
    const result = await runScript(`${make}${COUNTS}
      const { Worker } = require('worker_threads');
      const source = \`
        const { EpollInstance, EventFd, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
        const { parentPort, workerData } = require('worker_threads');
        const keep = [];
        for (const fd of workerData) {
          const ep = new EpollInstance({ dispatch: '${dispatch}' });
          ep.add(fd, EPOLLIN, () => {});
          keep.push(ep);
        }
        parentPort.postMessage('waiting');
      \`;
      // Always-ready fds owned by the main thread, so the workers are mid-dispatch when terminated.
      // Held by the code that starts workers, so that collection does not close them under the workers.
      const held = [1, 2, 3, 4].map(() => new EventFd(1));
      const before = counts();
      let rounds = 0;
      const round = () => {
        const worker = new Worker(source, { eval: true, workerData: held.map((efd) => efd.fd) });
        worker.once('message', () => worker.terminate());
        worker.once('exit', () => {
          if (++rounds < 10) return round();
          whenSettled(before, (after) => {
            console.log(JSON.stringify({ fds: after.fds - before.fds, threads: after.threads - before.threads }));
          });
        });
      };
      round();`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ fds: 0, threads: 0 });
  });

  // Before AsyncContextFrame (Node 18 to 22) the store lives on the async resource, which Node
  // holds only weakly: a resource that nothing else holds is collected, and the store with it.
  test('the async context of the creation reaches handlers and their microtasks, after GCs too', async () => {
    const result = await runScript(
      `${make}
      const { AsyncLocalStorage } = require('async_hooks');
      const als = new AsyncLocalStorage();
      const ep = als.run('created', () => new EpollInstance({ dispatch }));
      const efd = new EventFd();
      const seen = [];
      const done = () => { if (seen.length === 3) { console.log(JSON.stringify(seen.sort())); ep.close(); } };
      ep.add(efd.fd, EPOLLIN, () => {
        efd.read();
        seen.push('handler:' + als.getStore());
        Promise.resolve().then(() => { seen.push('then:' + als.getStore()); done(); });
        process.nextTick(() => { seen.push('tick:' + als.getStore()); done(); });
      });
      const settle = (n) => { gc(); if (n > 0) setTimeout(() => settle(n - 1), 5); else efd.write(1); };
      settle(10);`,
      { args: ['--expose-gc'] },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(['handler:created', 'then:created', 'tick:created']);
  });

  test('an unreachable instance is collected: its thread stops and its fds close', async () => {
    const result = await runScript(
      `${make}${COUNTS}
      const ready = new EventFd(1);
      const before = counts();
      (function () {
        for (let i = 0; i < 20; i++) {
          const ep = new EpollInstance({ dispatch });
          ep.add(ready.fd, EPOLLIN, () => {});
          ep.unref();
        }
      })();
      const during = counts();
      whenSettled(before, (after) => {
        console.log(JSON.stringify({ grew: during.fds - before.fds >= 20, fds: after.fds - before.fds, threads: after.threads - before.threads }));
      }, gc);`,
      { args: ['--expose-gc'] },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ grew: true, fds: 0, threads: 0 });
  });
});
