// npm run example:timerfd: a kernel timer as an fd, watched edge-triggered. A late read still learns
// how many periods went by, which a setInterval callback never can.
import { EPOLLET, EPOLLIN, EpollInstance, TimerFd } from '../lib';

const PERIOD_MS = 50;
const TICKS = 10;

const epoll = new EpollInstance({ dispatch: 'auto' });
const timer = new TimerFd();
let ticks = 0n;

epoll.add(timer.fd, EPOLLIN | EPOLLET, () => {
  // Drained in one read: the count of expirations since the last one.
  const expirations = timer.read();
  if (expirations === null) return;
  ticks += expirations;
  console.log(`tick ${ticks} (+${expirations})`);
  if (ticks >= TICKS) {
    epoll.remove(timer.fd);
    timer.close();
    epoll.close();
  }
});
timer.start(PERIOD_MS, PERIOD_MS);
console.log(`timerfd ${timer.fd}: ${TICKS} ticks every ${PERIOD_MS} ms`);

// Block the thread for three periods: the next read reports all of them at once.
setTimeout(() => {
  const until = Date.now() + 3 * PERIOD_MS;
  while (Date.now() < until);
}, PERIOD_MS * 2.5);
