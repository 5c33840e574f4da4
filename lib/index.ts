// linux-epoll: the kernel's epoll, eventfd, timerfd and non-blocking sockets for Node.js on Linux.
import './core/disposable';
export * from './epoll/constants';
export { EpollInstance, type EpollHandler, type EpollInstanceOptions, type DispatchMode } from './epoll/epoll-instance';
export { EventFd, type EventFdOptions } from './fds/event-fd';
export { TimerFd, type TimerFdOptions, type TimerClock } from './fds/timer-fd';
export { PidFd, type ExitStatus, type SignalName } from './fds/pid-fd';
export { Inotify, pairRenames, type InotifyEvent, type InotifyRename, type InotifyOptions } from './fds/inotify';
export * from './fds/inotify-constants';
export type { SystemError } from './core/errors';
export type { AbortSignalLike, AwaitOptions, WatchOptions, WatchOverflow } from './epoll/readiness';
export type { TransferOptions } from './epoll/transfers';
export * as io from './fds/io';
export * as sock from './net/sock';
export { TunDevice, type TunDeviceOptions, type TunMode } from './net/tun';
export {
  ConnectionServer,
  type ConnectionServerOptions,
  type DrainPolicy,
  type EpollOutPolicy,
} from './net/connection-server';
export { Connection, type ConnectionHandler, type ConnectionStats, type ReadBuffer } from './net/connection';
