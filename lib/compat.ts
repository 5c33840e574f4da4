// linux-epoll/compat's entry. On Linux it is the Epoll class of ./compat/epoll. Elsewhere it does
// what epoll@4 does there: it warns and exports a stub, so code that merely loads it (onoff on a
// developer's Mac, say) keeps loading. Only the main package insists on Linux when loaded.
import './core/disposable';
import type { Epoll as EpollClass } from './compat/epoll';

export type { EpollCallback, EpollOptions } from './compat/epoll';

function load(): typeof EpollClass {
  if (process.platform === 'linux') return (require('./compat/epoll') as typeof import('./compat/epoll')).Epoll;
  console.warn(`Warning: epoll is built for Linux and not intended for usage on ${process.platform}.`);
  return {} as typeof EpollClass;
}

export const Epoll = load();
export type Epoll = EpollClass;
