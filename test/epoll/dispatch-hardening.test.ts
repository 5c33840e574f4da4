// Regression tests for the dispatch core's crashes, hangs and stalls (issue 11, items 4 to 8), each
// named after the bug it pins. What could abort or hang runs in a child process, so that an abort
// shows as its signal and a hang as the child's timeout.
import { spawnSync } from 'node:child_process';
import { setTimeout as realSetTimeout, clearTimeout as realClearTimeout } from 'node:timers';

import { EPOLLET, EPOLLIN, EpollInstance, EventFd, TimerFd, type DispatchMode } from '../../lib';
import { Epoll } from '../../lib/compat';
import { PACKAGE, runScript, type ChildResult } from '../support/child';
import { MODES, describeEachMode } from '../support/modes';
import { nestingRefusals } from '../support/nesting';
import { bound } from '../support/slowdown';
import { errorFrom } from '../support/thrown';
import { waitFor } from '../support/wait';

function expectCleanExit(result: ChildResult, stdout: string): void {
  expect({ signal: result.signal, code: result.code, stderr: result.stderr }).toEqual({
    signal: null,
    code: 0,
    stderr: '',
  });
  expect(result.stdout).toBe(stdout);
}

// The codes this kernel refuses too deep a chain with (ELOOP; also EINVAL on 5.10).
const NESTING_REFUSALS = nestingRefusals();

test('the kernel refuses a chain of 9 epoll sets, with ELOOP (6.x) or also EINVAL (5.10): the codes the tests below accept from linux-epoll', () => {
  expect(NESTING_REFUSALS).toContain('ELOOP');
  expect(NESTING_REFUSALS.every((code) => code === 'ELOOP' || code === 'EINVAL')).toBe(true);
});

// The kernel's limit on nesting: EP_MAX_NESTS (4) levels below the top set, so chains of 5. A
// kernel that counts the levels above the set being added to (Linux 6.x's ep_get_upwards_depth)
// also counts the event loop's own epoll set above every 'loop' instance.
const NESTING_PRELUDE = `
  const { EpollInstance, EPOLLIN } = LINUX_EPOLL;
  const NESTING_REFUSALS = ${JSON.stringify(NESTING_REFUSALS)};
  const refusal = (code) => NESTING_REFUSALS.includes(code);
  // The loop polls, and libuv adds what it watches to its own set, during these turns.
  const turns = () => new Promise((resolve) => setTimeout(resolve, 5)).then(() => new Promise((resolve) => setImmediate(resolve)));
  // Built top-down, each new instance below the bottom one: only a kernel that counts the levels
  // above the insertion point refuses it.
  function kernelCountsLevelsAbove() {
    const chain = [new EpollInstance()];
    try {
      for (;;) {
        const next = new EpollInstance();
        chain[chain.length - 1].add(next.fd, EPOLLIN, () => {});
        chain.push(next);
        if (chain.length > 8) return false;
      }
    } catch (error) {
      if (!refusal(error.code)) throw error;
      return true;
    } finally {
      for (const ep of chain) ep.close();
    }
  }
  // Each instance watches the one below: the depth reached, and the refused add's code.
  function buildChain(chain) {
    for (let i = 1; i < chain.length; i++) {
      try {
        chain[i].add(chain[i - 1].fd, EPOLLIN, () => {});
      } catch (error) {
        if (chain[i].size !== 0) throw new Error('the refused add left a registration');
        return { depth: i, code: error.code, syscall: error.syscall };
      }
    }
    return { depth: chain.length };
  }
  const create = (n, mode) => Array.from({ length: n }, () => new EpollInstance({ dispatch: mode }));
  const expected = (mode) => (mode === 'loop' && kernelCountsLevelsAbove() ? 4 : 5);
`;

describe("'loop' mode aborts the whole process on nesting (issue 11, item 4)", () => {
  test.each(['in its first tick', 'after the loop polled'])(
    "a loop-mode instance refuses, from add() and with the kernel's code, a chain that is too deep once the loop watches it (%s)",
    async (when) => {
      const result = await runScript(`${NESTING_PRELUDE}
        (async () => {
          // The issue's case: a chain of 4 instances that no loop watches, below a loop-mode top.
          const chain = create(4, 'thread');
          buildChain(chain);
          const top = new EpollInstance({ dispatch: 'loop' });
          if (${JSON.stringify(when)} !== 'in its first tick') await turns();
          let outcome = 'accepted';
          try { top.add(chain[3].fd, EPOLLIN, () => {}); } catch (error) { outcome = (refusal(error.code) ? 'refused' : error.code) + ' ' + error.syscall + ' ' + top.size; }
          await turns();
          console.log(outcome === (kernelCountsLevelsAbove() ? 'refused epoll_ctl 0' : 'accepted') ? 'as the kernel counts' : outcome);
          for (const ep of [...chain, top]) ep.close();
        })();`);
      expectCleanExit(result, 'as the kernel counts\n');
    },
  );

  test.each(MODES.flatMap((mode) => ['in the first tick', 'after the loop polled'].map((when) => [mode, when])))(
    'the whole range of chain depths, every instance in %s mode, chained %s: the same limit from the first tick on, and the process survives',
    async (mode, when) => {
      const result = await runScript(`${NESTING_PRELUDE}
        (async () => {
          const limit = expected(${JSON.stringify(mode)});
          const seen = [];
          for (let n = 1; n <= 7; n++) {
            const chain = create(n, ${JSON.stringify(mode)});
            if (${JSON.stringify(when)} !== 'in the first tick') await turns();
            const { depth, code, syscall } = buildChain(chain);
            const want = Math.min(n, limit);
            if (depth !== want || (n > limit ? !refusal(code) || syscall !== 'epoll_ctl' : code !== undefined)) seen.push({ n, depth, code });
            await turns();
            for (const ep of chain) ep.close();
          }
          console.log(JSON.stringify(seen));
        })();`);
      expectCleanExit(result, '[]\n');
    },
  );

  // Epoll fds that linux-epoll did not create: python3 (which node-gyp needs anyway) builds a chain
  // of its own, then runs node with it inherited; all of it, as closing a nested set drops it. It
  // first asks the kernel what it says to that chain under a stand-in for a new loop-mode
  // instance: a set holding an ordinary file (the instance's anchor), inside another set (the
  // loop's). Kernels count bare chains differently (5.10 only downwards from the set added).
  test.each([3, 4])(
    'a chain of %i epoll fds made by another program, added to a new loop-mode instance in its first tick: accepted or refused as the kernel counts, with its code, and the process survives',
    (foreign) => {
      const python = `
import os, select, sys
chain = []
for _ in range(int(sys.argv[1])):
    ep = select.epoll()
    if chain: ep.register(chain[-1].fileno(), select.EPOLLIN)
    os.set_inheritable(ep.fileno(), True)
    chain.append(ep)
loop, instance, (reader, writer) = select.epoll(), select.epoll(), os.pipe()
instance.register(reader, select.EPOLLIN)
loop.register(instance.fileno(), select.EPOLLIN)
try:
    instance.register(chain[-1].fileno(), select.EPOLLIN)
    os.environ['KERNEL_SAYS'] = 'accepted'
except OSError:
    os.environ['KERNEL_SAYS'] = 'refused'
loop.close(); instance.close(); os.close(reader); os.close(writer)
os.environ['FOREIGN_EPOLL_FD'] = str(chain[-1].fileno())
os.execv(sys.argv[2], sys.argv[2:])`;
      const script = `const LINUX_EPOLL = require(${JSON.stringify(PACKAGE)});
      ${NESTING_PRELUDE}
      const top = new EpollInstance({ dispatch: 'loop' });
      let outcome = 'accepted';
      try { top.add(+process.env.FOREIGN_EPOLL_FD, EPOLLIN, () => {}); } catch (error) { outcome = refusal(error.code) ? 'refused' : error.code; }
      turns().then(() => { console.log(outcome === process.env.KERNEL_SAYS ? 'as the kernel counts' : outcome); top.close(); });`;
      const result = spawnSync('python3', ['-c', python, String(foreign), process.execPath, '-e', script], {
        encoding: 'utf8',
        timeout: bound(10000),
      });
      expect({ signal: result.signal, status: result.status, stderr: result.stderr }).toEqual({
        signal: null,
        status: 0,
        stderr: '',
      });
      expect(result.stdout).toBe('as the kernel counts\n');
    },
  );

  test('in a worker, a too-deep chain under a new loop-mode instance is refused and the process survives', async () => {
    const result = await runScript(`
      const { Worker } = require('node:worker_threads');
      const worker = new Worker(\`
        const LINUX_EPOLL = require(${JSON.stringify(PACKAGE)});
        ${NESTING_PRELUDE}
        const chain = create(5, 'loop');
        const { depth } = buildChain(chain);
        require('node:worker_threads').parentPort.postMessage(depth === expected('loop') ? 'limit' : 'depth ' + depth);
        turns().then(() => { for (const ep of chain) ep.close(); });
      \`, { eval: true });
      worker.on('message', (m) => console.log(m));
      worker.on('exit', (code) => console.log('exit', code));`);
    expectCleanExit(result, 'limit\nexit 0\n');
  });
});

// Counts handler calls of an always-ready level-triggered fd. The only other thing alive is a
// ref'd timer far away, which is also the deadline: the loop may block until then, so a stalled
// instance shows as fewer events than asked for.
// The setup may move the target (2,000 events unless it does).
function deliveryScript(dispatch: DispatchMode, setup: string, onEvent = ''): string {
  return `
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ep = new EpollInstance({ dispatch: ${JSON.stringify(dispatch)} });
    const efd = new EventFd(1);
    let events = 0;
    let target = 2000;
    const deadline = setTimeout(() => { console.log('stalled at ' + events + ' events'); process.exit(3); }, 8000);
    const done = () => { ep.close(); efd.close(); clearTimeout(deadline); console.log('delivered'); };
    ep.add(efd.fd, EPOLLIN, () => { events++; ${onEvent} if (events === target) done(); });
    ${setup}`;
}

describeEachMode("'thread' mode stalls when unref'd, and hangs forever after ref() (issue 11, item 5)", (dispatch) => {
  test.each([
    ["ref'd", 'ref'],
    ["unref'd", 'unref'],
  ])(
    "an instance %s delivers 2,000 events of a ready fd while a ref'd timer keeps the process alive",
    async (_, state) => {
      const result = await runScript(deliveryScript(dispatch, `ep.${state}();`), { timeoutMs: 15000 });
      expectCleanExit(result, 'delivered\n');
    },
  );

  // Until the ref(), a short interval keeps the process alive and wakes a stalled loop.
  test.each([1, 10, 100])(
    "ref() from a handler of a busy unref'd instance (at event %i) takes effect on the pending batch: it keeps delivering alone, and the process exits after close()",
    async (at) => {
      const setup = 'ep.unref(); const keepAlive = setInterval(() => {}, 20);';
      const onEvent = `if (events === ${at}) { ep.ref(); clearTimeout(deadline); clearInterval(keepAlive); }`;
      const result = await runScript(deliveryScript(dispatch, setup, onEvent), { timeoutMs: 10000 });
      expectCleanExit(result, 'delivered\n');
    },
  );

  test("ref() from a timer on a busy unref'd instance takes effect on the pending batch", async () => {
    const result = await runScript(
      deliveryScript(
        dispatch,
        'ep.unref(); target = Infinity; setTimeout(() => { ep.ref(); clearTimeout(deadline); target = events + 2000; }, 20);',
      ),
      {
        timeoutMs: 10000,
      },
    );
    expectCleanExit(result, 'delivered\n');
  });

  test("unref() from a handler of a busy ref'd instance lets the process exit with nothing else alive", async () => {
    const result = await runScript(
      `const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
      const ep = new EpollInstance({ dispatch: ${JSON.stringify(dispatch)} });
      const efd = new EventFd(1);
      let events = 0;
      ep.add(efd.fd, EPOLLIN, () => { if (++events === 100) ep.unref(); });
      process.on('exit', () => console.log(events >= 100 ? 'exited after unref' : 'exited at ' + events));`,
      { timeoutMs: 10000 },
    );
    expectCleanExit(result, 'exited after unref\n');
  });
});

// Counts handler calls of an fd under fake timers, until `wanted` of them, with a deadline that
// must not be a faked timer itself.
async function callsUnderFakeTimers(
  dispatch: DispatchMode,
  events: number,
  onEvent: (efd: EventFd) => void,
  wanted: number,
): Promise<number> {
  jest.useFakeTimers();
  const ep = new EpollInstance({ dispatch });
  const efd = new EventFd(1);
  let calls = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = realSetTimeout(() => reject(new Error(`timed out after 5000 ms with ${calls} calls`)), 5000);
      ep.add(efd.fd, events, () => {
        onEvent(efd);
        if (++calls === wanted) resolve();
      });
    });
  } finally {
    realClearTimeout(timer);
    ep.close();
    efd.close();
  }
  return calls;
}

describeEachMode("'thread' mode stops under fake timers (issue 11, item 6)", (dispatch) => {
  afterEach(() => jest.useRealTimers());

  test("jest's modern fake timers do not stop dispatch: 1,000 events of a ready fd are delivered", async () => {
    expect(await callsUnderFakeTimers(dispatch, EPOLLIN, () => undefined, 1000)).toBe(1000);
  });

  test('under fake timers, events written one at a time from handlers each arrive', async () => {
    // Edge-triggered: each write after a read is a new edge, so each call is a new event.
    const readAndWrite = (efd: EventFd): void => {
      efd.read();
      efd.write(1);
    };
    expect(await callsUnderFakeTimers(dispatch, EPOLLIN | EPOLLET, readAndWrite, 200)).toBe(200);
  });
});

// Assigns in strict mode (this file is a module) and in sloppy mode, where a failed assignment is
// silent; either way nothing may change.
function assignEach(target: object, values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    expect(errorFrom(() => ((target as Record<string, unknown>)[name] = value)).name).toBe('TypeError');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a sloppy-mode function, on purpose
    new Function('target', 'value', `target[${JSON.stringify(name)}] = value;`)(target, value);
  }
}

describe('`dispatch` and `maxEvents` are writable (issue 11, item 7)', () => {
  test.each(MODES)(
    'assigning dispatch or maxEvents throws in strict mode, and a thread or loop instance (%s) keeps dispatching',
    async (dispatch) => {
      const ep = new EpollInstance({ dispatch, maxEvents: 4 });
      const efd = new EventFd(1);
      let events = 0;
      try {
        ep.add(efd.fd, EPOLLIN, () => events++);
        assignEach(ep, {
          dispatch: dispatch === 'thread' ? 'loop' : 'thread',
          maxEvents: 65536,
          size: 0,
          fd: -1,
          closed: true,
        });
        expect([ep.dispatch, ep.maxEvents, ep.size, ep.closed]).toEqual([dispatch, 4, 1, false]);
        // An own property shadowing the getter is the caller's; the instance's behaviour stays.
        Object.defineProperty(ep, 'dispatch', { value: dispatch === 'thread' ? 'loop' : 'thread' });
        await waitFor(() => events > 500, 'many batches after the assignments');
      } finally {
        ep.close();
        efd.close();
      }
    },
  );

  test('no public object has an own property a user could overwrite; their accessors throw on assignment in strict mode', () => {
    const ep = new EpollInstance();
    const efd = new EventFd();
    const tfd = new TimerFd();
    const compat = new Epoll(() => undefined);
    try {
      for (const object of [ep, efd, tfd, compat]) expect(Object.getOwnPropertyNames(object)).toEqual([]);
      assignEach(efd, { fd: -1, closed: true });
      assignEach(tfd, { fd: -1, closed: true });
      assignEach(compat, { closed: true });
      assignEach(Epoll, { EPOLLIN: 0, EPOLLET: 0 });
      expect([efd.fd, tfd.fd].every((fd) => fd >= 0)).toBe(true);
      expect([efd.closed, tfd.closed, compat.closed, Epoll.EPOLLIN, Epoll.EPOLLET]).toEqual([
        false,
        false,
        false,
        EPOLLIN,
        EPOLLET,
      ]);
    } finally {
      ep.close();
      efd.close();
      tfd.close();
      compat.close();
    }
  });
});

describeEachMode('`this` inside a handler is the internal registration record (issue 11, item 8)', (dispatch) => {
  test('a handler is called with `this` undefined', async () => {
    const ep = new EpollInstance({ dispatch });
    const efd = new EventFd(1);
    const receivers: unknown[] = [];
    try {
      ep.add(efd.fd, EPOLLIN, function (this: unknown) {
        receivers.push(this);
      });
      await waitFor(() => receivers.length > 0, 'an event');
      // Changed handler, same rule.
      ep.modify(efd.fd, EPOLLIN, function (this: unknown) {
        receivers.push(this);
      });
      const before = receivers.length;
      await waitFor(() => receivers.length > before, 'an event for the new handler');
    } finally {
      ep.close();
      efd.close();
    }
    expect(receivers.every((receiver) => receiver === undefined)).toBe(true);
  });

  test("compat's callback keeps epoll@4's `this`, the global object", async () => {
    const receivers: unknown[] = [];
    const epoll = new Epoll(
      function (this: unknown) {
        receivers.push(this);
      },
      { dispatch },
    );
    const efd = new EventFd(1);
    try {
      epoll.add(efd.fd, Epoll.EPOLLIN);
      await waitFor(() => receivers.length > 0, 'an event');
    } finally {
      epoll.close();
      efd.close();
    }
    expect(receivers.every((receiver) => receiver === globalThis)).toBe(true);
  });
});
