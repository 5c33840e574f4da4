// A failed GPIO ioctl as a Node system error (syscall 'ioctl'), whose message names the ioctl and,
// where the kernel's errno alone would puzzle, what it means here.
import { systemError, type SystemError } from '../core/errors';

const HINTS: Record<string, string> = {
  EBUSY: 'a line is already requested (by this or another process, or by the kernel)',
  ENOTTY: 'the fd is not a GPIO chip (uAPI v2 needs Linux 5.10 or later)',
  EPERM: 'values can only be set on output lines',
  ENODEV: 'the chip was removed',
};

export function gpioError(errno: number, ioctl: string, fd: number): SystemError {
  const error = systemError(errno, 'ioctl', fd);
  const hint = HINTS[error.code];
  error.message = `${error.message.replace(/, ioctl /, `, ioctl ${ioctl} `)}${hint ? `: ${hint}` : ''}`;
  return error;
}

export function checkIoctl(result: number, ioctl: string, fd: number): number {
  if (result < 0) throw gpioError(result, ioctl, fd);
  return result;
}
