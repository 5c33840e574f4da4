// Non-blocking fd syscalls. Each returns null where the call would block (EAGAIN), so a handler can
// drain an fd in a loop, and throws a system error for any other failure.
import { binding } from '../core/binding';
import { check } from '../core/errors';
import { transfer } from '../core/transfer';
import { validateFd } from '../core/validate';

const native = binding.io;

function fdPair(make: (out: Int32Array) => number, syscall: string): [number, number] {
  const out = new Int32Array(2);
  check(make(out), syscall);
  return [out[0], out[1]];
}

/** A non-blocking, close-on-exec pipe: [readEnd, writeEnd]. */
export function pipe(): [number, number] {
  return fdPair(native.pipe, 'pipe2');
}

/** A non-blocking, close-on-exec AF_UNIX stream socket pair. */
export function socketpair(): [number, number] {
  return fdPair(native.socketpair, 'socketpair');
}

/** Reads into buffer[offset, offset + length): bytes read, 0 at end of stream, null if it would block. */
export function read(fd: number, buffer: ArrayBufferView, offset?: number, length?: number): number | null {
  return transfer(native.read, 'read', fd, buffer, offset, length);
}

/** Writes buffer[offset, offset + length): bytes written (maybe fewer), null if it would block. */
export function write(fd: number, buffer: ArrayBufferView, offset?: number, length?: number): number | null {
  return transfer(native.write, 'write', fd, buffer, offset, length);
}

/** Closes fd. remove() it from every EpollInstance first: see "fds shared by dup()" in the README. */
export function close(fd: number): void {
  const validFd = validateFd(fd);
  check(native.close(validFd), 'close', validFd);
}
