// The event constants are the kernel's bits, unsigned, and eventNames reads any mask as 32 bits.
import {
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLMSG,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDBAND,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWAKEUP,
  EPOLLWRBAND,
  EPOLLWRNORM,
  eventNames,
} from '../../lib';
import * as linuxEpoll from '../../lib';
import { binding } from '../../lib/core/binding';
import { EVENT_NAMES, KNOWN_EVENTS } from '../../lib/epoll/constants';

test('the constants are the kernel values of <sys/epoll.h>, as unsigned numbers', () => {
  expect({
    EPOLLIN,
    EPOLLPRI,
    EPOLLOUT,
    EPOLLERR,
    EPOLLHUP,
    EPOLLRDNORM,
    EPOLLRDBAND,
    EPOLLWRNORM,
    EPOLLWRBAND,
    EPOLLMSG,
    EPOLLRDHUP,
    EPOLLEXCLUSIVE,
    EPOLLWAKEUP,
    EPOLLONESHOT,
    EPOLLET,
  }).toEqual({
    EPOLLIN: 0x1,
    EPOLLPRI: 0x2,
    EPOLLOUT: 0x4,
    EPOLLERR: 0x8,
    EPOLLHUP: 0x10,
    EPOLLRDNORM: 0x40,
    EPOLLRDBAND: 0x80,
    EPOLLWRNORM: 0x100,
    EPOLLWRBAND: 0x200,
    EPOLLMSG: 0x400,
    EPOLLRDHUP: 0x2000,
    EPOLLEXCLUSIVE: 2 ** 28,
    EPOLLWAKEUP: 2 ** 29,
    EPOLLONESHOT: 2 ** 30,
    EPOLLET: 2 ** 31,
  });
});

test.each([
  [EPOLLIN | EPOLLRDHUP, ['EPOLLIN', 'EPOLLRDHUP']],
  // JavaScript's | makes this negative; the bits are the same.
  [EPOLLIN | EPOLLET, ['EPOLLIN', 'EPOLLET']],
  [(EPOLLIN | EPOLLET) >>> 0, ['EPOLLIN', 'EPOLLET']],
  [EPOLLET | EPOLLONESHOT | EPOLLOUT | EPOLLERR, ['EPOLLOUT', 'EPOLLERR', 'EPOLLONESHOT', 'EPOLLET']],
  [0, []],
])('eventNames(%i) lists the set bits, lowest first', (mask, names) => {
  expect(eventNames(mask)).toEqual(names);
});

test("the Poller publishes its buffer's layout: struct epoll_event's words, and the reserved generation", () => {
  const layout = binding.epoll.Poller.eventLayout;
  // x86-64 packs struct epoll_event into 12 bytes; other architectures pad it to 16.
  const expected =
    process.arch === 'x64'
      ? { stride: 3, events: 0, fd: 1, generation: 2 }
      : { stride: 4, events: 0, fd: 2, generation: 3 };
  expect(layout).toEqual({ ...expected, reservedGeneration: 0 });
});

test('the package exports exactly the event names of the one list, each with its own bit', () => {
  const exported = Object.fromEntries(Object.entries(linuxEpoll).filter(([name]) => name.startsWith('EPOLL')));
  expect(exported).toEqual(Object.fromEntries(EVENT_NAMES.map((name) => [name, binding.epoll.constants[name]])));
  expect(eventNames(0xffffffff & Number(KNOWN_EVENTS))).toEqual([...EVENT_NAMES]);
});

test('the package exports the list (frozen), the mask of every known bit and the always-reported bits', () => {
  expect(linuxEpoll.EVENT_NAMES).toBe(EVENT_NAMES);
  expect(Object.isFrozen(linuxEpoll.EVENT_NAMES)).toBe(true);
  const everyBit = EVENT_NAMES.reduce((mask, name) => (mask | binding.epoll.constants[name]) >>> 0, 0);
  expect(linuxEpoll.KNOWN_EVENTS).toBe(everyBit);
  expect(linuxEpoll.ALWAYS_REPORTED).toBe((EPOLLERR | EPOLLHUP) >>> 0);
});
