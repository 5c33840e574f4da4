// What every byte transfer on an fd shares (io.read/write, sock.send/recv): the fd and the byte
// range checked, one call, and EAGAIN as null. Callers evaluate their options before this runs,
// so that no user code runs between the range check and the native call. Internal: io and sock
// export the named calls.
import { checkOrNull } from './errors';
import { validateFd } from './validate';
import { validateLength, validateOffset, viewByteLength } from './views';

type TransferCall = (
  fd: number,
  view: ArrayBufferView,
  byteOffset: number,
  byteLength: number,
  flags: number,
) => number;

export function transfer(
  call: TransferCall,
  syscall: string,
  fd: unknown,
  buffer: unknown,
  offset: unknown,
  length: unknown,
  flags = 0,
): number | null {
  const validFd = validateFd(fd);
  const size = viewByteLength(buffer, 'buffer');
  const start = validateOffset(size, offset);
  const count = validateLength(size, start, length);
  return checkOrNull(call(validFd, buffer as ArrayBufferView, start, count, flags), syscall, validFd);
}
