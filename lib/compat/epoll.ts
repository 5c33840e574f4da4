// The Epoll class of linux-epoll/compat: the API of the `epoll` package (version 4.0.2) on
// EpollInstance, so code written for it moves over by changing one require. docs/MIGRATING.md lists
// each difference and why. lib/compat.ts is the entry that loads it.
import * as os from 'node:os';

import { EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLPRI, EPOLLRDHUP } from '../epoll/constants';
import { EpollInstance, type EpollInstanceOptions } from '../epoll/epoll-instance';
import { systemError, type SystemError } from '../core/errors';

/**
 * Called once per event, as epoll@4 calls it: err is null, then the fd and its event bits
 * (unsigned). err is never set: the wait thread retries EINTR and has no other failure to report.
 */
export type EpollCallback = (err: Error | null, fd: number, events: number) => void;

/** An extension epoll@4 does not have, which it would ignore: EpollInstance's options. */
export type EpollOptions = EpollInstanceOptions;

type Method = 'add' | 'modify' | 'remove';

const { EBADF } = os.constants.errno;

const SIGNATURES: Readonly<Record<Method, string>> = {
  add: 'add(int fd, int events)',
  modify: 'modify(int fd, int events)',
  remove: 'remove(int fd)',
};

// epoll@4 reports a kernel error by strerror(3)'s text alone; these are the errnos of epoll_ctl.
const STRERROR: Readonly<Record<string, string>> = {
  EBADF: 'Bad file descriptor',
  EEXIST: 'File exists',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  ENOENT: 'No such file or directory',
  ENOMEM: 'Cannot allocate memory',
  ENOSPC: 'No space left on device',
  EPERM: 'Operation not permitted',
};

// epoll@4 throws a plain Error whose message is all there is; the code makes it testable.
function compatError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

// epoll@4's message, Node's code, errno, syscall and fd, and linux-epoll's own explanation as cause.
function asEpoll4Error(error: unknown): unknown {
  const system = error as Partial<SystemError> | null;
  if (system?.syscall !== 'epoll_ctl' || typeof system.code !== 'string') return error;
  const { code, errno, syscall, fd } = system;
  return Object.assign(new Error(STRERROR[code] ?? system.message, { cause: error }), { code, errno, syscall, fd });
}

// V8's IsInt32, which epoll@4 applies to fd: -0 and 2^31 fail it, while -1 passes (then EBADF).
function isInt32(value: unknown): value is number {
  return typeof value === 'number' && (value | 0) === value && !Object.is(value, -0);
}

export class Epoll {
  static readonly EPOLLIN: number = EPOLLIN;
  static readonly EPOLLOUT: number = EPOLLOUT;
  static readonly EPOLLRDHUP: number = EPOLLRDHUP;
  static readonly EPOLLPRI: number = EPOLLPRI;
  static readonly EPOLLERR: number = EPOLLERR;
  static readonly EPOLLHUP: number = EPOLLHUP;
  static readonly EPOLLET: number = EPOLLET;
  static readonly EPOLLONESHOT: number = EPOLLONESHOT;

  #instance: EpollInstance | null;
  readonly #callback: EpollCallback;
  // One handler serves every fd. epoll@4 calls back with the global object as `this`.
  readonly #onEvent = (events: number, fd: number): void => {
    this.#callback.call(globalThis, null, fd, events);
  };

  /** options: an extension (dispatch, maxEvents); by default a wait thread, like epoll@4. */
  constructor(callback: EpollCallback, options?: EpollOptions) {
    // The misspelling is epoll@4's own, kept for code that matches on the message.
    if (typeof callback !== 'function')
      throw compatError('First argument to construtor must be a callback', 'ERR_INVALID_ARG_TYPE');
    this.#callback = callback;
    this.#instance = new EpollInstance(options);
  }

  /** Watches fd for events. While any fd is watched, the process stays alive. */
  add(fd: number, events: number): this {
    return this.#ctl('add', fd, events, (instance) => instance.add(fd, events, this.#onEvent));
  }

  /** Changes the events of a watched fd; re-arms it after an EPOLLONESHOT event. */
  modify(fd: number, events: number): this {
    return this.#ctl('modify', fd, events, (instance) => instance.modify(fd, events));
  }

  /** Stops watching fd; no event for it is delivered afterwards, not even one already collected. */
  remove(fd: number): this {
    return this.#ctl('remove', fd, 0, (instance) => instance.remove(fd));
  }

  /** Stops watching every fd and ends the wait thread. Returns null, as epoll@4 does. */
  close(): null {
    const instance = this.#instance;
    if (instance === null) throw compatError("close can't be called more than once", 'ERR_EPOLL_CLOSED');
    this.#instance = null;
    instance.close();
    return null;
  }

  get closed(): boolean {
    return this.#instance === null;
  }

  // epoll@4's order of checks: closed, then argument types, then whatever the kernel says.
  #ctl(method: Method, fd: unknown, events: unknown, op: (instance: EpollInstance) => unknown): this {
    const instance = this.#instance;
    if (instance === null) throw compatError(`${method} can't be called after calling close`, 'ERR_EPOLL_CLOSED');
    if (!isInt32(fd) || typeof events !== 'number') {
      throw compatError(`incorrect arguments passed to ${SIGNATURES[method]}`, 'ERR_INVALID_ARG_TYPE');
    }
    try {
      // A negative fd reaches the kernel in epoll@4; EpollInstance would refuse it as out of range.
      if (fd < 0) throw systemError(-EBADF, 'epoll_ctl', fd);
      op(instance);
    } catch (error) {
      throw asEpoll4Error(error);
    }
    return this;
  }
}

// Read-only, as epoll@4 defines them on its constructor.
for (const name of Object.keys(Epoll)) Object.defineProperty(Epoll, name, { writable: false });
