// The shape shared by the kernel's counter fds (eventfd, timerfd): an fd that reads as one 8-byte
// count in host byte order, closed once: by close(), or else when the object is collected or its
// worker ends, so that a dropped one leaks nothing.
import { binding, type NativeOwnedFd } from '../core/binding';
import { check, checkOrNull, closedError, invalidArgType } from '../core/errors';
import { EpollInstance } from '../epoll/epoll-instance';
import type { AwaitOptions } from '../epoll/readiness';

const COUNTER_BYTES = 8;
const counter = new BigUint64Array(1);

// How the subclasses reach the fd: functions, not properties of the object, which user code could
// shadow by assignment and so redirect a write to another fd.
export let openFd: (counterFd: CounterFd) => number;
export let readCounter: (counterFd: CounterFd) => bigint | null;
export let awaitCounter: (counterFd: CounterFd, ep: unknown, options: AwaitOptions | undefined) => Promise<bigint>;

export abstract class CounterFd {
  static {
    openFd = (counterFd) => counterFd.#openFd();
    readCounter = (counterFd) => counterFd.#readCounter();
    awaitCounter = (counterFd, ep, options) => counterFd.#awaitCounter(ep, options);
  }

  #fd: number;
  readonly #owner: NativeOwnedFd;
  // The instances an await of this fd is pending in: close() removes it there, so they reject.
  readonly #awaitedIn = new Set<EpollInstance>();

  protected constructor(fd: number) {
    this.#owner = new binding.counterFd.OwnedFd(fd);
    this.#fd = fd;
  }

  /** The fd; -1 once closed. Close it with close(), never by number: this object owns it. */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Idempotent. remove() it from every EpollInstance first. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    for (const ep of this.#awaitedIn) if (!ep.closed && ep.has(fd)) ep.remove(fd);
    check(this.#owner.close(), 'close', fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // The count, which the read resets: null when it is 0.
  #readCounter(): bigint | null {
    const fd = this.#openFd();
    return checkOrNull(binding.io.read(fd, counter, 0, COUNTER_BYTES), 'read', fd) === null ? null : counter[0];
  }

  // Reads the count, awaiting readability in ep while it is 0.
  async #awaitCounter(ep: unknown, options: AwaitOptions | undefined): Promise<bigint> {
    if (!(ep instanceof EpollInstance)) throw invalidArgType('ep', 'an instance of EpollInstance', ep);
    for (;;) {
      const count = this.#readCounter();
      if (count !== null) return count;
      this.#awaitedIn.add(ep);
      try {
        await ep.readable(this.#fd, options);
      } catch (error) {
        // close() removed it from ep: say so rather than that ep lost the fd.
        throw this.#fd < 0 ? closedError(this.constructor.name) : error;
      } finally {
        this.#awaitedIn.delete(ep);
      }
    }
  }

  #openFd(): number {
    if (this.#fd < 0) throw closedError(this.constructor.name);
    return this.#fd;
  }
}
