// ep.read() and ep.write(): the loop every user of a non-blocking fd writes, the call tried first
// and readiness awaited only while it would block.
import * as io from '../fds/io';
import type { EpollInstance } from './epoll-instance';
import type { AwaitOptions } from './readiness';
import { validateFd, validateOptions } from '../core/validate';
import { validateLength, validateOffset, viewByteLength } from '../core/views';

export interface TransferOptions extends AwaitOptions {
  /** Where in buffer to start, in bytes. Default 0. */
  offset?: number;
  /** How many bytes at most. Default: the rest of buffer. */
  length?: number;
}

interface Transfer {
  start: number;
  count: number;
  wait: AwaitOptions;
}

// Read once, so that a getter runs once; the timeout is an idle one: it bounds each wait.
function transferOptions(fd: unknown, buffer: unknown, options: unknown): Transfer {
  validateFd(fd);
  const size = viewByteLength(buffer, 'buffer');
  const { offset, length, signal, timeout } = validateOptions(options);
  const start = validateOffset(size, offset);
  return { start, count: validateLength(size, start, length), wait: { signal, timeout } as AwaitOptions };
}

type AwaitedTransfer = (ep: EpollInstance, fd: number, buffer: ArrayBufferView, options: unknown) => Promise<number>;

export const readFd: AwaitedTransfer = async (ep, fd, buffer, options) => {
  const { start, count, wait } = transferOptions(fd, buffer, options);
  for (;;) {
    const read = io.read(fd, buffer, start, count);
    if (read !== null) return read;
    await ep.readable(fd, wait);
  }
};

export const writeFd: AwaitedTransfer = async (ep, fd, buffer, options) => {
  const { start, count, wait } = transferOptions(fd, buffer, options);
  let done = 0;
  for (;;) {
    done += io.write(fd, buffer, start + done, count - done) ?? 0;
    if (done === count) return done;
    await ep.writable(fd, wait);
  }
};
