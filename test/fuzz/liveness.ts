// Model-based testing of liveness under unref (issue 11, item 5's class): instances of both modes,
// ref'd or unref'd, watch level-triggered eventfds that random writes make ready; ref() and unref()
// come between operations, from handlers and from timers, at random moments. While the test keeps
// the process alive (its own bounded wait is a ref'd timer), an unref'd instance must deliver like
// a ref'd one: every instance watching a ready fd gets DELIVERIES more handler calls for it within
// a bounded wait, a rate a stalled instance (a few calls a second) cannot reach.
import * as timers from 'node:timers';

import fc from 'fast-check';

import { EPOLLIN, EpollInstance, EventFd, type DispatchMode } from '../../lib';
import { MODES } from '../support/modes';
import { nextMacrotask } from '../support/wait';
import { addCounts } from './stats';

const INSTANCES = 3;
const SLOTS = 3;
const DELIVERIES = 50;
// Real timers, as the rest of the model's waits: a test may fake the globals.
const { setTimeout, clearTimeout } = timers;

type Change = 'ref' | 'unref';
export type LivenessOp =
  | { kind: Change; inst: number; from: 'now' | 'handler' }
  | { kind: Change; inst: number; from: 'timer'; delayMs: number }
  | { kind: 'write' | 'drain'; slot: number }
  | { kind: 'tick' | 'deliver' };

const inst = fc.nat(INSTANCES - 1);
const slot = fc.nat(SLOTS - 1);
// Mostly unref(): ref() on a busy unref'd instance is the other half of the class.
const change = fc.constantFrom('unref' as const, 'unref' as const, 'ref' as const);
export const livenessOpArbitrary: fc.Arbitrary<LivenessOp> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: change, inst, from: fc.constantFrom('now' as const, 'handler' as const) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: change, inst, from: fc.constant('timer' as const), delayMs: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('write' as const, 'drain' as const), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('tick' as const, 'deliver' as const) }) },
);
// A busy instance of either mode keeps the loop from blocking, and so hides a stalled one: runs in
// which every instance is unref'd, or all have one mode, come often.
const all = <T>(value: T): fc.Arbitrary<T[]> => fc.constant(Array.from({ length: INSTANCES }, () => value));
export const livenessCaseArbitrary = fc.record({
  modes: fc.oneof(
    all<DispatchMode>('thread'),
    all<DispatchMode>('loop'),
    fc.array(fc.constantFrom(...MODES), { minLength: INSTANCES, maxLength: INSTANCES }),
  ),
  unrefAtStart: fc.oneof(
    { weight: 2, arbitrary: all(true) },
    { weight: 1, arbitrary: fc.array(fc.boolean(), { minLength: INSTANCES, maxLength: INSTANCES }) },
  ),
  ops: fc.array(livenessOpArbitrary, { minLength: 1, maxLength: 20 }),
});
export type LivenessCase = { modes: DispatchMode[]; unrefAtStart: boolean[]; ops: LivenessOp[] };

interface Watcher {
  ep: EpollInstance;
  name: string;
  /** Handler calls, by slot. */
  calls: number[];
  /** ref()/unref() that the next handler call issues. */
  fromHandler: Change[];
}

export class LivenessRun {
  readonly violations: string[] = [];
  readonly stats = { ops: 0, handlerCalls: 0, changes: 0, deliveries: 0 };
  readonly #slots: EventFd[] = Array.from({ length: SLOTS }, () => new EventFd());
  readonly #ready: boolean[] = Array.from({ length: SLOTS }, () => false);
  readonly #watchers: Watcher[];
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Set while #deliver waits: checks, after each handler call, whether the wait is over. */
  #onCall: () => unknown = () => false;

  constructor(modes: readonly DispatchMode[], unrefAtStart: readonly boolean[]) {
    this.#watchers = modes.map((dispatch, i) => {
      const watcher: Watcher = {
        ep: new EpollInstance({ dispatch }),
        name: `instance ${i} (${dispatch})`,
        calls: this.#slots.map(() => 0),
        fromHandler: [],
      };
      this.#slots.forEach((efd, s) => watcher.ep.add(efd.fd, EPOLLIN, () => this.#handle(watcher, s)));
      if (unrefAtStart[i]) watcher.ep.unref();
      return watcher;
    });
  }

  async run(ops: readonly LivenessOp[]): Promise<void> {
    try {
      for (const op of ops) {
        this.stats.ops++;
        await this.#apply(op);
        if (this.violations.length > 0) return;
      }
      await this.#deliver();
    } finally {
      for (const timer of this.#timers) clearTimeout(timer);
      for (const watcher of this.#watchers) watcher.ep.close();
      for (const efd of this.#slots) efd.close();
    }
  }

  async #apply(op: LivenessOp): Promise<void> {
    switch (op.kind) {
      case 'ref':
      case 'unref': {
        const watcher = this.#watchers[op.inst];
        if (op.from === 'now') this.#change(watcher, op.kind);
        else if (op.from === 'handler') watcher.fromHandler.push(op.kind);
        else if (op.from === 'timer') this.#later(op.delayMs, () => this.#change(watcher, op.kind));
        return;
      }
      case 'write':
        this.#slots[op.slot].write(1);
        this.#ready[op.slot] = true;
        return;
      case 'drain':
        this.#slots[op.slot].read();
        this.#ready[op.slot] = false;
        return;
      case 'tick':
        return nextMacrotask();
      case 'deliver':
        return this.#deliver();
    }
  }

  #handle(watcher: Watcher, s: number): void {
    this.stats.handlerCalls++;
    watcher.calls[s]++;
    for (const kind of watcher.fromHandler.splice(0)) this.#change(watcher, kind);
    this.#onCall();
  }

  #change(watcher: Watcher, kind: Change): void {
    this.stats.changes++;
    if (watcher.ep[kind]() !== watcher.ep)
      this.violations.push(`${watcher.name}.${kind}() did not return the instance`);
  }

  #later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, delayMs);
    this.#timers.add(timer);
  }

  /**
   * Every instance, ref'd or not, goes on dispatching each ready fd at full rate. Waited for from
   * the handlers, under one far deadline: a wait that polled would wake the loop itself, and so
   * hide an instance that lets the loop block while it has events.
   */
  async #deliver(): Promise<void> {
    const owed = this.#watchers.flatMap((watcher) =>
      this.#ready.flatMap((ready, s) => (ready ? [{ watcher, s, until: watcher.calls[s] + DELIVERIES }] : [])),
    );
    const outstanding = (): typeof owed => owed.filter((o) => o.watcher.calls[o.s] < o.until);
    let deadline: NodeJS.Timeout | undefined;
    const delivered = await new Promise<boolean>((resolve) => {
      this.#onCall = () => outstanding().length === 0 && resolve(true);
      deadline = setTimeout(() => resolve(false), 2000);
      this.#onCall();
    });
    this.#onCall = () => false;
    clearTimeout(deadline);
    if (delivered) {
      this.stats.deliveries += owed.length * DELIVERIES;
    } else {
      this.violations.push(
        `fewer than ${DELIVERIES} calls within 2 s: ${outstanding()
          .map((o) => `${o.watcher.name} slot ${o.s} (${o.until - o.watcher.calls[o.s]} short)`)
          .join('; ')}`,
      );
    }
  }
}

export async function checkLiveness(
  { modes, unrefAtStart, ops }: LivenessCase,
  totals?: LivenessRun['stats'],
): Promise<void> {
  const run = new LivenessRun(modes, unrefAtStart);
  await run.run(ops);
  addCounts(totals, run.stats);
  if (run.violations.length > 0) throw new Error(run.violations.join('\n'));
}
