// Proving that something did NOT happen needs a point after which the kernel has been asked again.
// A sentinel eventfd written now is reported in a batch collected after now; level-triggered fds
// that are still ready are reported in that batch or an earlier one.
import { EPOLLIN, EventFd, type EpollInstance } from '../../lib';
import { waitFor } from './wait';

export async function afterNextBatch(ep: EpollInstance): Promise<void> {
  const sentinel = new EventFd();
  let seen = false;
  ep.add(sentinel.fd, EPOLLIN, () => {
    seen = true;
  });
  sentinel.write(1);
  try {
    await waitFor(() => seen, 'the sentinel event');
  } finally {
    ep.remove(sentinel.fd);
    sentinel.close();
  }
}
