// A TypeScript user's ESM module (the import condition). It is only type-checked, by
// scripts/test-package.sh, against the packed package installed in a fresh project.
import {
  ConnectionServer,
  EPOLLET,
  EPOLLIN,
  EpollInstance,
  EventFd,
  TimerFd,
  eventNames,
  io,
  sock,
  type ConnectionHandler,
  type EpollHandler,
  type SystemError,
} from 'linux-epoll';
import linuxEpoll from 'linux-epoll';
import { Epoll } from 'linux-epoll/compat';
import epoll from 'linux-epoll/compat';

// Stands for the user's own code; a consumer may have no console in its types (no @types/node).
declare function use(...values: unknown[]): void;

const ep = new EpollInstance({ dispatch: 'loop', maxEvents: 64 });
const efd = new EventFd(0, { semaphore: true });
const timer = new TimerFd().start(10, 10);
const onReady: EpollHandler = (events, fd) => {
  const count: bigint | null = efd.read();
  const names: string[] = eventNames(events);
  use(fd, names, count);
};
ep.add(efd.fd, EPOLLIN | EPOLLET, onReady)
  .modify(efd.fd, EPOLLIN)
  .remove(efd.fd);
const wrote: boolean = efd.write(1n);
const [readEnd, writeEnd]: [number, number] = io.pipe();
const read: number | null = io.read(readEnd, new Uint8Array(8), 0, 8);
const listener: number = sock.listenTcp({ host: '127.0.0.1', port: 0 });
const pending: SystemError | null = sock.socketError(listener);
use(wrote, read, pending, writeEnd);

// The connection layer: a handler's buffer indexes and searches as a Uint8Array (a Buffer with @types/node).
const server = new ConnectionServer({
  port: 0,
  onConnection: (connection): ConnectionHandler => ({
    data(buffer, start, end) {
      const newline: number = buffer.indexOf(10, start);
      if (newline < 0 || newline >= end) return 0;
      const more: boolean = connection.write(buffer, start, newline + 1 - start);
      if (!more) connection.pause();
      return newline + 1 - start;
    },
    close: (_closed, error: Error | null) => use(error),
  }),
});
use(server.address, server.stats.open);
server.close();

// @ts-expect-error an fd is a number
ep.add('3', EPOLLIN, onReady);
// @ts-expect-error dispatch is 'thread' or 'loop'
new EpollInstance({ dispatch: 'poll' });
// @ts-expect-error a handler is a function
ep.add(efd.fd, EPOLLIN, null);

// The default export is the whole module, as Node gives a CommonJS module to import.
const sameClass: typeof EpollInstance = linuxEpoll.EpollInstance;
const poller = new Epoll((err: Error | null, fd: number, events: number) => use(err, fd, events));
poller.add(readEnd, Epoll.EPOLLIN | Epoll.EPOLLET).remove(readEnd);
const closed: null = poller.close();
const sameEpoll: typeof Epoll = epoll.Epoll;
use(sameClass, closed, sameEpoll);

timer[Symbol.dispose]();
efd[Symbol.dispose]();
ep[Symbol.dispose]();

// GPIO: only type-checked (no chip is needed to compile).
import { openChip, type LineEvent } from 'linux-epoll/gpio';
import { Gpio, type BinaryValue } from 'linux-epoll/onoff';
async function blink(): Promise<void> {
  const chip = openChip('gpiochip0');
  const request = chip.requestLines({ lines: [17, 'LED'], direction: 'output', values: [1, false] });
  request.setValues([0, undefined]);
  for await (const event of request.events()) {
    const at: bigint = event.timestampNs;
    const edge: LineEvent['edge'] = event.edge;
    use(at, edge);
  }
  // @ts-expect-error a direction is 'input', 'output' or 'as-is'
  chip.requestLines({ lines: [1], direction: 'in' });
  const led = new Gpio(17, 'out');
  const value: BinaryValue = led.readSync();
  await led.write(value === Gpio.HIGH ? Gpio.LOW : Gpio.HIGH);
  led.unexport();
  request.close();
  chip[Symbol.dispose]();
}
use(blink);
