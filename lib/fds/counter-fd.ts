// The shape shared by the kernel's counter fds (eventfd, timerfd): an fd that reads as one 8-byte
// count in host byte order, closed once: by close(), or else when the object is collected or its
// worker ends, so that a dropped one leaks nothing.
import { binding } from '../core/binding';
import { checkOrNull } from '../core/errors';
import { FdObject, objectFd } from '../core/fd-owner';

const COUNTER_BYTES = 8;
const counter = new BigUint64Array(1);

// How the subclasses reach the fd: functions, not properties of the object, which user code could
// shadow by assignment and so redirect a write to another fd.
export const openFd: (counterFd: CounterFd) => number = objectFd;
export let readCounter: (counterFd: CounterFd) => bigint | null;

export abstract class CounterFd extends FdObject {
  static {
    readCounter = (counterFd) => counterFd.#readCounter();
  }

  // The count, which the read resets: null when it is 0.
  #readCounter(): bigint | null {
    const fd = openFd(this);
    return checkOrNull(binding.io.read(fd, counter, 0, COUNTER_BYTES), 'read', fd) === null ? null : counter[0];
  }
}
