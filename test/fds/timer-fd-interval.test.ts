// TimerFd.start(delay, intervalMs) with 0 < intervalMs < 5e-7 rounded the interval to 0 ns, which
// the kernel takes as "fire once" (issue 11, item 10). A positive interval stays periodic.
import { TimerFd } from '../../lib';
import { waitFor } from '../support/wait';

describe('TimerFd interval', () => {
  test.each([4.9e-7, 1e-9, Number.MIN_VALUE])(
    'a positive interval under 0.5 ns (%p ms) armed a one-shot timer: it stays periodic',
    async (intervalMs) => {
      const timer = new TimerFd().start(0.001, intervalMs);
      let total = 0n;
      // One-shot, the count would stop at 1 for good; periodic, it passes 1 at the next read.
      await waitFor(() => (total += timer.read() ?? 0n) >= 2n, 'a second expiration');
      timer.close();
    },
  );
});
