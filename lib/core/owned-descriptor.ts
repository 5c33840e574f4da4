// An fd that a JS object owns: closed once, by close(), or else when the object is collected or
// its worker ends, so that a dropped one leaks nothing. CounterFd and the GPIO fds build on it.
import { binding, type NativeOwnedFd } from './binding';
import { check, closedError } from './errors';

// How subclasses reach the fd: a function, not a property of the object, which user code could
// shadow by assignment and so redirect a call to another fd.
export let openFd: (owned: OwnedDescriptor) => number;

export abstract class OwnedDescriptor {
  static {
    openFd = (owned) => owned.#openFd();
  }

  #fd: number;
  readonly #owner: NativeOwnedFd;

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
    check(this.#owner.close(), 'close', fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #openFd(): number {
    if (this.#fd < 0) throw closedError(this.constructor.name);
    return this.#fd;
  }
}
