// Errors in Node's own shapes: TypeError/RangeError with a code, and system errors with code,
// errno, syscall and fd. They are built here, in JS, so that they belong to the caller's realm.
import * as os from 'node:os';
import * as util from 'node:util';

import { hintFor } from './hints';

const ERRNO_NUMBERS: Readonly<Record<string, number>> = os.constants.errno;
const { EAGAIN } = os.constants.errno;

export type CodedError<E extends Error = Error> = E & { code: string };

export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  fd?: number;
  /** What an ambiguous errno means for this syscall (lib/core/hints.ts), when it needs saying. */
  hint?: string;
}

// Node shows the code in the stack's first line ("TypeError [ERR_X]: ...") but not in `name`.
function withCode<E extends Error>(error: E, code: string): CodedError<E> {
  const name = error.name;
  error.name = `${name} [${code}]`;
  void error.stack;
  error.name = name;
  return Object.assign(error, { code });
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object')
    return ` Received ${Array.isArray(value) ? 'an instance of Array' : `an instance of ${value.constructor?.name ?? 'Object'}`}`;
  return ` Received type ${typeof value} (${util.inspect(value)})`;
}

export function invalidArgType(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  return withCode(
    new TypeError(`The "${name}" argument must be ${expected}.${describe(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

export function outOfRange(name: string, range: string, actual: unknown): CodedError<RangeError> {
  return withCode(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${util.inspect(actual)}`),
    'ERR_OUT_OF_RANGE',
  );
}

export function invalidArgValue<E extends Error>(
  ErrorType: new (message: string) => E,
  name: string,
  actual: unknown,
  reason: string,
): CodedError<E> {
  return withCode(
    new ErrorType(`The argument '${name}' ${reason}. Received ${util.inspect(actual)}`),
    'ERR_INVALID_ARG_VALUE',
  );
}

/** A view whose buffer was detached, named without inspecting it: inspection runs its getters. */
export function detachedViewError(name: string): CodedError<TypeError> {
  return withCode(new TypeError(`The argument '${name}' is a view of a detached ArrayBuffer`), 'ERR_INVALID_ARG_VALUE');
}

export function illegalConstructor(name: string, instead: string): CodedError<TypeError> {
  return withCode(new TypeError(`Illegal constructor: make a ${name} with ${instead}`), 'ERR_ILLEGAL_CONSTRUCTOR');
}

export function closedError(what: string): CodedError {
  return withCode(new Error(`${what} is closed`), 'ERR_EPOLL_CLOSED');
}

export function dispatchUnsupported(dispatch: string, reason: string): CodedError {
  return withCode(
    new Error(`dispatch '${dispatch}' is not supported on this runtime: ${reason}; use 'thread' or 'auto'`),
    'ERR_EPOLL_DISPATCH_UNSUPPORTED',
  );
}

/** read() found IN_Q_OVERFLOW: the kernel dropped events. `events` holds what the read did take. */
export function queueOverflowError<T>(events: T[]): CodedError & { events: T[]; hint: string } {
  const hint = 'the queue held fs.inotify.max_queued_events events; rescan what is watched';
  return Object.assign(
    withCode(new Error(`inotify's event queue overflowed and events were lost: ${hint}`), 'ERR_INOTIFY_OVERFLOW'),
    {
      events,
      hint,
    },
  );
}

/** Node's AbortError shape (name, code ABORT_ERR, cause: the signal's reason), as its promise APIs reject. */
export function abortError(reason: unknown): CodedError {
  const error = new Error('The operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return Object.assign(error, { code: 'ABORT_ERR' });
}

/** An await that its options.timeout ended. */
export function timeoutError(what: string, fd: number, timeout: number): CodedError & { fd: number; timeout: number } {
  const error = withCode(new Error(`fd ${fd} was not ${what} within ${timeout} ms`), 'ERR_EPOLL_TIMEOUT');
  error.name = 'TimeoutError';
  return Object.assign(error, { fd, timeout });
}

/** Why an await's registration went away under it: remove(fd), or the fd was closed (its number maybe reused). */
export type StaleReason = 'removed' | 'dropped';

/** The stale-event guarantee for awaits: what a pending await rejects with instead of resolving for another registration. */
export function staleError(fd: number, reason: StaleReason): CodedError & { fd: number; reason: StaleReason } {
  const why =
    reason === 'removed'
      ? 'was removed while awaited'
      : 'was closed while awaited: the kernel dropped its registration, and its number may name another file now';
  return Object.assign(withCode(new Error(`fd ${fd} ${why}`), 'ERR_EPOLL_STALE'), { fd, reason });
}

/** modify() of an fd whose registration an await owns. */
export function awaitedError(fd: number): CodedError {
  return withCode(
    new Error(`fd ${fd} is registered by an await (readable, writable, watch); end the await or remove() it first`),
    'ERR_EPOLL_AWAITED',
  );
}

/** What watch() ends with when its queue is full and options.overflow is 'throw'. */
export function watchOverflowError(maxQueue: number): CodedError {
  return withCode(
    new Error(`watch() queue overflowed: more than ${maxQueue} events waiting`),
    'ERR_EPOLL_WATCH_QUEUE_OVERFLOW',
  );
}

// libuv's map, which Node's errors use, leaves out errnos libuv never reports itself (ECHILD is
// one); the kernel's name for them is still in os.constants.errno.
function unmappedError(errno: number): [string, string] {
  const name = Object.keys(ERRNO_NUMBERS).find((key) => ERRNO_NUMBERS[key] === -errno);
  return name === undefined ? [`Unknown system error ${errno}`, 'unknown error'] : [name, 'system error'];
}

/**
 * A system error from a negative errno, as Node's fs and net report them, with a hint where its
 * code is ambiguous (lib/core/hints.ts) for the operation: by default the syscall, or what a call
 * as general as open or ioctl did ('/dev/net/tun', 'TUNSETIFF').
 */
export function systemError(errno: number, syscall: string, fd?: number, operation = syscall): SystemError {
  const [code, description] = util.getSystemErrorMap().get(errno) ?? unmappedError(errno);
  const hint = hintFor(operation, code);
  const where = fd === undefined ? syscall : `${syscall} (fd ${fd})`;
  const error = new Error(`${code}: ${description}, ${where}${hint ? `: ${hint}` : ''}`);
  return Object.assign(error, {
    code,
    errno,
    syscall,
    ...(fd === undefined ? {} : { fd }),
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Returns a native result, or throws the system error its negative errno stands for. */
export function check(result: number, syscall: string, fd?: number): number {
  if (result < 0) throw systemError(result, syscall, fd);
  return result;
}

/** Like check(), but a call that would block (EAGAIN) gives null: the non-blocking convention. */
export function checkOrNull(result: number, syscall: string, fd?: number): number | null {
  if (result === -EAGAIN) return null;
  return check(result, syscall, fd);
}

/** Rebuilds an error thrown by a native constructor into this realm's system error. */
export function fromNative(error: unknown): unknown {
  const native = error as { errno?: unknown; syscall?: unknown };
  if (typeof native?.errno === 'number' && typeof native.syscall === 'string') {
    return systemError(native.errno, native.syscall);
  }
  return error;
}
