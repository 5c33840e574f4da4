// EpollInstance: registrations, the batch dispatcher and the stale-event rules. The native event
// source (wait thread or event loop) only fills the batch buffer and calls dispatchBatch(count).
import * as os from 'node:os';
import * as timers from 'node:timers';

import { binding, type NativePoller } from '../core/binding';
import { ALWAYS_REPORTED, KNOWN_EVENTS } from './constants';
import { check, closedError, dispatchUnsupported, fromNative, systemError } from '../core/errors';
import { capabilities } from '../core/runtime';
import {
  validateEventMask,
  validateFd,
  validateFunction,
  validateInteger,
  validateOneOf,
  validateOptions,
} from '../core/validate';

/** Called as handler(events, fd) with the kernel's event bits, unsigned. */
export type EpollHandler = (events: number, fd: number) => void;

/**
 * 'thread': a native thread waits in epoll_wait while nothing is ready, and while fds stay ready the
 * JS thread collects each next batch itself; portable to any Node-API runtime. 'loop': the event
 * loop of the creating thread watches the epoll fd; no thread hop ever, the fastest on Node; Node
 * only (see lib/core/runtime.ts).
 */
export type DispatchMode = 'thread' | 'loop';

export interface EpollInstanceOptions {
  /** The most events one batch carries, 1 to 65536. Default 1024. */
  maxEvents?: number;
  /** Default 'thread'. 'auto' is 'loop' where the runtime supports it, else 'thread'. */
  dispatch?: DispatchMode | 'auto';
}

interface Registration {
  handler: EpollHandler;
  /** The bits a handler may see: what was asked for, plus those the kernel always reports. */
  accepts: number;
  /** Also in each kernel event's data: an event whose generation differs is stale. */
  generation: number;
}

const DISPATCH_OPTIONS: readonly (DispatchMode | 'auto')[] = ['thread', 'loop', 'auto'];
const { ENOENT, EBADF, EPERM } = os.constants.errno;
const {
  stride: STRIDE,
  events: EVENTS_WORD,
  fd: FD_WORD,
  generation: GENERATION_WORD,
  reservedGeneration: RESERVED_GENERATION,
} = binding.epoll.Poller.eventLayout;
const { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL } = binding.epoll.constants;

// epoll_ctl's answer for a registered fd that was closed without remove(): the number is free
// (EBADF), names another file (ENOENT), or names one epoll cannot watch, such as a regular file
// (EPERM). The kernel dropped the registration with the close.
function kernelDropped(result: number): boolean {
  return result === -ENOENT || result === -EBADF || result === -EPERM;
}

// Captured at load, as Node's own handles are immune to fake timers (jest, @sinonjs/fake-timers),
// which replace the globals: internal scheduling must not stop when a test fakes time.
const { setImmediate: scheduleImmediate, clearImmediate: cancelImmediate } = timers;
const { nextTick } = process;

// Refused here, before the native side touches any uv_* function.
function resolveDispatch(dispatch: DispatchMode | 'auto'): DispatchMode {
  const unsupported = capabilities.loopUnsupported;
  if (dispatch === 'auto') return unsupported === undefined ? 'loop' : 'thread';
  if (dispatch === 'loop' && unsupported !== undefined) throw dispatchUnsupported(dispatch, unsupported);
  return dispatch;
}

function rethrow(error: unknown): never {
  throw error;
}

export class EpollInstance {
  // Private, behind getters: assigning either would change how dispatch works.
  readonly #maxEvents: number;
  readonly #dispatch: DispatchMode;
  #poller: NativePoller | null;
  readonly #events: Uint32Array;
  // Indexed by fd: one array load per event on the dispatch path.
  #registrations: (Registration | undefined)[] = [];
  #size = 0;
  #generation = 0;
  #refed = true;
  #active = false;
  // Held here: the native side holds it only weakly while the instance is idle (docs/DESIGN.md).
  readonly #onBatch = (count: number, syscall?: string): void => {
    if (count < 0) this.#fail(count, syscall as string);
    else this.#dispatchBatch(count);
  };
  // Lets the event source collect the next batch: see #releaseNextTurn.
  readonly #release: () => void;
  #pendingRelease: NodeJS.Immediate | undefined;

  constructor(options?: EpollInstanceOptions) {
    const opts = validateOptions(options);
    this.#maxEvents =
      opts.maxEvents === undefined
        ? 1024
        : validateInteger(opts.maxEvents, 'options.maxEvents', 1, binding.epoll.Poller.maxEvents);
    this.#dispatch = resolveDispatch(
      opts.dispatch === undefined ? 'thread' : validateOneOf(opts.dispatch, 'options.dispatch', DISPATCH_OPTIONS),
    );
    // Weakly: see "What is held weakly" in docs/DESIGN.md.
    const self = new WeakRef(this);
    this.#release = () => {
      const instance = self.deref();
      if (instance === undefined) return;
      instance.#pendingRelease = undefined;
      // Dispatched here, not by a callback from inside release(): see docs/DESIGN.md.
      const count = instance.#poller?.release() ?? 0;
      if (count > 0) instance.#dispatchBatch(count);
    };
    try {
      this.#poller = new binding.epoll.Poller(
        this.#maxEvents,
        this.#dispatch === 'loop',
        this.#onBatch,
        capabilities.asyncContext,
      );
    } catch (error) {
      throw fromNative(error);
    }
    this.#events = new Uint32Array(this.#poller.buffer);
  }

  /** Watches fd for events (a mask of EPOLL* bits and flags); handler(events, fd) runs for each. */
  add(fd: number, events: number, handler: EpollHandler): this {
    const poller = this.#open();
    validateFd(fd);
    const mask = validateEventMask(events, KNOWN_EVENTS);
    validateFunction(handler, 'handler');
    const generation = this.#nextGeneration();
    check(poller.ctl(EPOLL_CTL_ADD, fd, mask, generation), 'epoll_ctl', fd);
    // A registration still on record here was dropped by the kernel when its fd was closed
    // without remove(): the add succeeded, so the new one replaces it.
    if (this.#registrations[fd] === undefined) this.#size++;
    this.#registrations[fd] = { handler, accepts: (mask | ALWAYS_REPORTED) >>> 0, generation };
    this.#updateActive();
    return this;
  }

  /** Changes the events of a registered fd, and its handler when one is given. Re-arms EPOLLONESHOT. */
  modify(fd: number, events: number, handler?: EpollHandler): this {
    const poller = this.#open();
    validateFd(fd);
    const mask = validateEventMask(events, KNOWN_EVENTS);
    if (handler !== undefined) validateFunction(handler, 'handler');
    const registration = this.#registered(fd);
    const result = poller.ctl(EPOLL_CTL_MOD, fd, mask, registration.generation);
    if (result < 0) {
      // The kernel no longer knows the fd (closed without remove()): forget it as well.
      if (kernelDropped(result)) this.#forget(fd);
      throw systemError(result, 'epoll_ctl', fd);
    }
    registration.accepts = (mask | ALWAYS_REPORTED) >>> 0;
    if (handler !== undefined) registration.handler = handler;
    return this;
  }

  /**
   * Stops watching fd. Its handler never runs again, even for events already collected. An fd the
   * caller has already closed is simply forgotten (the kernel dropped it with the close).
   */
  remove(fd: number): this {
    const poller = this.#open();
    validateFd(fd);
    this.#registered(fd);
    const result = poller.ctl(EPOLL_CTL_DEL, fd, 0, 0);
    if (result < 0 && !kernelDropped(result)) throw systemError(result, 'epoll_ctl', fd);
    this.#forget(fd);
    return this;
  }

  has(fd: number): boolean {
    this.#open();
    validateFd(fd);
    return this.#registrations[fd] !== undefined;
  }

  /** The most events one batch carries. */
  get maxEvents(): number {
    return this.#maxEvents;
  }

  get dispatch(): DispatchMode {
    return this.#dispatch;
  }

  /** The number of registered fds. */
  get size(): number {
    return this.#size;
  }

  /** The epoll fd itself, which can be added to another instance; -1 once closed. */
  get fd(): number {
    return this.#poller === null ? -1 : this.#poller.fd;
  }

  get closed(): boolean {
    return this.#poller === null;
  }

  /** While it has registrations, the instance keeps the event loop alive (the default). */
  ref(): this {
    this.#open();
    this.#refed = true;
    this.#updateActive();
    return this;
  }

  /** The instance no longer keeps the event loop alive; events are still delivered. */
  unref(): this {
    this.#open();
    this.#refed = false;
    this.#updateActive();
    return this;
  }

  /** Stops dispatching, joins the wait thread and closes the epoll fd. Registered fds stay open. */
  close(): void {
    const poller = this.#poller;
    if (poller === null) return;
    this.#poller = null;
    if (this.#pendingRelease !== undefined) cancelImmediate(this.#pendingRelease);
    this.#pendingRelease = undefined;
    this.#registrations = [];
    this.#size = 0;
    poller.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // Handlers run in batch order; one that throws does not stop the rest, since an edge-triggered
  // event skipped now would never come again. The first error is rethrown once the batch is done,
  // like any callback's, and any others on the next tick.
  #dispatchBatch(count: number): void {
    // Before the handlers: one may throw.
    if (this.#dispatch === 'thread') this.#releaseNextTurn();
    const events = this.#events;
    let failed = false;
    let firstError: unknown;
    for (let i = 0, at = 0; i < count; i++, at += STRIDE) {
      const fd = events[at + FD_WORD];
      // Read the field each time: a handler may close the instance or change registrations.
      const registration = this.#registrations[fd];
      if (registration === undefined || registration.generation !== events[at + GENERATION_WORD]) continue;
      const ready = events[at + EVENTS_WORD] & registration.accepts;
      if (ready === 0) continue;
      // Called bare, so that `this` is undefined, not the registration a handler could rewrite.
      const { handler } = registration;
      try {
        handler(ready, fd);
      } catch (error) {
        if (failed) {
          nextTick(rethrow, error);
        } else {
          failed = true;
          firstError = error;
        }
      }
    }
    if (failed) throw firstError;
  }

  // The event source has stopped for good (count is -errno): the error takes a throwing handler's
  // path to 'uncaughtException', and the instance is closed, as it would deliver nothing more.
  #fail(errno: number, syscall: string): never {
    const fd = this.fd;
    this.close();
    throw systemError(errno, syscall, fd);
  }

  // From an immediate, so the next batch comes next turn; ref'd like the instance (#updateActive).
  // See "Why the hand-back is deferred" in docs/DESIGN.md.
  #releaseNextTurn(): void {
    this.#pendingRelease = scheduleImmediate(this.#release);
    if (!this.#active) this.#pendingRelease.unref();
  }

  #open(): NativePoller {
    if (this.#poller === null) throw closedError('EpollInstance');
    return this.#poller;
  }

  #registered(fd: number): Registration {
    const registration = this.#registrations[fd];
    if (registration === undefined) throw systemError(-ENOENT, 'epoll_ctl', fd);
    return registration;
  }

  #forget(fd: number): void {
    this.#registrations[fd] = undefined;
    this.#size--;
    this.#updateActive();
  }

  // 32 bits, as the event's data carries them; never the reserved one, which no registration has.
  #nextGeneration(): number {
    let next = (this.#generation + 1) >>> 0;
    if (next === RESERVED_GENERATION) next = (next + 1) >>> 0;
    this.#generation = next;
    return next;
  }

  // Like a Node handle: held open only while it has something to wait for and is ref'd.
  #updateActive(): void {
    const active = this.#refed && this.#size > 0;
    if (active !== this.#active && this.#poller !== null) {
      this.#active = active;
      if (active) this.#pendingRelease?.ref();
      else this.#pendingRelease?.unref();
      this.#poller.setActive(active);
    }
  }
}
