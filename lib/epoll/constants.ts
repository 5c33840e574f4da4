// The kernel's event bits, as unsigned 32-bit numbers (EPOLLET is 2147483648, never negative).
// Everything here is public: lib/index.ts re-exports the whole module.
import { binding } from '../core/binding';
import { validateEventMask } from '../core/validate';

/**
 * Every event bit and flag, by its kernel name, lowest bit first: the one list that eventNames()
 * and KNOWN_EVENTS come from, and that types the native table. ES modules cannot declare named
 * exports from a list, so each name is written once more below, where the compiler checks it
 * against this list (the table is keyed by EventName).
 */
export const EVENT_NAMES = Object.freeze([
  'EPOLLIN',
  'EPOLLPRI',
  'EPOLLOUT',
  'EPOLLERR',
  'EPOLLHUP',
  'EPOLLRDNORM',
  'EPOLLRDBAND',
  'EPOLLWRNORM',
  'EPOLLWRBAND',
  'EPOLLMSG',
  'EPOLLRDHUP',
  'EPOLLEXCLUSIVE',
  'EPOLLWAKEUP',
  'EPOLLONESHOT',
  'EPOLLET',
] as const);

export type EventName = (typeof EVENT_NAMES)[number];

const k = binding.epoll.constants;

/** Readable, or a connection is pending on a listening socket. */
export const EPOLLIN: number = k.EPOLLIN;
/** Urgent or exceptional data: TCP out-of-band data, a sysfs GPIO edge. */
export const EPOLLPRI: number = k.EPOLLPRI;
/** Writable. */
export const EPOLLOUT: number = k.EPOLLOUT;
/** An error condition; always reported, whether asked for or not. */
export const EPOLLERR: number = k.EPOLLERR;
/** Hang-up; always reported, whether asked for or not. */
export const EPOLLHUP: number = k.EPOLLHUP;
export const EPOLLRDNORM: number = k.EPOLLRDNORM;
export const EPOLLRDBAND: number = k.EPOLLRDBAND;
export const EPOLLWRNORM: number = k.EPOLLWRNORM;
export const EPOLLWRBAND: number = k.EPOLLWRBAND;
export const EPOLLMSG: number = k.EPOLLMSG;
/** The stream peer shut down its writing half (or closed). */
export const EPOLLRDHUP: number = k.EPOLLRDHUP;
/** Flag: wake only one of several epoll instances watching the same fd. Only with add(). */
export const EPOLLEXCLUSIVE: number = k.EPOLLEXCLUSIVE;
/** Flag: hold a wakeup source while the event is pending (needs CAP_BLOCK_SUSPEND). */
export const EPOLLWAKEUP: number = k.EPOLLWAKEUP;
/** Flag: report one event, then stay disabled until modify() re-arms the fd. */
export const EPOLLONESHOT: number = k.EPOLLONESHOT;
/** Flag: edge-triggered; report only changes of readiness. */
export const EPOLLET: number = k.EPOLLET;

// Each export reads its own name from the native table, which the compiler checks against EVENT_NAMES.
const NAMED: ReadonlyArray<readonly [EventName, number]> = EVENT_NAMES.map((name) => [name, k[name]] as const);

/** Every bit a mask may carry. */
export const KNOWN_EVENTS: number = NAMED.reduce((mask, [, bit]) => (mask | bit) >>> 0, 0);

/** Events the kernel reports whether or not they were asked for. */
export const ALWAYS_REPORTED: number = EPOLLERR | EPOLLHUP;

/** The names of the bits set in a mask, lowest bit first: eventNames(EPOLLIN | EPOLLRDHUP). */
export function eventNames(events: number): string[] {
  const mask = validateEventMask(events, KNOWN_EVENTS);
  return NAMED.filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name);
}
