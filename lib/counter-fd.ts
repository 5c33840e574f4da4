// The shape shared by the kernel's counter fds (eventfd, timerfd): an fd that reads as one 8-byte
// count in host byte order, closed once.
import { binding } from './binding';
import { check, checkOrNull, closedError } from './errors';

const COUNTER_BYTES = 8;
const counter = new BigUint64Array(1);

export abstract class CounterFd {
  #fd: number;

  protected constructor(fd: number) {
    this.#fd = fd;
  }

  /** The fd; -1 once closed. */
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
    check(binding.close(fd), 'close', fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The count, which the read resets: null when it is 0. */
  protected readCounter(): bigint | null {
    const fd = this.openFd();
    return checkOrNull(binding.read(fd, counter, 0, COUNTER_BYTES), 'read', fd) === null ? null : counter[0];
  }

  protected openFd(): number {
    if (this.#fd < 0) throw closedError(this.constructor.name);
    return this.#fd;
  }
}
