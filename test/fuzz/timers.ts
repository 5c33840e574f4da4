// Model-based testing of TimerFd (issue 11, item 10's class): random start(delay, interval) with
// times down to Number.MIN_VALUE, stop, close and reopen, reads, and registrations in instances of
// both modes whose handlers read. The kernel's counts are checked against the model:
//   - a timer started with a positive interval stays periodic: it expires again after each read;
//   - one started with interval 0 expires exactly once;
//   - a stopped timer, or one restarted, has discarded what was not read; a stopped one stays quiet;
//   - an armed timer registered in instances is dispatched there, within a bounded wait;
//   - assigning to its fd or closed changes neither.
import fc from 'fast-check';

import { EPOLLIN, EpollInstance, TimerFd, type DispatchMode } from '../../lib';
import { MODES } from '../support/modes';
import { nextMacrotask, waitFor } from '../support/wait';
import { addCounts } from './stats';

const SLOTS = 3;
const INSTANCES = 2;
// Positive times that round to 0 ns included: they must be kept at 1 ns, a delay and an interval alike.
const DELAYS = [Number.MIN_VALUE, 1e-9, 4.9e-7, 1e-6, 0.01, 0.5, 3, 10];
const INTERVALS = [0, 0, Number.MIN_VALUE, 1e-9, 4.9e-7, 1e-6, 0.05, 2, 7];

export type TimerOp =
  | { kind: 'start'; slot: number; delayMs: number; intervalMs: number }
  | { kind: 'stop' | 'read' | 'close' | 'open' | 'assign'; slot: number }
  | { kind: 'register' | 'unregister'; inst: number; slot: number }
  | { kind: 'tick' | 'settle' };

const slot = fc.nat(SLOTS - 1);
const inst = fc.nat(INSTANCES - 1);
export const timerOpArbitrary: fc.Arbitrary<TimerOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('start' as const),
      slot,
      delayMs: fc.constantFrom(...DELAYS),
      intervalMs: fc.constantFrom(...INTERVALS),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('stop' as const, 'read' as const, 'close' as const, 'open' as const, 'assign' as const),
      slot,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constantFrom('register' as const, 'unregister' as const), inst, slot }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('tick' as const, 'settle' as const) }) },
);
export const timerCaseArbitrary = fc.record({
  modes: fc.array(fc.constantFrom(...MODES), { minLength: INSTANCES, maxLength: INSTANCES }),
  ops: fc.array(timerOpArbitrary, { minLength: 1, maxLength: 30 }),
});
export type TimerCase = { modes: DispatchMode[]; ops: TimerOp[] };

interface Slot {
  timer: TimerFd | null;
  /** null while disarmed. */
  armed: { periodic: boolean; what: string } | null;
  /** Expirations read since the last start(). */
  expirations: bigint;
  /** Handler calls, by instance. */
  calls: number[];
}

export class TimerRun {
  readonly violations: string[] = [];
  readonly stats = { ops: 0, expirations: 0n, handlerCalls: 0, settled: 0 };
  readonly #slots: Slot[] = Array.from({ length: SLOTS }, () => ({
    timer: new TimerFd(),
    armed: null,
    expirations: 0n,
    calls: [0, 0],
  }));
  readonly #instances: EpollInstance[];

  constructor(modes: readonly DispatchMode[]) {
    this.#instances = modes.map((dispatch) => new EpollInstance({ dispatch }));
  }

  async run(ops: readonly TimerOp[]): Promise<void> {
    try {
      for (const op of ops) {
        this.stats.ops++;
        if ('slot' in op) this.#apply(op);
        else await (op.kind === 'tick' ? nextMacrotask() : this.#settle());
        if (this.violations.length > 0) return;
      }
      await this.#settle();
    } finally {
      for (const ep of this.#instances) ep.close();
      for (const s of this.#slots) s.timer?.close();
    }
  }

  #apply(op: Extract<TimerOp, { slot: number }>): void {
    const s = this.#slots[op.slot];
    if (op.kind === 'open') {
      if (s.timer === null) Object.assign(s, { timer: new TimerFd(), armed: null, expirations: 0n });
      return;
    }
    const timer = s.timer;
    if (timer === null) return;
    switch (op.kind) {
      case 'start':
        timer.start(op.delayMs, op.intervalMs);
        s.armed = { periodic: op.intervalMs > 0, what: `start(${op.delayMs}, ${op.intervalMs})` };
        s.expirations = 0n;
        return;
      case 'stop':
        timer.stop();
        s.armed = null;
        // Stopping discards the count: nothing is left to read, at once.
        return this.#read(s, 'read() right after stop()');
      case 'read':
        return this.#read(s, 'read()');
      case 'close':
        // As documented: removed from every instance first.
        for (const ep of this.#instances) if (ep.has(timer.fd)) ep.remove(timer.fd);
        timer.close();
        s.timer = null;
        return;
      case 'assign':
        return this.#assign(timer);
      case 'register': {
        const ep = this.#instances[op.inst];
        if (ep.has(timer.fd)) return;
        ep.add(timer.fd, EPOLLIN, () => {
          this.stats.handlerCalls++;
          s.calls[op.inst]++;
          this.#read(s, `read() in instance ${op.inst}'s handler`);
        });
        return;
      }
      case 'unregister':
        if (this.#instances[op.inst].has(timer.fd)) this.#instances[op.inst].remove(timer.fd);
        return;
    }
  }

  #read(s: Slot, what: string): void {
    const count = s.timer?.read() ?? null;
    if (count === null) return;
    this.stats.expirations += count;
    s.expirations += count;
    if (s.armed === null) this.violations.push(`${what}: ${count} expirations of a stopped timer`);
    else if (!s.armed.periodic && s.expirations > 1n)
      this.violations.push(`${what}: one-shot ${s.armed.what} expired ${s.expirations} times`);
  }

  #assign(timer: TimerFd): void {
    const { fd, closed } = timer;
    for (const [property, value] of [
      ['fd', -1],
      ['closed', true],
    ] as const) {
      try {
        (timer as unknown as Record<string, unknown>)[property] = value;
        this.violations.push(`assigning ${property} did not throw`);
      } catch (error) {
        if ((error as Error).name !== 'TypeError') this.violations.push(`assigning ${property} threw ${String(error)}`);
      }
    }
    if (timer.fd !== fd || timer.closed !== closed)
      this.violations.push(`assignments changed fd ${fd} to ${timer.fd}, closed to ${timer.closed}`);
  }

  /**
   * Every armed timer expires: a one-shot one once in all, a periodic one twice more from now on,
   * read by a handler of an instance it is registered in, or else by this wait.
   */
  async #settle(): Promise<void> {
    const owed = this.#slots.flatMap((s) => {
      if (s.timer === null || s.armed === null) return [];
      const fd = s.timer.fd;
      const registeredIn = this.#instances.flatMap((ep, i) => (ep.has(fd) ? [i] : []));
      return [
        {
          s,
          registeredIn,
          calls: [...s.calls],
          from: s.expirations,
          what: `fd ${fd} ${s.armed.what} in [${registeredIn.join(', ')}]`,
        },
      ];
    });
    const done = (o: (typeof owed)[number]): boolean => {
      if (o.registeredIn.length === 0) this.#read(o.s, 'read()');
      if (!o.s.armed?.periodic) return o.s.expirations >= 1n;
      // Registered in two instances, the first to read may always win: some handler, not each.
      const dispatched = o.registeredIn.length === 0 || o.registeredIn.some((i) => o.s.calls[i] > o.calls[i]);
      return dispatched && o.s.expirations >= o.from + 2n;
    };
    try {
      await waitFor(
        () => this.violations.length > 0 || owed.every((o) => o.s.armed === null || done(o)),
        'timer expirations',
        2000,
      );
      this.stats.settled += owed.length;
    } catch {
      this.violations.push(
        `expirations missing: ${owed
          .filter((o) => !done(o))
          .map((o) => `${o.what}: ${o.s.expirations} read since start`)
          .join('; ')}`,
      );
    }
  }
}

export async function checkTimers({ modes, ops }: TimerCase, totals?: TimerRun['stats']): Promise<void> {
  const run = new TimerRun(modes);
  await run.run(ops);
  addCounts(totals, run.stats);
  if (run.violations.length > 0) throw new Error(run.violations.join('\n'));
}
