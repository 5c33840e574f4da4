// The shape shared by the kernel's counter fds (eventfd, timerfd): an fd that reads as one 8-byte
// count in host byte order, closed once: by close(), or else when the object is collected or its
// worker ends, so that a dropped one leaks nothing.
import { binding } from '../core/binding';
import { checkOrNull, closedError, invalidArgType } from '../core/errors';
import { FdObject, objectFd } from '../core/fd-owner';
import { EpollInstance } from '../epoll/epoll-instance';
import type { AwaitOptions } from '../epoll/readiness';

const COUNTER_BYTES = 8;
const counter = new BigUint64Array(1);

// How the subclasses reach the fd: functions, not properties of the object, which user code could
// shadow by assignment and so redirect a write to another fd.
export const openFd: (counterFd: CounterFd) => number = objectFd;
export let readCounter: (counterFd: CounterFd) => bigint | null;
export let awaitCounter: (counterFd: CounterFd, ep: unknown, options: AwaitOptions | undefined) => Promise<bigint>;

export abstract class CounterFd extends FdObject {
  static {
    readCounter = (counterFd) => counterFd.#readCounter();
    awaitCounter = (counterFd, ep, options) => counterFd.#awaitCounter(ep, options);
  }

  // The instances an await of this fd is pending in, with how many: close() removes the fd there,
  // so that they reject rather than wait on a number that may be reused.
  readonly #awaitedIn = new Map<EpollInstance, number>();

  /** Idempotent. remove() it from every EpollInstance first; awaits of it (wait, expired) reject. */
  override close(): void {
    const fd = this.fd;
    if (fd >= 0) for (const ep of this.#awaitedIn.keys()) if (!ep.closed && ep.has(fd)) ep.remove(fd);
    super.close();
  }

  // The count, which the read resets: null when it is 0.
  #readCounter(): bigint | null {
    const fd = openFd(this);
    return checkOrNull(binding.io.read(fd, counter, 0, COUNTER_BYTES), 'read', fd) === null ? null : counter[0];
  }

  // Reads the count, awaiting readability in ep while it is 0.
  async #awaitCounter(ep: unknown, options: AwaitOptions | undefined): Promise<bigint> {
    if (!(ep instanceof EpollInstance)) throw invalidArgType('ep', 'an instance of EpollInstance', ep);
    for (;;) {
      const count = this.#readCounter();
      if (count !== null) return count;
      this.#awaitedIn.set(ep, (this.#awaitedIn.get(ep) ?? 0) + 1);
      try {
        await ep.readable(this.fd, options);
      } catch (error) {
        // close() removed it from ep: say so rather than that ep lost the fd.
        throw this.closed ? closedError(this.constructor.name) : error;
      } finally {
        const left = this.#awaitedIn.get(ep)! - 1;
        if (left === 0) this.#awaitedIn.delete(ep);
        else this.#awaitedIn.set(ep, left);
      }
    }
  }
}
