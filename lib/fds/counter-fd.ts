// The shape shared by the kernel's counter fds (eventfd, timerfd): an fd that reads as one 8-byte
// count in host byte order, closed once: by close(), or else when the object is collected or its
// worker ends, so that a dropped one leaks nothing.
import { binding } from '../core/binding';
import { checkOrNull } from '../core/errors';
import { FdOwner } from '../core/fd-owner';

const COUNTER_BYTES = 8;
const counter = new BigUint64Array(1);

// How the subclasses reach the fd: functions, not properties of the object, which user code could
// shadow by assignment and so redirect a write to another fd.
export let openFd: (counterFd: CounterFd) => number;
export let readCounter: (counterFd: CounterFd) => bigint | null;

export abstract class CounterFd {
  static {
    openFd = (counterFd) => counterFd.#openFd();
    readCounter = (counterFd) => counterFd.#readCounter();
  }

  readonly #owner: FdOwner;

  protected constructor(fd: number) {
    this.#owner = new FdOwner(fd);
  }

  /** The fd; -1 once closed. Close it with close(), never by number: this object owns it. */
  get fd(): number {
    return this.#owner.fd;
  }

  get closed(): boolean {
    return this.#owner.fd < 0;
  }

  /** Idempotent. remove() it from every EpollInstance first. */
  close(): void {
    this.#owner.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // The count, which the read resets: null when it is 0.
  #readCounter(): bigint | null {
    const fd = this.#openFd();
    return checkOrNull(binding.io.read(fd, counter, 0, COUNTER_BYTES), 'read', fd) === null ? null : counter[0];
  }

  #openFd(): number {
    return this.#owner.openFd(this.constructor.name);
  }
}
