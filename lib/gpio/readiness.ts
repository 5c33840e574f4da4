// Readiness of GPIO fds on one EpollInstance per thread, made when first needed: the async
// iterators of requests and chips and the onoff adapter's watch() use it. While it watches an fd it
// keeps the event loop alive, as any pending I/O does.
import { EPOLLIN, EPOLLONESHOT } from '../epoll/constants';
import { EpollInstance } from '../epoll/epoll-instance';

let shared: EpollInstance | undefined;

function sharedInstance(): EpollInstance {
  if (shared === undefined || shared.closed) shared = new EpollInstance({ dispatch: 'auto' });
  return shared;
}

/** onReadable() each time fd is readable; with oneShot, only once per arm(). */
export class ReadableWatch {
  readonly #fd: number;
  #epoll: EpollInstance | null;

  constructor(fd: number, onReadable: () => void, oneShot: boolean) {
    this.#fd = fd;
    this.#epoll = sharedInstance();
    this.#epoll.add(fd, oneShot ? EPOLLIN | EPOLLONESHOT : EPOLLIN, () => onReadable());
  }

  arm(): void {
    this.#epoll?.modify(this.#fd, EPOLLIN | EPOLLONESHOT);
  }

  /** Idempotent; call it before the fd is closed. */
  stop(): void {
    const epoll = this.#epoll;
    this.#epoll = null;
    if (epoll !== null && !epoll.closed && epoll.has(this.#fd)) epoll.remove(this.#fd);
  }
}

export interface BatchSource<T> {
  readonly fd: number;
  /** What is ready now, or null when nothing is. */
  read(): T[] | null;
}

/**
 * The records of source, one by one, read in batches: it waits for readiness only while a next()
 * is pending, so a slow consumer leaves records in the kernel's buffer (whose overflow the
 * sequence numbers then tell), not in an unbounded queue here.
 */
export class BatchIterator<T> implements AsyncIterableIterator<T> {
  readonly #source: BatchSource<T>;
  readonly #onEnd: () => void;
  #batch: T[] = [];
  #next = 0;
  #watch: ReadableWatch | null = null;
  #pending: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  #done = false;

  constructor(source: BatchSource<T>, onEnd: () => void) {
    this.#source = source;
    this.#onEnd = onEnd;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#pending !== null) return Promise.reject(new Error('next() called while a previous next() is pending'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#pump();
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Ends the iteration: a pending next() resolves done. Called before the source's fd closes. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#watch?.stop();
    this.#watch = null;
    this.#onEnd();
    this.#settle(() => ({ done: true, value: undefined }));
  }

  #pump(): void {
    if (this.#done) return this.#settle(() => ({ done: true, value: undefined }));
    if (this.#next < this.#batch.length) return this.#settle(() => ({ done: false, value: this.#batch[this.#next++] }));
    try {
      const batch = this.#source.read();
      if (batch !== null && batch.length > 0) {
        this.#batch = batch;
        this.#next = 0;
        return this.#pump();
      }
      if (this.#watch === null) this.#watch = new ReadableWatch(this.#source.fd, () => this.#pump(), true);
      else this.#watch.arm();
    } catch (error) {
      this.#settle(() => {
        throw error;
      });
      this.end();
    }
  }

  #settle(result: () => IteratorResult<T>): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    try {
      pending.resolve(result());
    } catch (error) {
      pending.reject(error);
    }
  }
}
