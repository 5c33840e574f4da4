// What only dispatch: 'loop' has: it rides the event loop of the thread that created it.
import { EPOLLIN, EpollInstance, EventFd } from '../../lib';
import { PACKAGE, runScript } from '../support/child';
import { countPerTurn, waitFor } from '../support/wait';

describe("dispatch: 'loop'", () => {
  test('one batch per loop turn: immediates run between batches of an always-ready fd', async () => {
    const ep = new EpollInstance({ dispatch: 'loop' });
    const efd = new EventFd(1);
    let events = 0;
    ep.add(efd.fd, EPOLLIN, () => events++);
    const perTurn = await countPerTurn(() => events, 50);
    ep.close();
    efd.close();
    expect(Math.max(...perTurn)).toBe(1);
    expect(perTurn.filter((n) => n === 1).length).toBeGreaterThan(25);
  });

  test('works inside a worker_thread, on the worker’s own loop', async () => {
    const result = await runScript(`
      const { Worker } = require('worker_threads');
      const efd = new LINUX_EPOLL.EventFd();
      const worker = new Worker(\`
        const { EpollInstance, EventFd, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
        const { parentPort, workerData, threadId } = require('worker_threads');
        const ep = new EpollInstance({ dispatch: 'loop' });
        ep.add(workerData, EPOLLIN, () => { parentPort.postMessage('event in worker ' + (threadId > 0)); ep.close(); });
        parentPort.postMessage('ready');
      \`, { eval: true, workerData: efd.fd });
      worker.on('message', (m) => { console.log(m); if (m === 'ready') efd.write(1); });
      worker.on('exit', (code) => console.log('exit', code));`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ready\nevent in worker true\nexit 0\n');
  });

  test('close() while the loop is about to report the epoll fd readable', async () => {
    const ep = new EpollInstance({ dispatch: 'loop' });
    const efd = new EventFd(1);
    let events = 0;
    ep.add(efd.fd, EPOLLIN, () => events++);
    await waitFor(() => events > 0, 'an event');
    // The fd is still ready, so libuv has the epoll fd in its next poll: closing now must stop
    // the watcher before the epoll fd goes.
    ep.close();
    const after = events;
    const next = new EpollInstance({ dispatch: 'loop' });
    let reused = 0;
    next.add(efd.fd, EPOLLIN, () => reused++);
    await waitFor(() => reused > 2, 'events on a new instance');
    next.close();
    efd.close();
    expect(events).toBe(after);
  });

  test('a loop-mode instance nested under a thread-mode one', async () => {
    const outer = new EpollInstance({ dispatch: 'thread' });
    const inner = new EpollInstance({ dispatch: 'loop' });
    const efd = new EventFd(1);
    let innerEvents = 0;
    let outerEvents = 0;
    inner.add(efd.fd, EPOLLIN, () => innerEvents++);
    outer.add(inner.fd, EPOLLIN, () => outerEvents++);
    await waitFor(() => innerEvents > 0 && outerEvents > 0, 'events at both levels');
    outer.close();
    inner.close();
    efd.close();
  });
});
