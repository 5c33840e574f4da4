// Non-blocking fd syscalls. Each returns null where the call would block (EAGAIN), so a handler can
// drain an fd in a loop, and throws a system error for any other failure.
import * as os from 'node:os';

import { binding } from './binding';
import { check, systemError } from './errors';
import { validateFd, validateLength, validateOffset, validateView } from './validate';

const { EAGAIN } = os.constants.errno;
// Linux transfers at most this much in one read or write.
const MAX_TRANSFER = 0x7ffff000;

function fdPair(make: (out: Int32Array) => number, syscall: string): [number, number] {
  const out = new Int32Array(2);
  check(make(out), syscall);
  return [out[0], out[1]];
}

function transfer(
  call: typeof binding.read,
  syscall: string,
  fd: unknown,
  buffer: unknown,
  offset: unknown,
  length: unknown,
): number | null {
  const validFd = validateFd(fd);
  const view = validateView(buffer, 'buffer');
  const start = validateOffset(view, offset);
  const count = validateLength(view, start, length);
  const result = call(validFd, view, start, Math.min(count, MAX_TRANSFER));
  if (result === -EAGAIN) return null;
  if (result < 0) throw systemError(result, syscall, validFd);
  return result;
}

/** A non-blocking, close-on-exec pipe: [readEnd, writeEnd]. */
export function pipe(): [number, number] {
  return fdPair(binding.pipe, 'pipe2');
}

/** A non-blocking, close-on-exec AF_UNIX stream socket pair. */
export function socketpair(): [number, number] {
  return fdPair(binding.socketpair, 'socketpair');
}

/** Reads into buffer[offset, offset + length): bytes read, 0 at end of stream, null if it would block. */
export function read(fd: number, buffer: ArrayBufferView, offset?: number, length?: number): number | null {
  return transfer(binding.read, 'read', fd, buffer, offset, length);
}

/** Writes buffer[offset, offset + length): bytes written (maybe fewer), null if it would block. */
export function write(fd: number, buffer: ArrayBufferView, offset?: number, length?: number): number | null {
  return transfer(binding.write, 'write', fd, buffer, offset, length);
}

/** Closes fd. remove() it from every EpollInstance first: see "fds shared by dup()" in the README. */
export function close(fd: number): void {
  const validFd = validateFd(fd);
  check(binding.close(validFd), 'close', validFd);
}
