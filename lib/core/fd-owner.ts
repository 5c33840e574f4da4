// The one fd an object of lib/ owns, closed once: by close(), or else when the owner is collected
// or its worker ends (native/core/owned_fd.h), so that a dropped object leaks nothing. Held in a
// private field, so no user code can swap the number behind a later read or write.
import { binding, type NativeOwnedFd } from './binding';
import { check, closedError } from './errors';

export class FdOwner {
  #fd: number;
  readonly #native: NativeOwnedFd;

  /** Takes fd over; if that fails, closes it before throwing. */
  constructor(fd: number) {
    try {
      this.#native = new binding.counterFd.OwnedFd(fd);
    } catch (error) {
      binding.io.close(fd);
      throw error;
    }
    this.#fd = fd;
  }

  /** The fd; -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** Idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    check(this.#native.close(), 'close', fd);
  }

  /** The fd, or ERR_EPOLL_CLOSED naming what owned it. */
  openFd(what: string): number {
    if (this.#fd < 0) throw closedError(what);
    return this.#fd;
  }
}
