// Awaitable readiness: promises and async iterators over registrations that the awaits themselves
// own in an EpollInstance's table. The rules (one owner per fd, when a promise settles, what ends
// an await) are in docs/AWAIT.md.
import * as timers from 'node:timers';

import { ALWAYS_REPORTED, EPOLLEXCLUSIVE, EPOLLONESHOT, KNOWN_EVENTS } from './constants';
import {
  abortError,
  invalidArgType,
  invalidArgValue,
  staleError,
  timeoutError,
  watchOverflowError,
  type StaleReason,
} from '../core/errors';
import { validateEventMask, validateFd, validateInteger, validateOneOf, validateOptions } from '../core/validate';

/**
 * What an await uses of an AbortSignal: any AbortSignal is one. Named here so that the types need
 * neither the DOM lib nor @types/node.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AwaitOptions {
  /** Aborting it rejects the await with an AbortError (code 'ABORT_ERR', cause: signal.reason). */
  signal?: AbortSignalLike;
  /** Milliseconds, 0 to 2^31-1: then the await rejects with a TimeoutError (code 'ERR_EPOLL_TIMEOUT'). */
  timeout?: number;
}

export type WatchOverflow = 'ignore' | 'throw';

export interface WatchOptions {
  /** Aborting it ends the iteration with an AbortError and removes the registration. */
  signal?: AbortSignalLike;
  /** The most events queued for a consumer that falls behind, as fsPromises.watch. Default 2048. */
  maxQueue?: number;
  /** Past maxQueue: 'ignore' (the default) drops the event and warns once; 'throw' ends the iteration with ERR_EPOLL_WATCH_QUEUE_OVERFLOW after the queued events. */
  overflow?: WatchOverflow;
}

/** Why EpollInstance ended a registration an await owns, other than at the await's own request. */
export type EndReason = StaleReason | 'closed';

/** What EpollInstance lends this file: its table, for the registrations awaits own. */
export interface OwnedTable {
  /**
   * EPOLL_CTL_ADD; throws the system error. ended() is called if the instance ends the
   * registration; evict() when add() wants the fd: true if the awaits gave it up.
   */
  add(
    fd: number,
    mask: number,
    handler: (events: number) => void,
    ended: (reason: EndReason) => void,
    evict: () => boolean,
  ): void;
  /** EPOLL_CTL_MOD: false if the kernel had dropped the registration (the fd was closed), which is then forgotten. Throws other errors. */
  modify(fd: number, mask: number): boolean;
  /** EPOLL_CTL_DEL, and forgets it. */
  remove(fd: number): void;
  /** The error an instance that is closed gives. */
  closed(): Error;
}

const MAX_TIMEOUT = 0x7fffffff;
const DEFAULT_MAX_QUEUE = 2048;
const OVERFLOWS: readonly WatchOverflow[] = ['ignore', 'throw'];
// A watch delivers every dispatch, so a mask that disarms or is shared with other instances makes no sense.
const NOT_WATCHABLE = (EPOLLONESHOT | EPOLLEXCLUSIVE) >>> 0;
// Captured at load, as in epoll-instance.ts: a test that fakes time must not stop an await's own timer.
const { setTimeout: startTimer, clearTimeout: stopTimer, setImmediate: scheduleImmediate } = timers;

// One await on an fd: a pending promise (one-shot) or a watch (persistent).
interface Interest {
  /** The bits it waits for, as registered. */
  readonly mask: number;
  readonly persistent: boolean;
  /** events, already filtered to mask and the always-reported bits. A one-shot settles. */
  deliver(events: number): void;
  /** Ends it with error; the registration is already gone or going. */
  fail(error: Error): void;
}

function validateSignal(value: unknown, name: string): AbortSignalLike | undefined {
  if (value === undefined) return undefined;
  const signal = value as AbortSignalLike;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function' ||
    typeof signal.removeEventListener !== 'function'
  ) {
    throw invalidArgType(name, 'an instance of AbortSignal', value);
  }
  return value as AbortSignalLike;
}

// The AbortError for signal; a reason getter that throws gives its error as the cause, so that
// the await still ends (an abort listener that threw would leave it pending).
function abortedBy(signal: AbortSignalLike): Error {
  let reason: unknown;
  try {
    reason = signal.reason;
  } catch (error) {
    reason = error;
  }
  return abortError(reason);
}

function validateAwaitOptions(options: unknown): { signal?: AbortSignalLike; timeout?: number } {
  const opts = validateOptions(options);
  const signal = validateSignal(opts.signal, 'options.signal');
  const timeout =
    opts.timeout === undefined ? undefined : validateInteger(opts.timeout, 'options.timeout', 0, MAX_TIMEOUT);
  return { signal, timeout };
}

// The interests on one fd share its one registration, whose mask is the union of theirs.
class AwaitedFd {
  readonly interests = new Set<Interest>();
  // The mask the kernel has armed: -1 while unregistered, 0 once a one-shot registration fired.
  #armed = -1;
  readonly #handler = (events: number): void => this.#dispatch(events);
  readonly #ended = (reason: EndReason): void => {
    this.#armed = -1;
    this.#lost(reason === 'closed' ? this.table.closed() : staleError(this.fd, reason));
  };

  readonly #evict = (): boolean => {
    if (this.interests.size > 0) return false;
    this.#release();
    return true;
  };

  constructor(
    readonly fd: number,
    readonly table: OwnedTable,
    readonly forget: (awaited: AwaitedFd) => void,
    readonly idle: (awaited: AwaitedFd) => void,
  ) {}

  get registered(): boolean {
    return this.#armed !== -1;
  }

  /** At the end of the turn it went idle in: the registration goes, unless an await took it again. */
  sweep(): void {
    if (this.interests.size === 0 && this.#armed === 0) this.#release();
  }

  /** Adds interest and arms the registration for it; throws (and adds nothing) if the kernel refuses. */
  join(interest: Interest): void {
    this.interests.add(interest);
    try {
      this.#sync(interest);
    } catch (error) {
      this.interests.delete(interest);
      if (this.interests.size === 0) this.#lost(error as Error);
      throw error;
    }
  }

  /** An interest that ended by itself (aborted, timed out, returned). */
  leave(interest: Interest): void {
    if (this.interests.delete(interest)) this.#syncOrLose();
  }

  #dispatch(events: number): void {
    if ((this.#armed & EPOLLONESHOT) !== 0) this.#armed = 0;
    // Settling runs no user code synchronously, so only the deletes here change the set in this loop.
    for (const interest of this.interests) {
      const ready = events & (interest.mask | ALWAYS_REPORTED);
      if (ready === 0) continue;
      if (!interest.persistent) this.interests.delete(interest);
      interest.deliver(ready >>> 0);
    }
    this.#syncOrLose();
  }

  #syncOrLose(): void {
    try {
      this.#sync(undefined);
    } catch (error) {
      this.#lost(error as Error);
    }
  }

  // Registers, re-arms or removes, as the interests now need. A newcomer always re-arms: that MOD
  // is what finds out that the fd was closed under the others (the kernel no longer knows it).
  #sync(newcomer: Interest | undefined): void {
    const { table, fd } = this;
    if (this.interests.size === 0) {
      // A one-shot that fired is disarmed: kept to the end of the turn, so that an await in a
      // loop re-arms it with one MOD instead of a DEL and an ADD (docs/AWAIT.md, cost).
      if (this.#armed === 0) this.idle(this);
      else if (this.#armed !== -1) this.#release();
      else this.forget(this);
      return;
    }
    // One-shot unless a watch is among the interests: a watch wants every dispatch.
    let mask = 0;
    let persistent = false;
    for (const interest of this.interests) {
      mask |= interest.mask;
      persistent ||= interest.persistent;
    }
    mask = (persistent ? mask : mask | EPOLLONESHOT) >>> 0;
    if (this.#armed === -1) {
      table.add(fd, mask, this.#handler, this.#ended, this.#evict);
    } else if ((newcomer !== undefined || mask !== this.#armed) && !table.modify(fd, mask)) {
      // The table forgot the dead registration: the others are stale, and a newcomer starts afresh.
      this.#armed = -1;
      const stale = staleError(fd, 'dropped');
      for (const interest of this.interests) {
        if (interest === newcomer) continue;
        this.interests.delete(interest);
        interest.fail(stale);
      }
      return this.#sync(newcomer);
    }
    this.#armed = mask;
  }

  #release(): void {
    this.#armed = -1;
    this.forget(this);
    this.table.remove(this.fd);
  }

  // Every interest ends with error, and the registration goes if it is still there.
  #lost(error: Error): void {
    this.forget(this);
    if (this.#armed !== -1) {
      this.#armed = -1;
      try {
        this.table.remove(this.fd);
      } catch {
        // The interests learn of the failure that brought them here; a second one adds nothing.
      }
    }
    const interests = [...this.interests];
    this.interests.clear();
    for (const interest of interests) interest.fail(error);
  }
}

// A pending readable()/writable(): whichever of readiness, abort, timeout or the end of the
// registration comes first on the JS thread settles it; each path undoes everything the others set up.
class Waiter implements Interest {
  readonly persistent = false;
  #timer: NodeJS.Timeout | undefined;
  #signal: AbortSignalLike | undefined;
  readonly #onAbort = (): void => this.#end(abortedBy(this.#signal!));

  constructor(
    readonly mask: number,
    readonly awaited: AwaitedFd,
    readonly resolve: (events: number) => void,
    readonly reject: (error: Error) => void,
  ) {}

  arm(signal: AbortSignalLike | undefined, timeout: number | undefined, what: string): void {
    if (signal !== undefined) {
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    if (timeout !== undefined) {
      const fd = this.awaited.fd;
      // Unref'd: what holds the process open is the registration (docs/AWAIT.md, liveness).
      this.#timer = startTimer(() => this.#end(timeoutError(what, fd, timeout)), timeout).unref();
    }
  }

  deliver(events: number): void {
    this.disarm();
    this.resolve(events);
  }

  fail(error: Error): void {
    this.disarm();
    this.reject(error);
  }

  #end(error: Error): void {
    this.fail(error);
    this.awaited.leave(this);
  }

  disarm(): void {
    if (this.#timer !== undefined) stopTimer(this.#timer);
    this.#timer = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
  }
}

type Pending = { resolve: (result: IteratorResult<number>) => void; reject: (error: Error) => void };

const DONE: IteratorResult<number> = Object.freeze({ done: true, value: undefined });

// ep.watch(): every dispatch of the fd, queued (boundedly) for a consumer that falls behind.
class Watch implements Interest, AsyncIterableIterator<number> {
  readonly persistent = true;
  #queue: number[] = [];
  #head = 0;
  // next() calls not answered yet, oldest first, as an async generator queues them.
  #pending: Pending[] = [];
  // Set once it has ended: the error still to report (after the queue), or null.
  #end: Error | null | undefined;
  #warned = false;
  #awaited: AwaitedFd | undefined;
  #signal: AbortSignalLike | undefined;
  readonly #onAbort = (): void => {
    this.#queue = [];
    this.#head = 0;
    this.#finish(abortedBy(this.#signal!));
  };

  constructor(
    readonly mask: number,
    readonly maxQueue: number,
    readonly overflow: WatchOverflow,
  ) {}

  start(awaited: AwaitedFd, signal: AbortSignalLike | undefined): void {
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    try {
      awaited.join(this);
    } catch (error) {
      signal?.removeEventListener('abort', this.#onAbort);
      throw error;
    }
    this.#signal = signal;
    this.#awaited = awaited;
  }

  /** An iteration that never starts: its first next() rejects with error. */
  startEnded(error: Error): void {
    this.#end = error;
  }

  deliver(events: number): void {
    if (this.#pending.length > 0) {
      this.#pending.shift()!.resolve({ done: false, value: events });
    } else if (this.#queue.length - this.#head < this.maxQueue) {
      this.#queue.push(events);
    } else if (this.overflow === 'throw') {
      this.#finish(watchOverflowError(this.maxQueue));
    } else if (!this.#warned) {
      this.#warned = true;
      process.emitWarning(`EpollInstance.watch() maxQueue (${this.maxQueue}) exceeded: events dropped`, {
        code: 'EPOLL_WATCH_QUEUE_OVERFLOW',
      });
    }
  }

  fail(error: Error): void {
    this.#awaited = undefined;
    this.#finish(error);
  }

  next(): Promise<IteratorResult<number>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head++];
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#end !== undefined) {
      const error = this.#end;
      this.#end = null;
      return error === null ? Promise.resolve(DONE) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<number>> {
    this.#queue = [];
    this.#head = 0;
    this.#finish(null);
    this.#end = null;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // Ends the iteration: the registration goes, and the error (or the end) follows the queue.
  #finish(error: Error | null): void {
    if (this.#end !== undefined) return;
    this.#end = error;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    const awaited = this.#awaited;
    this.#awaited = undefined;
    awaited?.leave(this);
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    this.#end = null;
    if (error === null) pending[0].resolve(DONE);
    else pending[0].reject(error);
    for (const later of pending.slice(1)) later.resolve(DONE);
  }
}

/** The awaits of one EpollInstance, by fd. */
export class Readiness {
  readonly #byFd = new Map<number, AwaitedFd>();
  readonly #forget = (awaited: AwaitedFd): void => {
    if (this.#byFd.get(awaited.fd) === awaited) this.#byFd.delete(awaited.fd);
  };
  #idle = new Set<AwaitedFd>();
  #sweeping: NodeJS.Immediate | undefined;
  readonly #onIdle = (awaited: AwaitedFd): void => {
    this.#idle.add(awaited);
    // Unref'd: the idle registration itself holds the process, and only to the end of this turn.
    this.#sweeping ??= scheduleImmediate(this.#sweep).unref();
  };
  readonly #sweep = (): void => {
    const idle = this.#idle;
    this.#idle = new Set();
    this.#sweeping = undefined;
    for (const awaited of idle) awaited.sweep();
  };

  constructor(readonly table: OwnedTable) {}

  /** Settles once fd reports one of mask's bits, or an error or hang-up. Never throws: rejects. */
  wait(fd: number, mask: number, what: string, options: unknown): Promise<number> {
    let signal: AbortSignalLike | undefined, timeout: number | undefined;
    try {
      validateFd(fd);
      ({ signal, timeout } = validateAwaitOptions(options));
      if (signal?.aborted) throw abortedBy(signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) =>
      this.#use(fd, (awaited) => {
        const waiter = new Waiter(mask, awaited, resolve, reject);
        // Armed first: a signal whose addEventListener throws then leaves no registration behind.
        waiter.arm(signal, timeout, what);
        try {
          awaited.join(waiter);
        } catch (error) {
          waiter.disarm();
          throw error;
        }
      }),
    );
  }

  /** Every dispatch of fd from this call on. Bad input and the kernel's refusal throw here. */
  watch(fd: number, events: unknown, options: unknown): AsyncIterableIterator<number> {
    validateFd(fd);
    const mask = validateEventMask(events, KNOWN_EVENTS);
    if ((mask & NOT_WATCHABLE) !== 0) {
      throw invalidArgValue(RangeError, 'events', events, 'may not have EPOLLONESHOT or EPOLLEXCLUSIVE in a watch');
    }
    const opts = validateOptions(options);
    const signal = validateSignal(opts.signal, 'options.signal');
    const maxQueue =
      opts.maxQueue === undefined
        ? DEFAULT_MAX_QUEUE
        : validateInteger(opts.maxQueue, 'options.maxQueue', 1, 0xffffffff);
    const overflow =
      opts.overflow === undefined ? 'ignore' : validateOneOf(opts.overflow, 'options.overflow', OVERFLOWS);
    const watch = new Watch(mask, maxQueue, overflow);
    if (signal?.aborted) watch.startEnded(abortedBy(signal));
    else this.#use(fd, (awaited) => watch.start(awaited, signal));
    return watch;
  }

  // The fd's awaits, made if need be, and forgotten again if `join` throws before any await joined.
  #use(fd: number, join: (awaited: AwaitedFd) => void): void {
    let awaited = this.#byFd.get(fd);
    if (awaited === undefined) {
      awaited = new AwaitedFd(fd, this.table, this.#forget, this.#onIdle);
      this.#byFd.set(fd, awaited);
    }
    try {
      join(awaited);
    } catch (error) {
      if (awaited.interests.size === 0 && !awaited.registered) this.#forget(awaited);
      throw error;
    }
  }
}
