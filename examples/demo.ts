// A first look at linux-epoll: one EpollInstance watches an eventfd (level-triggered) and a pipe
// (edge-triggered), and prints what the kernel reports.
//   npm run demo               (wait thread)
//   npm run demo -- --loop     (Node's own event loop watches the epoll fd)
import { EPOLLET, EPOLLIN, EPOLLRDHUP, EpollInstance, EventFd, eventNames, io } from '../lib';

const dispatch = process.argv.includes('--loop') ? 'loop' : 'thread';
const ep = new EpollInstance({ dispatch });
const counter = new EventFd();
const [readEnd, writeEnd] = io.pipe();
const chunk = Buffer.alloc(64);

ep.add(counter.fd, EPOLLIN, (events) => {
  // Level-triggered: reading the counter is what stops the reports.
  console.log(`eventfd  ${eventNames(events).join('|')}  counter=${counter.read()}`);
});

ep.add(readEnd, EPOLLIN | EPOLLRDHUP | EPOLLET, (events) => {
  // Edge-triggered: one report per arrival, so drain until the kernel says it would block.
  let n: number | null;
  while ((n = io.read(readEnd, chunk)) !== null && n > 0) {
    console.log(`pipe     ${eventNames(events).join('|')}  read "${chunk.toString('utf8', 0, n)}"`);
  }
  if (n === 0) {
    console.log('pipe     end of stream: closing');
    ep.remove(readEnd);
    io.close(readEnd);
    ep.close();
    counter.close();
  }
});

console.log(`watching an eventfd and a pipe (dispatch: ${dispatch})`);
counter.write(1);
setTimeout(() => counter.write(41n), 20);
setTimeout(() => io.write(writeEnd, Buffer.from('hello from the pipe')), 40);
setTimeout(() => io.close(writeEnd), 60);
