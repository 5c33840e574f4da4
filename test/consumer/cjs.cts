// A TypeScript user's CommonJS module (the require condition), type-checked like esm.mts.
import linuxEpoll = require('linux-epoll');
import compat = require('linux-epoll/compat');

// Stands for the user's own code; a consumer may have no console in its types (no @types/node).
declare function use(...values: unknown[]): void;

const ep: linuxEpoll.EpollInstance = new linuxEpoll.EpollInstance();
const handler: linuxEpoll.EpollHandler = (events: number, fd: number) => use(events, fd);
const efd = new linuxEpoll.EventFd();
ep.add(efd.fd, linuxEpoll.EPOLLIN, handler);
// @ts-expect-error maxEvents is a number
new linuxEpoll.EpollInstance({ maxEvents: '64' });
// The awaits, typed without DOM or @types/node: the signal is any AbortSignal-shaped object.
async function awaits(signal: linuxEpoll.AbortSignalLike): Promise<void> {
  const events: number = await ep.readable(efd.fd, { signal, timeout: 10 });
  for await (const bits of ep.watch(efd.fd, linuxEpoll.EPOLLIN, { maxQueue: 8, overflow: 'throw' })) use(bits);
  const read: number = await ep.read(efd.fd, new Uint8Array(8), { offset: 0, length: 8 });
  const count: bigint = await efd.wait(ep);
  for await (const { fd } of linuxEpoll.sock.connections(ep, 3, { signal })) use(fd);
  // @ts-expect-error overflow is 'ignore' or 'throw'
  ep.watch(efd.fd, linuxEpoll.EPOLLIN, { overflow: 'error' });
  await ep[Symbol.asyncDispose]();
  use(events, read, count);
}
use(awaits);
const poller: compat.Epoll = new compat.Epoll(() => undefined, { dispatch: 'loop' });
poller.close();
efd.close();
ep.close();

import gpio = require('linux-epoll/gpio');
import onoff = require('linux-epoll/onoff');
const chips: gpio.ChipSummary[] = gpio.listChips();
const button: onoff.Gpio | null = chips.length > 0 ? new onoff.Gpio(4, 'in', 'both', { chip: chips[0].path }) : null;
use(button?.readSync());
