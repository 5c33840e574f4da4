// What chips and line requests share: an fd the object owns (lib/core/fd-owner.ts), and at most
// one async iterator over its records, which ends before the fd closes.
import { FdObject, objectFd } from '../core/fd-owner';
import { BatchIterator } from './readiness';

export { objectFd as openFd };

export abstract class GpioFd<T> extends FdObject {
  #iterator: BatchIterator<T> | null = null;

  /** Idempotent. remove() the fd from your EpollInstances first; an iterator of this object ends. */
  override close(): void {
    this.#iterator?.end();
    super.close();
  }

  // One iterator at a time: the fd can be registered once in the shared EpollInstance.
  protected iterate(method: string, read: () => T[] | null): AsyncIterableIterator<T> {
    const fd = objectFd(this);
    if (this.#iterator !== null) throw new Error(`${this.constructor.name}.${method}(): an iterator is active`);
    const iterator = new BatchIterator<T>({ fd, read }, () => (this.#iterator = null));
    this.#iterator = iterator;
    return iterator;
  }
}
