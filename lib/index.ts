// linux-epoll: the kernel's epoll, eventfd, timerfd and non-blocking sockets for Node.js on Linux.
import './core/disposable';
export * from './epoll/constants';
export { EpollInstance, type EpollHandler, type EpollInstanceOptions, type DispatchMode } from './epoll/epoll-instance';
export { EventFd, type EventFdOptions } from './fds/event-fd';
export { TimerFd, type TimerFdOptions, type TimerClock } from './fds/timer-fd';
export type { SystemError } from './core/errors';
export * as io from './fds/io';
export * as sock from './net/sock';
export { TunDevice, type TunDeviceOptions, type TunMode } from './net/tun';
