// Awaitable readiness as seen from outside a process: what a pending await does to its lifetime,
// that 100,000 awaits on one signal leave nothing behind, and awaits inside worker_threads.
import { PACKAGE, runScript } from '../support/child';
import { MODES } from '../support/modes';
import { bound } from '../support/slowdown';

describe.each(MODES)('awaits, from outside the process (dispatch: %s)', (dispatch) => {
  test(
    '100,000 awaits reusing one signal: its listeners, the timers and the heap stay flat',
    async () => {
      const result = await runScript(
        `
      const { EpollInstance, io } = LINUX_EPOLL;
      const { getEventListeners } = require('node:events');
      const ep = new EpollInstance({ dispatch: '${dispatch}' });
      const [a, b] = io.socketpair();
      const { signal } = new AbortController();
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
      (async () => {
        let maxListeners = 0;
        let baseline = 0;
        for (let i = 0; i < 100000; i++) {
          if (i === 10000) baseline = heap();
          const pending = ep.writable(a, { signal, timeout: 60000 });
          maxListeners = Math.max(maxListeners, getEventListeners(signal, 'abort').length);
          await pending;
        }
        await new Promise(setImmediate);
        const grown = heap() - baseline;
        console.log(JSON.stringify({ maxListeners, listeners: getEventListeners(signal, 'abort').length,
          timers: timers(), size: ep.size, grownUnderOneMiB: grown < (1 << 20) }));
        ep.close();
        io.close(a);
        io.close(b);
      })();`,
        { args: ['--expose-gc'], timeoutMs: 60000 },
      );
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        maxListeners: 1,
        listeners: 0,
        timers: 0,
        size: 0,
        grownUnderOneMiB: true,
      });
    },
    bound(70000),
  );

  test('a pending await holds the process open while the instance is ref’d, and not once unref’d', async () => {
    // The unref'd timer makes the fd ready: it can only fire if something else holds the loop.
    const script = (unref: boolean): string => `
      const { EpollInstance, EventFd } = LINUX_EPOLL;
      const ep = new EpollInstance({ dispatch: '${dispatch}' });
      const efd = new EventFd();
      ${unref ? 'ep.unref();' : ''}
      ep.readable(efd.fd, { timeout: 60000 }).then((events) => { console.log('resolved', events); ep.close(); });
      setTimeout(() => efd.write(1), 50).unref();
      process.on('exit', () => console.log('exit'));`;
    const refd = await runScript(script(false));
    expect(refd.stdout).toBe('resolved 1\nexit\n');
    const unrefd = await runScript(script(true));
    expect(unrefd.stdout).toBe('exit\n');
    expect(unrefd.code).toBe(0);
  });

  test('awaits inside a worker_thread, and terminate() with one pending', async () => {
    const result = await runScript(`
      const { Worker } = require('node:worker_threads');
      const worker = new Worker(\`
        const { EpollInstance, EventFd, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
        const { parentPort } = require('node:worker_threads');
        const ep = new EpollInstance({ dispatch: '${dispatch}' });
        const efd = new EventFd();
        globalThis.keep = efd;
        (async () => {
          const value = efd.wait(ep);
          efd.write(2);
          parentPort.postMessage('wait ' + (await value));
          const watch = ep.watch(efd.fd, EPOLLIN);
          efd.write(1);
          parentPort.postMessage('watch ' + (await watch.next()).value);
          globalThis.idle = new EventFd();
          ep.readable(globalThis.idle.fd).then(() => parentPort.postMessage('not pending'));
          parentPort.postMessage('pending');
        })();
      \`, { eval: true });
      worker.on('message', (m) => { console.log(m); if (m === 'pending') worker.terminate(); });
      worker.on('error', (e) => console.log('error', e.message));
      worker.on('exit', () => console.log('exit'));`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('wait 2\nwatch 1\npending\nexit\n');
  });
});
