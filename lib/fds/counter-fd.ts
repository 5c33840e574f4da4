// The shape shared by the kernel's counter fds (eventfd, timerfd): an owned fd that reads as one
// 8-byte count in host byte order.
import { binding } from '../core/binding';
import { checkOrNull } from '../core/errors';
import { OwnedDescriptor, openFd } from '../core/owned-descriptor';

const COUNTER_BYTES = 8;
const counter = new BigUint64Array(1);

export { openFd };
// A function, not a method, for the reason openFd is one (lib/core/owned-descriptor.ts).
export let readCounter: (counterFd: CounterFd) => bigint | null;

export abstract class CounterFd extends OwnedDescriptor {
  static {
    readCounter = (counterFd) => counterFd.#readCounter();
  }

  // The count, which the read resets: null when it is 0.
  #readCounter(): bigint | null {
    const fd = openFd(this);
    return checkOrNull(binding.io.read(fd, counter, 0, COUNTER_BYTES), 'read', fd) === null ? null : counter[0];
  }
}
