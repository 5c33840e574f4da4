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

// How subclasses of FdObject reach the fd: a function, not a method of the object, which user code
// could shadow by assignment and so redirect a syscall to another fd.
export let objectFd: (object: FdObject) => number;

/** The public face of an object that owns one fd: fd, closed, close() and Symbol.dispose. */
export abstract class FdObject {
  static {
    objectFd = (object) => object.#owner.openFd(object.constructor.name);
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
}
