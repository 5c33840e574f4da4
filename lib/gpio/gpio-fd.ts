// What chips and line requests share: an fd this object owns, closed once (by close(), or when the
// object is collected or its worker ends), and at most one async iterator over its records, which
// ends before the fd closes.
import { binding, type NativeOwnedFd } from '../core/binding';
import { check, closedError } from '../core/errors';
import { BatchIterator } from './readiness';

export abstract class GpioFd<T> {
  readonly #owner: NativeOwnedFd;
  #fd: number;
  #iterator: BatchIterator<T> | null = null;

  protected constructor(fd: number) {
    this.#owner = new binding.counterFd.OwnedFd(fd);
    this.#fd = fd;
  }

  /** The fd, for an EpollInstance (EPOLLIN: records are ready to read); -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Idempotent. remove() the fd from your EpollInstances first; an iterator of this object ends. */
  close(): void {
    if (this.#fd < 0) return;
    this.#iterator?.end();
    const fd = this.#fd;
    this.#fd = -1;
    check(this.#owner.close(), 'close', fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  protected openFd(): number {
    if (this.#fd < 0) throw closedError(this.constructor.name);
    return this.#fd;
  }

  // One iterator at a time: the fd can be registered once in the shared EpollInstance.
  protected iterate(method: string, read: () => T[] | null): AsyncIterableIterator<T> {
    const fd = this.openFd();
    if (this.#iterator !== null) throw new Error(`${this.constructor.name}.${method}(): an iterator is active`);
    const iterator = new BatchIterator<T>({ fd, read }, () => (this.#iterator = null));
    this.#iterator = iterator;
    return iterator;
  }
}
