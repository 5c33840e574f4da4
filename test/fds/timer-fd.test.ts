// TimerFd against the kernel's timerfd, watched by both dispatch modes.
import { EPOLLET, EPOLLIN, EpollInstance, TimerFd } from '../../lib';
import { openFlags } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { errorFrom } from '../support/thrown';
import { waitFor } from '../support/wait';

describeEachMode('TimerFd', (dispatch) => {
  test('a periodic timer wakes an edge-triggered registration and counts expirations', async () => {
    const epoll = new EpollInstance({ dispatch });
    const timer = new TimerFd();
    let total = 0n;
    epoll.add(timer.fd, EPOLLIN | EPOLLET, () => (total += timer.read() ?? 0n));
    timer.start(5, 5);
    await waitFor(() => total >= 3n, 'three expirations');
    timer.stop();
    epoll.close();
    timer.close();
  });
});

describe('TimerFd', () => {
  test('is non-blocking and close-on-exec, disarmed at first, and read() is null with nothing counted', () => {
    const timer = new TimerFd({ clock: 'boottime' });
    expect(openFlags(timer.fd) & 0o2004000).toBe(0o2004000);
    expect(timer.read()).toBeNull();
    timer.close();
  });

  test('a one-shot timer fires once; a late read reports every period of a periodic one', async () => {
    const once = new TimerFd().start(1);
    const periodic = new TimerFd({ clock: 'realtime' }).start(2, 2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(once.read()).toBe(1n);
    expect(once.read()).toBeNull();
    expect(periodic.read()!).toBeGreaterThan(3n);
    // A fraction of a millisecond is a real delay, not a disarm.
    once.start(0.0001);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(once.read()).toBe(1n);
    once.close();
    periodic.close();
  });

  test('stop() disarms and, as the kernel does, discards unread expirations', async () => {
    const timer = new TimerFd().start(1, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    timer.stop();
    expect(timer.read()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(timer.read()).toBeNull();
    timer.close();
  });

  test('bad arguments throw documented errors and change nothing; a closed timer says so', () => {
    expect(errorFrom(() => new TimerFd({ clock: 'tai' as never })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(errorFrom(() => new TimerFd(5 as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    const timer = new TimerFd();
    expect(errorFrom(() => timer.start(0)).code).toBe('ERR_OUT_OF_RANGE');
    expect(errorFrom(() => timer.start(-1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(errorFrom(() => timer.start(Number.NaN)).code).toBe('ERR_OUT_OF_RANGE');
    expect(errorFrom(() => timer.start(Infinity)).code).toBe('ERR_OUT_OF_RANGE');
    expect(errorFrom(() => timer.start('5' as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(errorFrom(() => timer.start(5, -1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(timer.read()).toBeNull();
    timer.close();
    timer.close();
    expect(timer.closed).toBe(true);
    expect(timer.fd).toBe(-1);
    for (const call of [() => timer.start(1), () => timer.stop(), () => timer.read()]) {
      expect(errorFrom(call).code).toBe('ERR_EPOLL_CLOSED');
    }
  });
});
