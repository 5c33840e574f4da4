// linux-epoll: the kernel's epoll, eventfd, timerfd and non-blocking sockets for Node.js on Linux.
import './disposable';
export {
  EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDNORM, EPOLLRDBAND, EPOLLWRNORM,
  EPOLLWRBAND, EPOLLMSG, EPOLLRDHUP, EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT, EPOLLET, eventNames,
} from './constants';
export { EpollInstance, type EpollHandler, type EpollInstanceOptions, type DispatchMode } from './epoll-instance';
export { EventFd, type EventFdOptions } from './event-fd';
export { TimerFd, type TimerFdOptions, type TimerClock } from './timer-fd';
export type { SystemError } from './errors';
export * as io from './io';
export * as sock from './sock';
