// What every byte transfer on an fd shares (io.read/write, sock.send/recv): the fd and the byte
// range checked, one call, and EAGAIN as null. Internal: io and sock export the named calls.
import { checkOrNull } from './errors';
import { validateFd, validateLength, validateOffset, validateView } from './validate';

type TransferCall = (fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number, flags: number) => number;

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
  const view = validateView(buffer, 'buffer');
  const start = validateOffset(view, offset);
  return checkOrNull(call(validFd, view, start, validateLength(view, start, length), flags), syscall, validFd);
}
