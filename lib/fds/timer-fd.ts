// TimerFd: a kernel timer that is a pollable fd. Its expirations are counted by the kernel, so a
// busy thread that reads late still learns how many periods went by.
import { binding } from '../core/binding';
import { awaitCounter, CounterFd, openFd, readCounter } from './counter-fd';
import type { AwaitOptions } from '../epoll/readiness';
import type { EpollInstance } from '../epoll/epoll-instance';
import { check, invalidArgType, outOfRange } from '../core/errors';
import { validateOneOf, validateOptions } from '../core/validate';

const native = binding.counterFd;

export type TimerClock = 'monotonic' | 'realtime' | 'boottime';

export interface TimerFdOptions {
  /** 'monotonic' (the default) ignores clock changes; 'boottime' also counts suspended time. */
  clock?: TimerClock;
}

const CLOCKS: readonly TimerClock[] = ['monotonic', 'realtime', 'boottime'];
// About 31,700 years: far beyond any use, and exact in milliseconds.
const MAX_MS = 1e15;

function validateMs(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value >= min && value <= MAX_MS)) throw outOfRange(name, `>= ${min} && <= ${MAX_MS}`, value);
  return value;
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

// The fraction of a millisecond survives down to the nanosecond.
function nanoseconds(ms: number): number {
  return Math.min(Math.round((ms % 1000) * 1e6), 999_999_999);
}

// Zero means something else to the kernel: a delay of 0 disarms the timer, an interval of 0 makes
// it fire once. So a positive time that rounds to zero nanoseconds is kept at one.
function atLeastOneNanosecond(ms: number): number {
  return ms > 0 && seconds(ms) === 0 && nanoseconds(ms) === 0 ? 1e-6 : ms;
}

export class TimerFd extends CounterFd {
  /** A non-blocking, close-on-exec timerfd, disarmed. */
  constructor(options?: TimerFdOptions) {
    const opts = validateOptions(options);
    const clock = opts.clock === undefined ? 'monotonic' : validateOneOf(opts.clock, 'options.clock', CLOCKS);
    super(check(native.timerfdCreate(native.timerClocks[clock]), 'timerfd_create'));
  }

  /**
   * Arms the timer: first expiry after delayMs (> 0), then every intervalMs (0, the default, fires
   * once). Fractions of a millisecond are kept; a positive time is at least 1 ns. Re-arming replaces the previous setting and
   * discards expirations not read yet.
   */
  start(delayMs: number, intervalMs = 0): this {
    const fd = openFd(this);
    const delay = validateMs(delayMs, 'delayMs', Number.MIN_VALUE);
    const interval = validateMs(intervalMs, 'intervalMs', 0);
    const first = atLeastOneNanosecond(delay);
    const period = atLeastOneNanosecond(interval);
    check(
      native.timerfdSettime(fd, seconds(first), nanoseconds(first), seconds(period), nanoseconds(period)),
      'timerfd_settime',
      fd,
    );
    return this;
  }

  /** Disarms the timer. Like start(), it discards expirations not read yet (the kernel resets the count). */
  stop(): this {
    const fd = openFd(this);
    check(native.timerfdSettime(fd, 0, 0, 0, 0), 'timerfd_settime', fd);
    return this;
  }

  /** The expirations since the last read, and resets the count: null when there were none. */
  read(): bigint | null {
    return readCounter(this);
  }

  /** Like read(), but awaits the next expiry in ep when there was none (docs/AWAIT.md). */
  expired(ep: EpollInstance, options?: AwaitOptions): Promise<bigint> {
    return awaitCounter(this, ep, options);
  }
}
