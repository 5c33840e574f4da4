// EventFd: a kernel counter that is a pollable fd, the cheapest way to wake an EpollInstance from
// another thread or process.
import { binding } from '../core/binding';
import { awaitCounter, CounterFd, openFd, readCounter } from './counter-fd';
import type { AwaitOptions } from '../epoll/readiness';
import type { EpollInstance } from '../epoll/epoll-instance';
import { check, checkOrNull, invalidArgType, outOfRange } from '../core/errors';
import { validateBoolean, validateInteger, validateOptions } from '../core/validate';

const MAX_WRITE = 0xfffffffffffffffen;
// eventfd takes 8 bytes in host byte order, which a BigUint64Array has too.
const increment = new BigUint64Array(1);

export interface EventFdOptions {
  /** Each read() takes 1 from the counter instead of all of it. Default false. */
  semaphore?: boolean;
}

function validateIncrement(value: unknown): bigint {
  if (typeof value === 'bigint') {
    if (value < 1n || value > MAX_WRITE) throw outOfRange('value', '>= 1n && <= 18446744073709551614n', value);
    return value;
  }
  if (typeof value === 'number') return BigInt(validateInteger(value, 'value', 1, Number.MAX_SAFE_INTEGER));
  throw invalidArgType('value', 'of type number or bigint', value);
}

export class EventFd extends CounterFd {
  /** A non-blocking, close-on-exec eventfd whose counter starts at initialValue (0 to 2^32-1). */
  constructor(initialValue = 0, options?: EventFdOptions) {
    const initval = validateInteger(initialValue, 'initialValue', 0, 0xffffffff);
    const opts = validateOptions(options);
    const semaphore = opts.semaphore === undefined ? false : validateBoolean(opts.semaphore, 'options.semaphore');
    super(check(binding.counterFd.eventfd(initval, semaphore), 'eventfd'));
  }

  /** Adds value (1 to 2^64-2) to the counter: true, or false if the counter would overflow. */
  write(value: number | bigint): boolean {
    const fd = openFd(this);
    increment[0] = validateIncrement(value);
    // EAGAIN: the counter would pass 2^64-2.
    return checkOrNull(binding.io.write(fd, increment, 0, increment.byteLength), 'write', fd) !== null;
  }

  /** Takes the counter (or 1 in semaphore mode) and resets it: null when it is 0. */
  read(): bigint | null {
    return readCounter(this);
  }

  /** Like read(), but awaits a write in ep while the counter is 0 (docs/AWAIT.md). */
  wait(ep: EpollInstance, options?: AwaitOptions): Promise<bigint> {
    return awaitCounter(this, ep, options);
  }
}
