// Real kernel objects for tests, closed again by closeAll() after each test.
import { EventFd, io } from '../../lib';

export class FdPool {
  #fds: number[] = [];
  #eventFds: EventFd[] = [];

  eventFd(initialValue = 0, options?: { semaphore?: boolean }): EventFd {
    const efd = new EventFd(initialValue, options);
    this.#eventFds.push(efd);
    return efd;
  }

  pipe(): [number, number] {
    return this.#track(io.pipe());
  }

  socketpair(): [number, number] {
    return this.#track(io.socketpair());
  }

  /** Takes an fd made elsewhere (a socket, say) into the pool: closeAll() closes it. */
  adopt(fd: number): number {
    this.#fds.push(fd);
    return fd;
  }

  /** Closes fd now; closeAll() will not close it again. */
  close(fd: number): void {
    this.#fds = this.#fds.filter((f) => f !== fd);
    io.close(fd);
  }

  closeAll(): void {
    for (const fd of this.#fds) io.close(fd);
    for (const efd of this.#eventFds) efd.close();
    this.#fds = [];
    this.#eventFds = [];
  }

  #track(pair: [number, number]): [number, number] {
    this.#fds.push(...pair);
    return pair;
  }
}

/** The fd's open flags (O_NONBLOCK, O_CLOEXEC, ...), as the kernel reports them. */
export function openFlags(fd: number): number {
  const info: string = require('node:fs').readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  return parseInt(/flags:\s+(\d+)/.exec(info)![1], 8);
}

export function openFdCount(): number {
  return require('node:fs').readdirSync('/proc/self/fd').length;
}

export function threadCount(): number {
  return require('node:fs').readdirSync('/proc/self/task').length;
}
