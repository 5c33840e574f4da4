// Model-based testing of EpollInstance: random sequences of operations run against real instances
// and real eventfds, and against a model of what the README promises. Handlers run operations of
// their own during dispatch, through the same checked path. Any difference is a violation:
//   - a handler runs for a removed or replaced registration, or gets bits it did not ask for;
//   - a level-triggered fd that stays ready (or an edge that arrived) is never dispatched;
//   - has() or size disagree with the model;
//   - a handler runs with a `this` other than undefined;
//   - assigning to a public property (EpollInstance's dispatch, maxEvents, fd, size, closed; an
//     EventFd's fd, closed) changes what it reads, or anything the model checks afterwards;
//   - a call fails when the model says it succeeds, or with another error, or changes state;
//   - a hostile io or sock call (hostile.ts), made between operations or from inside a handler,
//     moves other bytes than its model says, or runs user code more than once per element.
import * as fs from 'node:fs';

import fc from 'fast-check';

import { EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EpollInstance, EventFd, type DispatchMode } from '../../lib';
import { MODES } from '../support/modes';
import { nextMacrotask, waitFor } from '../support/wait';
import { checkHostile, hostileArbitrary, type HostileCase } from './hostile';
import { addCounts } from './stats';

export const SLOTS = 5;
export const INSTANCES = 3;

export const MASKS = {
  in: EPOLLIN,
  out: EPOLLOUT,
  inOut: EPOLLIN | EPOLLOUT,
  inEdge: EPOLLIN | EPOLLET,
  inOneShot: EPOLLIN | EPOLLONESHOT,
  inEdgeOneShot: EPOLLIN | EPOLLET | EPOLLONESHOT,
} as const;
export type MaskName = keyof typeof MASKS;

// Calls that must be refused before anything changes: [call, expected name, expected code].
export const BAD_CALLS = {
  addNegativeFd: [(ep: EpollInstance) => ep.add(-1, EPOLLIN, () => undefined), 'RangeError', 'ERR_OUT_OF_RANGE'],
  addStringFd: [
    (ep: EpollInstance) => ep.add('3' as never, EPOLLIN, () => undefined),
    'TypeError',
    'ERR_INVALID_ARG_TYPE',
  ],
  addUnknownBits: [(ep: EpollInstance) => ep.add(0, 1 << 20, () => undefined), 'RangeError', 'ERR_INVALID_ARG_VALUE'],
  addNoHandler: [(ep: EpollInstance) => ep.add(0, EPOLLIN, {} as never), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
  modifyNaN: [(ep: EpollInstance) => ep.modify(NaN, EPOLLIN), 'RangeError', 'ERR_OUT_OF_RANGE'],
  removeFraction: [(ep: EpollInstance) => ep.remove(1.5), 'RangeError', 'ERR_OUT_OF_RANGE'],
  hasBigint: [(ep: EpollInstance) => ep.has(1n as never), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
} as const;
export type BadCallName = keyof typeof BAD_CALLS;

// Public properties that are getters over private state, and values a user might assign to them.
export const INSTANCE_PROPERTIES = ['dispatch', 'maxEvents', 'fd', 'size', 'closed'] as const;
export const FILE_PROPERTIES = ['fd', 'closed'] as const;
const ASSIGNED_VALUES = [-1, 0, 1, 65536, 'loop', 'thread', true, false, null] as const;
export type Assignment =
  | { on: 'instance'; inst: number; property: (typeof INSTANCE_PROPERTIES)[number]; value: unknown; strict: boolean }
  | { on: 'file'; slot: number; property: (typeof FILE_PROPERTIES)[number]; value: unknown; strict: boolean };

/** What a handler does when it runs: drain its eventfd (every time), then some operations (first time only). */
export interface Behavior {
  drain: boolean;
  then: Op[];
}

export type Op =
  | { kind: 'open' | 'closeFd' | 'write' | 'drain'; slot: number }
  | { kind: 'add'; inst: number; slot: number; mask: MaskName; behavior: Behavior }
  | { kind: 'modify'; inst: number; slot: number; mask: MaskName; behavior: Behavior | null }
  | { kind: 'remove'; inst: number; slot: number }
  /** remove() if registered, then add() again: the pattern that stale events would hurt. */
  | { kind: 'readd'; inst: number; slot: number; mask: MaskName; behavior: Behavior }
  | { kind: 'close' | 'reopen' | 'ref' | 'unref'; inst: number }
  /** Opens /dev/null, which epoll cannot watch (EPERM), or closes the newest one opened. */
  | { kind: 'occupy' | 'release' }
  | { kind: 'bad'; inst: number; call: BadCallName }
  | { kind: 'hostile'; attack: HostileCase }
  | { kind: 'assign'; assignment: Assignment }
  | { kind: 'tick' | 'settle' };

// ---------------------------------------------------------------------------------------------
// Generators

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const inst = fc.integer({ min: 0, max: INSTANCES - 1 });
const mask = fc.constantFrom(...(Object.keys(MASKS) as MaskName[]));
const assignment: fc.Arbitrary<Assignment> = fc.oneof(
  fc.record({
    on: fc.constant('instance' as const),
    inst,
    property: fc.constantFrom(...INSTANCE_PROPERTIES),
    value: fc.constantFrom(...ASSIGNED_VALUES),
    strict: fc.boolean(),
  }),
  fc.record({
    on: fc.constant('file' as const),
    slot,
    property: fc.constantFrom(...FILE_PROPERTIES),
    value: fc.constantFrom(...ASSIGNED_VALUES),
    strict: fc.boolean(),
  }),
);
const assignOp = fc.record({ kind: fc.constant('assign' as const), assignment });

// Operations a handler may run: no waiting, and no handlers of their own that act again. Mostly on
// the handler's own instance (OWN), where a change can hit the batch being dispatched.
export const OWN = -1;
const quiet: Behavior = { drain: false, then: [] };
const target = fc.oneof({ weight: 3, arbitrary: fc.constant(OWN) }, { weight: 1, arbitrary: inst });
const handlerOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), inst: target, slot }),
  fc.record({
    kind: fc.constantFrom('add' as const, 'readd' as const),
    inst: target,
    slot,
    mask,
    behavior: fc.constant(quiet),
  }),
  fc.record({ kind: fc.constant('modify' as const), inst: target, slot, mask, behavior: fc.constantFrom(null, quiet) }),
  fc.record({ kind: fc.constantFrom('close' as const, 'reopen' as const), inst: target }),
  fc.record({ kind: fc.constantFrom('open' as const, 'closeFd' as const, 'write' as const, 'drain' as const), slot }),
  fc.record({ kind: fc.constant('hostile' as const), attack: hostileArbitrary }),
  assignOp,
);
const behavior: fc.Arbitrary<Behavior> = fc.record({
  drain: fc.boolean(),
  then: fc.array(handlerOp, { maxLength: 3 }),
});

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('open' as const), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('closeFd' as const), slot }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const), slot }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), inst, slot, mask, behavior }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('modify' as const), inst, slot, mask, behavior: fc.option(behavior) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), inst, slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readd' as const), inst, slot, mask, behavior }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('close' as const, 'reopen' as const, 'ref' as const, 'unref' as const),
      inst,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bad' as const),
      inst,
      call: fc.constantFrom(...(Object.keys(BAD_CALLS) as BadCallName[])),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('occupy' as const, 'release' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('hostile' as const), attack: hostileArbitrary }) },
  { weight: 1, arbitrary: assignOp },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('tick' as const, 'settle' as const) }) },
);

export const sequenceArbitrary = fc.array(opArbitrary, { minLength: 1, maxLength: 60, size: 'max' });

// ---------------------------------------------------------------------------------------------
// The model

interface Slot {
  file: EventFd | null;
  /** The fd number of the file, or of the last file once closed (so that closed fds get used). */
  fd: number;
  counter: number;
  /** Bumped by each read that empties the counter: readiness seen before it may be gone. */
  drains: number;
}

interface Registration {
  file: EventFd;
  handlerId: number;
  mask: number;
  /** Bumped by modify: an expectation formed before it no longer applies. */
  version: number;
  armed: boolean;
  /** The fd was readable at some point while this registration existed: only then may EPOLLIN come. */
  sawReadable: boolean;
  /** Edge-triggered: an edge the handler has not yet been told about. */
  pendingEdge: boolean;
  calls: number;
}

/** A handler acts once (its behavior's ops), for the instance it was made for. */
interface HandlerState {
  owner: Instance | null;
  acted: boolean;
}

interface Instance {
  ep: EpollInstance;
  regs: Map<number, Registration>;
}

export interface RunStats {
  ops: number;
  handlerCalls: number;
  rejected: number;
  hostile: number;
}

const ALWAYS = 0x18; // EPOLLERR | EPOLLHUP

function errorOf(fn: () => unknown): { name: string; code: string } | null {
  try {
    fn();
    return null;
  } catch (error) {
    const e = error as Error & { code?: string };
    return { name: e.name, code: String(e.code) };
  }
}

export class ModelRun {
  readonly violations: string[] = [];
  readonly stats: RunStats = { ops: 0, handlerCalls: 0, rejected: 0, hostile: 0 };
  #slots: Slot[] = Array.from({ length: SLOTS }, () => ({ file: null, fd: -1, counter: 0, drains: 0 }));
  #instances: (Instance | null)[];
  #handlerIds = 0;
  #retired: EpollInstance[] = [];
  /** Open /dev/null fds: they take the numbers that closed eventfds free. */
  #unpollable: number[] = [];

  /** 'mixed' gives the instances alternate dispatch modes. */
  constructor(
    readonly dispatch: DispatchMode | 'mixed',
    readonly maxEvents: readonly number[] = [64, 2, 1],
  ) {
    this.#instances = Array.from({ length: INSTANCES }, (_, i) => this.#newInstance(i));
    // Every slot starts with an open eventfd, so that short sequences already do something.
    for (let index = 0; index < SLOTS; index++) this.#open(index);
  }

  async run(ops: readonly Op[]): Promise<void> {
    try {
      for (const op of ops) {
        if (op.kind === 'tick') await nextMacrotask();
        else if (op.kind === 'settle') await this.settle();
        else this.apply(op);
        if (this.violations.length > 0) break;
      }
      if (this.violations.length === 0) await this.settle();
    } finally {
      this.dispose();
    }
  }

  dispose(): void {
    for (const instance of this.#instances) instance?.ep.close();
    for (const ep of this.#retired) ep.close();
    for (const s of this.#slots) s.file?.close();
    for (const fd of this.#unpollable) fs.closeSync(fd);
  }

  /** Runs one operation on the real objects and the model, and compares the two afterwards. */
  apply(op: Op): void {
    this.stats.ops++;
    switch (op.kind) {
      case 'open':
        return this.#open(op.slot);
      case 'closeFd':
        return this.#closeFd(op.slot);
      case 'write':
        return this.#write(op.slot);
      case 'drain':
        return this.#drain(op.slot);
      case 'add':
        return this.#add(op.inst, op.slot, op.mask, op.behavior);
      case 'modify':
        return this.#modify(op.inst, op.slot, op.mask, op.behavior);
      case 'remove':
        return this.#remove(op.inst, op.slot);
      case 'readd':
        if (this.#instances[op.inst]?.regs.has(this.#slots[op.slot].fd)) this.#remove(op.inst, op.slot);
        return this.#add(op.inst, op.slot, op.mask, op.behavior);
      case 'close':
        return this.#close(op.inst);
      case 'reopen':
        return this.#reopen(op.inst);
      case 'ref':
      case 'unref':
        return this.#refOrUnref(op.inst, op.kind);
      case 'occupy':
        this.#unpollable.push(fs.openSync('/dev/null', 'r'));
        return this.#compare();
      case 'release':
        if (this.#unpollable.length > 0) fs.closeSync(this.#unpollable.pop()!);
        return this.#compare();
      case 'bad':
        return this.#bad(op.inst, op.call);
      case 'hostile':
        return this.#hostile(op.attack);
      case 'assign':
        return this.#assign(op.assignment);
      default:
        throw new Error(`not a synchronous operation: ${op.kind}`);
    }
  }

  /**
   * Waits until every registration that the kernel must report has been dispatched: live, armed,
   * and level-triggered on a ready fd, or edge-triggered with an edge pending. One that a handler
   * removes, modifies or drains meanwhile no longer has to be.
   */
  async settle(): Promise<void> {
    const expected = this.#expectations();
    const outstanding = (): typeof expected => expected.filter((e) => e.stillOwed());
    try {
      await waitFor(() => outstanding().length === 0 || this.violations.length > 0, 'readiness', 1500);
    } catch {
      this.#violation(
        `readiness missed: ${outstanding()
          .map((e) => e.what)
          .join('; ')}`,
      );
    }
  }

  #expectations(): { what: string; stillOwed: () => boolean }[] {
    const result: { what: string; stillOwed: () => boolean }[] = [];
    this.#instances.forEach((instance, i) => {
      if (instance === null) return;
      for (const [fd, reg] of instance.regs) {
        const s = this.#slotOf(reg.file);
        if (s === null || !reg.armed) continue;
        const edge = (reg.mask & EPOLLET) !== 0;
        const readyIn = (reg.mask & EPOLLIN) !== 0 && s.counter > 0;
        const readyOut = (reg.mask & EPOLLOUT) !== 0;
        if (edge ? !reg.pendingEdge : !(readyIn || readyOut)) continue;
        const { calls, version } = reg;
        const drains = s.drains;
        result.push({
          what: `instance ${i} fd ${fd} mask 0x${(reg.mask >>> 0).toString(16)}${edge ? ' (edge pending)' : ' (ready)'}`,
          stillOwed: () =>
            reg.calls === calls &&
            this.#instances[i] === instance &&
            instance.regs.get(fd) === reg &&
            reg.version === version &&
            reg.file === s.file &&
            (readyOut || s.drains === drains),
        });
      }
    });
    return result;
  }

  // --- fds -----------------------------------------------------------------------------------

  #open(index: number): void {
    const s = this.#slots[index];
    if (s.file !== null) return;
    s.file = new EventFd();
    s.fd = s.file.fd;
    s.counter = 0;
    this.#compare();
  }

  #closeFd(index: number): void {
    const s = this.#slots[index];
    if (s.file === null) return;
    // Without remove(): the kernel drops its registrations, lib/ keeps them until told.
    s.file.close();
    s.file = null;
    this.#compare();
  }

  #write(index: number): void {
    const s = this.#slots[index];
    if (s.file === null) return;
    s.file.write(1);
    s.counter++;
    for (const reg of this.#liveRegistrationsOf(s.file)) {
      reg.sawReadable = true;
      if ((reg.mask & EPOLLET) !== 0 && (reg.mask & EPOLLIN) !== 0 && reg.armed) reg.pendingEdge = true;
    }
  }

  #drain(index: number): void {
    const s = this.#slots[index];
    if (s.file === null) return;
    const value = s.file.read();
    const expected = s.counter === 0 ? null : BigInt(s.counter);
    if (value !== expected) this.#violation(`eventfd ${s.fd} read ${value}, model says ${expected}`);
    s.counter = 0;
    s.drains++;
    // epoll_wait checks readiness again as it collects: an edge drained before then is not reported.
    for (const reg of this.#liveRegistrationsOf(s.file)) {
      if ((reg.mask & EPOLLOUT) === 0) reg.pendingEdge = false;
    }
  }

  // --- registrations -------------------------------------------------------------------------

  #add(i: number, index: number, maskName: MaskName, behavior: Behavior): void {
    const instance = this.#instances[i];
    const s = this.#slots[index];
    const fd = s.fd;
    if (fd < 0 || this.#foreign(fd)) return;
    const mask = MASKS[maskName];
    const handlerId = ++this.#handlerIds;
    const file = this.#fileAt(fd);
    const existing = instance?.regs.get(fd);
    let expected: string | null = null;
    if (instance === null) expected = 'ERR_EPOLL_CLOSED';
    else if (this.#unpollable.includes(fd)) expected = 'EPERM';
    else if (file === null) expected = 'EBADF';
    else if (existing !== undefined && existing.file === file.file) expected = 'EEXIST';
    const ep = instance?.ep ?? this.#closedInstance();
    const handler = this.#handler(i, handlerId, behavior);
    this.#expect(`add(${fd}) on instance ${i}`, () => ep.add(fd, mask, handler), expected);
    if (expected !== null || instance === null || file?.file == null) return;
    // An existing registration here is stale (its file was closed): the new one replaces it.
    instance.regs.set(fd, {
      file: file.file,
      handlerId,
      mask,
      version: 0,
      armed: true,
      calls: 0,
      sawReadable: file.counter > 0,
      pendingEdge: this.#readyFor(file, mask),
    });
    this.#compare();
  }

  #modify(i: number, index: number, maskName: MaskName, behavior: Behavior | null): void {
    const instance = this.#instances[i];
    const s = this.#slots[index];
    const fd = s.fd;
    if (fd < 0) return;
    const mask = MASKS[maskName];
    const file = this.#fileAt(fd);
    const reg = instance?.regs.get(fd);
    const handlerId = behavior === null ? null : ++this.#handlerIds;
    let expected: string | string[] | null = null;
    if (instance === null) expected = 'ERR_EPOLL_CLOSED';
    else if (reg === undefined) expected = 'ENOENT';
    // The kernel no longer has it: EBADF if the number is closed, ENOENT if it now names another
    // file, EPERM if that file cannot be watched. A file node itself opened may have taken the
    // number too: ENOENT or EPERM there.
    else if (this.#unpollable.includes(fd)) expected = 'EPERM';
    else if (file === null) expected = ['EBADF', 'ENOENT', 'EPERM'];
    else if (reg.file !== file.file) expected = 'ENOENT';
    const ep = instance?.ep ?? this.#closedInstance();
    const handler = handlerId === null || behavior === null ? undefined : this.#handler(i, handlerId, behavior);
    this.#expect(`modify(${fd}) on instance ${i}`, () => ep.modify(fd, mask, handler), expected);
    if (instance === null || reg === undefined) return;
    if (expected !== null) {
      instance.regs.delete(fd); // the kernel's error makes lib/ forget the stale registration
    } else {
      reg.mask = mask;
      reg.version++;
      reg.armed = true;
      reg.pendingEdge = file !== null && this.#readyFor(file, mask);
      if (handlerId !== null) reg.handlerId = handlerId;
    }
    this.#compare();
  }

  #remove(i: number, index: number): void {
    const instance = this.#instances[i];
    const fd = this.#slots[index].fd;
    if (fd < 0) return;
    let expected: string | null = null;
    if (instance === null) expected = 'ERR_EPOLL_CLOSED';
    else if (!instance.regs.has(fd)) expected = 'ENOENT';
    const ep = instance?.ep ?? this.#closedInstance();
    this.#expect(`remove(${fd}) on instance ${i}`, () => ep.remove(fd), expected);
    instance?.regs.delete(fd);
    this.#compare();
  }

  // --- instances -----------------------------------------------------------------------------

  #close(i: number): void {
    const instance = this.#instances[i];
    if (instance === null) {
      this.#expect(`close() again on instance ${i}`, () => this.#closedInstance().close(), null);
      return;
    }
    instance.ep.close();
    this.#retired.push(instance.ep);
    this.#instances[i] = null;
    if (!instance.ep.closed || instance.ep.fd !== -1 || instance.ep.size !== 0) {
      this.#violation(
        `instance ${i} after close(): closed ${instance.ep.closed}, fd ${instance.ep.fd}, size ${instance.ep.size}`,
      );
    }
  }

  #reopen(i: number): void {
    if (this.#instances[i] !== null) return;
    this.#instances[i] = this.#newInstance(i);
  }

  #refOrUnref(i: number, kind: 'ref' | 'unref'): void {
    const instance = this.#instances[i];
    const ep = instance?.ep ?? this.#closedInstance();
    let returned: unknown;
    this.#expect(
      `${kind}() on instance ${i}`,
      () => (returned = ep[kind]()),
      instance === null ? 'ERR_EPOLL_CLOSED' : null,
    );
    if (instance !== null && returned !== ep) this.#violation(`${kind}() did not return the instance`);
    this.#compare();
  }

  #bad(i: number, name: BadCallName): void {
    const instance = this.#instances[i];
    const [call, errorName, code] = BAD_CALLS[name];
    const ep = instance?.ep ?? this.#closedInstance();
    const error = errorOf(() => call(ep));
    this.stats.rejected++;
    // A closed instance says so before it looks at the arguments.
    const expected = instance === null ? { name: 'Error', code: 'ERR_EPOLL_CLOSED' } : { name: errorName, code };
    if (error === null || error.name !== expected.name || error.code !== expected.code) {
      this.#violation(
        `${name} on instance ${i}: expected ${expected.name} ${expected.code}, got ${JSON.stringify(error)}`,
      );
    }
    this.#compare();
  }

  // Its own fds, closed before it returns: the numbers it borrows are free again for the model.
  #hostile(attack: HostileCase): void {
    this.stats.hostile++;
    const problem = checkHostile(attack);
    if (problem !== null) this.#violation(problem);
    this.#compare();
  }

  // Strict mode throws a TypeError (a getter without a setter), sloppy mode ignores it: either
  // way what the property reads stays, and so does everything the model goes on checking.
  #assign(assignment: Assignment): void {
    const target: object | null =
      assignment.on === 'instance'
        ? (this.#instances[assignment.inst]?.ep ?? this.#closedInstance())
        : this.#slots[assignment.slot].file;
    if (target === null) return;
    const { property, value } = assignment;
    const before = (target as Record<string, unknown>)[property];
    const error = errorOf(() => (assignment.strict ? assignStrict : assignSloppy)(target, property, value));
    if (assignment.strict ? error?.name !== 'TypeError' : error !== null) {
      this.#violation(
        `${assignment.strict ? 'strict' : 'sloppy'} ${assignment.on}.${property} = ${String(value)}: got ${JSON.stringify(error)}`,
      );
    }
    const after = (target as Record<string, unknown>)[property];
    if (after !== before)
      this.#violation(
        `${assignment.on}.${property} = ${String(value)} changed it from ${String(before)} to ${String(after)}`,
      );
    this.#compare();
  }

  // --- handlers ------------------------------------------------------------------------------

  #handler(i: number, handlerId: number, behavior: Behavior): (events: number, fd: number) => void {
    const state: HandlerState = { owner: this.#instances[i], acted: false };
    const handle = (receiver: unknown, events: number, fd: number): void =>
      this.#handle(i, handlerId, behavior, state, receiver, events, fd);
    // A function, not an arrow, so that the `this` it is called with can be seen.
    return function (this: unknown, events, fd) {
      handle(this, events, fd);
    };
  }

  #handle(
    i: number,
    handlerId: number,
    behavior: Behavior,
    state: HandlerState,
    receiver: unknown,
    events: number,
    fd: number,
  ): void {
    this.stats.handlerCalls++;
    if (receiver !== undefined)
      this.#violation(`handler ${handlerId} ran with this = ${String(receiver)}, not undefined`);
    const instance = this.#instances[i];
    const reg = instance?.regs.get(fd);
    if (instance !== state.owner || instance === null || reg === undefined || reg.handlerId !== handlerId) {
      this.#violation(`handler ${handlerId} ran for instance ${i} fd ${fd}, which is removed or replaced`);
      return;
    }
    if (events === 0 || (events & ~(reg.mask | ALWAYS)) !== 0 || events < 0) {
      this.#violation(
        `handler ${handlerId} got events 0x${events.toString(16)} for mask 0x${(reg.mask >>> 0).toString(16)}`,
      );
    }
    // An event collected for an earlier registration of the same number would show up here.
    if ((events & EPOLLIN) !== 0 && !reg.sawReadable) {
      this.#violation(`handler ${handlerId} got EPOLLIN for fd ${fd}, never readable while registered: a stale event`);
    }
    reg.calls++;
    reg.pendingEdge = false;
    if ((reg.mask & EPOLLONESHOT) !== 0) reg.armed = false;
    const s = this.#slotOf(reg.file);
    if (behavior.drain && s !== null) this.#drain(this.#slots.indexOf(s));
    if (!state.acted) {
      state.acted = true;
      for (const op of behavior.then) this.apply(ownInstance(op, i));
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  #newInstance(i: number): Instance {
    const dispatch = this.dispatch === 'mixed' ? MODES[i % MODES.length] : this.dispatch;
    return {
      ep: new EpollInstance({ dispatch, maxEvents: this.maxEvents[i % this.maxEvents.length] }),
      regs: new Map(),
    };
  }

  // Any closed instance will do: they all refuse everything.
  #closedInstance(): EpollInstance {
    if (this.#retired.length === 0) {
      const made = this.#newInstance(0).ep;
      made.close();
      this.#retired.push(made);
    }
    return this.#retired[this.#retired.length - 1];
  }

  /** The slot whose open file has this number, if any of ours has. */
  #fileAt(fd: number): Slot | null {
    return this.#slots.find((s) => s.file !== null && s.fd === fd) ?? null;
  }

  #slotOf(file: EventFd): Slot | null {
    return this.#slots.find((s) => s.file === file) ?? null;
  }

  #liveRegistrationsOf(file: EventFd): Registration[] {
    return this.#instances.flatMap((instance) =>
      instance === null ? [] : [...instance.regs.values()].filter((r) => r.file === file),
    );
  }

  // A kernel add or modify reports a file that is ready already, edge-triggered or not.
  #readyFor(s: Slot, mask: number): boolean {
    return ((mask & EPOLLIN) !== 0 && s.counter > 0) || (mask & EPOLLOUT) !== 0;
  }

  // A closed number that node itself (or an instance's epoll fd) has taken since: not ours to use.
  #foreign(fd: number): boolean {
    return this.#fileAt(fd) === null && !this.#unpollable.includes(fd) && fs.existsSync(`/proc/self/fd/${fd}`);
  }

  #expect(what: string, call: () => unknown, expected: string | readonly string[] | null): void {
    const error = errorOf(call);
    const allowed = expected === null ? [] : typeof expected === 'string' ? [expected] : expected;
    if (error === null && allowed.length === 0) return;
    if (error !== null && allowed.includes(error.code)) {
      this.stats.rejected++;
      return;
    }
    this.#violation(
      `${what}: expected ${allowed.length ? allowed.join(' or ') : 'success'}, got ${error ? `${error.name} ${error.code}` : 'success'}`,
    );
  }

  #compare(): void {
    this.#instances.forEach((instance, i) => {
      if (instance === null) return;
      if (instance.ep.size !== instance.regs.size) {
        this.#violation(`instance ${i}: size ${instance.ep.size}, model ${instance.regs.size}`);
      }
      const fds = new Set([...instance.regs.keys(), ...this.#slots.map((s) => s.fd).filter((fd) => fd >= 0)]);
      for (const fd of fds) {
        if (instance.ep.has(fd) !== instance.regs.has(fd)) {
          this.#violation(`instance ${i}: has(${fd}) is ${instance.ep.has(fd)}, model ${instance.regs.has(fd)}`);
        }
      }
    });
  }

  #violation(message: string): void {
    this.violations.push(message);
  }
}

// A handler's OWN target becomes its instance.
function ownInstance(op: Op, i: number): Op {
  if ('inst' in op && op.inst === OWN) return { ...op, inst: i };
  if (op.kind === 'assign' && op.assignment.on === 'instance' && op.assignment.inst === OWN)
    return { ...op, assignment: { ...op.assignment, inst: i } };
  return op;
}

function assignStrict(target: object, property: string, value: unknown): void {
  (target as Record<string, unknown>)[property] = value;
}

// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a sloppy-mode function, on purpose: a failed assignment is silent there
const assignSloppy = new Function('target', 'property', 'value', 'target[property] = value;') as typeof assignStrict;

/** One property run: a fresh set of instances and fds, the sequence, then a final settle. */
export async function checkSequence(
  dispatch: DispatchMode | 'mixed',
  ops: readonly Op[],
  totals?: RunStats,
): Promise<void> {
  const run = new ModelRun(dispatch);
  await run.run(ops);
  addCounts(totals, run.stats);
  if (run.violations.length > 0) throw new Error(run.violations.join('\n'));
}
