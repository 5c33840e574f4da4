// The raw native binding and its types. Nothing here validates: lib/ checks every argument before
// it crosses, and native functions report kernel failures as a negative errno. Native code still
// bounds every memory access by the buffer as Node-API reports it: a buffer argument that is no
// view, or a byte range [offset, offset + length) not within it, is -EFAULT; an address whose
// bytes do not fit its family is -EINVAL. See "Threat model" in docs/RELIABILITY.md.
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { EventName } from '../epoll/constants';

export interface NativePoller {
  /** epoll_ctl; the event's data carries fd and generation. Returns 0 or -errno. */
  ctl(op: number, fd: number, events: number, generation: number): number;
  /** Whether the instance keeps the event loop and itself alive. */
  setActive(active: boolean): void;
  /** Done with the last batch: the source may fill the buffer again. The count of a batch it filled at once, for lib/ to dispatch, or 0. */
  release(): number;
  /** Stops the event source and closes the epoll fd. Idempotent. */
  close(): void;
  readonly fd: number;
  /** Where epoll_wait writes each batch: struct epoll_event[maxEvents]. */
  readonly buffer: ArrayBuffer;
}

export interface NativeOwnedFd {
  /** Closes the fd once: 0 (also when it was closed already) or -errno. */
  close(): number;
}

/** Where each event's fields are in a Poller's buffer, in 32-bit words (native/epoll/event_token.h). */
export interface EventLayout {
  /** 32-bit words per struct epoll_event. */
  stride: number;
  events: number;
  fd: number;
  generation: number;
  /** No registration gets it: an event that carries it is the instance's own. */
  reservedGeneration: number;
}

/** native/epoll/poller.cc: the event bits by their names in lib/epoll/constants.ts, and epoll_ctl's operations. */
export type EpollConstants = Record<EventName | 'EPOLL_CTL_ADD' | 'EPOLL_CTL_MOD' | 'EPOLL_CTL_DEL', number>;

/** native/epoll/poller.cc: the epoll fd, its event source and the buffer they share with lib/epoll/epoll-instance.ts. */
export interface EpollFamily {
  constants: EpollConstants;
  /**
   * onBatch(count) for each batch of count events; onBatch(-errno, syscall) once if the event
   * source fails, after which it delivers nothing more. With asyncContext, onBatch runs in the
   * async context of this call.
   */
  Poller: {
    new (
      maxEvents: number,
      loopMode: boolean,
      onBatch: (count: number, syscall?: string) => void,
      asyncContext: boolean,
    ): NativePoller;
    readonly eventLayout: EventLayout;
    /** The largest maxEvents a Poller takes. */
    readonly maxEvents: number;
  };
}

/** native/fds/io.cc: plain fd syscalls, which every family that reads or writes an fd uses. */
export interface IoFamily {
  pipe(out: Int32Array): number;
  socketpair(out: Int32Array): number;
  read(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number): number;
  write(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number): number;
  close(fd: number): number;
}

export interface TimerClocks {
  monotonic: number;
  realtime: number;
  boottime: number;
}

/** native/fds/counter_fd.cc: eventfd and timerfd, and the object that owns their fds. */
export interface CounterFdFamily {
  eventfd(initval: number, semaphore: boolean): number;
  timerClocks: TimerClocks;
  /** A non-blocking, close-on-exec timerfd or -errno. */
  timerfdCreate(clock: number): number;
  /** 0 or -errno; a first expiration of 0 disarms. */
  timerfdSettime(
    fd: number,
    firstSeconds: number,
    firstNanoseconds: number,
    intervalSeconds: number,
    intervalNanoseconds: number,
  ): number;
  /** Takes an fd over: closed by close(), when collected, or when the environment is torn down. */
  OwnedFd: new (fd: number) => NativeOwnedFd;
}

/** native/net/sock.cc. */
export interface SockConstants {
  AF_INET: number;
  AF_INET6: number;
  AF_UNIX: number;
  SOCK_STREAM: number;
  SOCK_DGRAM: number;
  SOL_SOCKET: number;
  SO_REUSEADDR: number;
  SO_REUSEPORT: number;
  SO_KEEPALIVE: number;
  SO_RCVBUF: number;
  SO_SNDBUF: number;
  SO_ERROR: number;
  SO_LINGER: number;
  SO_OOBINLINE: number;
  IPPROTO_TCP: number;
  IPPROTO_IPV6: number;
  TCP_NODELAY: number;
  IPV6_V6ONLY: number;
  SHUT_RD: number;
  SHUT_WR: number;
  SHUT_RDWR: number;
  MSG_OOB: number;
  MSG_PEEK: number;
  /** The bytes of an address record: four uint32 words, then ADDRESS_RECORD_SIZE - 16 address bytes. */
  ADDRESS_RECORD_SIZE: number;
  /** Where a record's address bytes start. */
  ADDRESS_RECORD_BYTES: number;
  /** The most views one writev or readv takes. */
  MAX_IOV: number;
  UNIX_PATH_MAX: number;
}

/** native/net/sock.cc: sockets, created non-blocking and close-on-exec, for lib/net/sock.ts. */
export interface SockFamily {
  constants: SockConstants;
  /** The new non-blocking, close-on-exec socket fd, or -errno. */
  socket(family: number, type: number): number;
  /** An address is (family, bytes, port, scopeId): 4 or 16 address bytes, or a Unix path. 0 or -errno. */
  bind(fd: number, family: number, bytes: Uint8Array, port: number, scopeId: number): number;
  /** 0, -EINPROGRESS or -errno. */
  connect(fd: number, family: number, bytes: Uint8Array, port: number, scopeId: number): number;
  listen(fd: number, backlog: number): number;
  /** The accepted fd or -errno; the peer's address goes to record (see lib/net/socket-address.ts). */
  accept(fd: number, record: Uint8Array): number;
  localAddress(fd: number, record: Uint8Array): number;
  peerAddress(fd: number, record: Uint8Array): number;
  setIntOption(fd: number, level: number, name: number, value: number): number;
  /** The option's value (always >= 0 for those lib reads) or -errno. */
  getIntOption(fd: number, level: number, name: number): number;
  setLinger(fd: number, on: boolean, seconds: number): number;
  shutdown(fd: number, how: number): number;
  /** Transfers every view of views, an array of lib/'s own: bytes or -errno (-EINVAL past MAX_IOV views). */
  writev(fd: number, views: readonly ArrayBufferView[]): number;
  readv(fd: number, views: readonly ArrayBufferView[]): number;
  send(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number, flags: number): number;
  recv(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number, flags: number): number;
  sendto(
    fd: number,
    view: ArrayBufferView,
    byteOffset: number,
    byteLength: number,
    family: number,
    bytes: Uint8Array,
    port: number,
    scopeId: number,
  ): number;
  recvfrom(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number, record: Uint8Array): number;
}

/** native/net/tun.cc: the flags TUNSETIFF takes, as lib/net/tun.ts uses them. */
export interface TunConstants {
  IFF_TUN: number;
  IFF_TAP: number;
  IFF_NO_PI: number;
  IFF_MULTI_QUEUE: number;
  /** The bytes of an interface name with its NUL. */
  IFNAMSIZ: number;
}

/** native/net/tun.cc: /dev/net/tun, opened non-blocking and close-on-exec, for lib/net/tun.ts. */
export interface TunFamily {
  constants: TunConstants;
  /** A new fd of /dev/net/tun, not yet attached to an interface, or -errno. */
  open(): number;
  /**
   * TUNSETIFF: 0 or -errno. name: the name's bytes, no NUL (empty: the kernel picks one); nameOut
   * (IFNAMSIZ bytes or more) gets the kernel's name, NUL-terminated. -EINVAL for a name of IFNAMSIZ
   * bytes or more, with a NUL, or unknown flags; -EFAULT for a view that is none or a short nameOut.
   */
  setIff(fd: number, name: Uint8Array, flags: number, nameOut: Uint8Array): number;
}

/** native/fds/pid_fd.cc: waitid's si_code for an exit, and for a death by signal that dumped core (else CLD_KILLED). */
export interface PidFdConstants {
  CLD_EXITED: number;
  CLD_DUMPED: number;
}

/** native/fds/pid_fd.cc: processes as fds, for lib/fds/pid-fd.ts. */
export interface PidFdFamily {
  constants: PidFdConstants;
  /** A non-blocking, close-on-exec pidfd or -errno. */
  pidfdOpen(pid: number): number;
  /** 0 or -errno. */
  pidfdSendSignal(fd: number, signal: number): number;
  /** Fills out (lib/'s Int32Array of 3) with [pid, si_code, si_status], pid 0 while it runs, and reaps nothing: 0 or -errno. */
  pidfdExitStatus(fd: number, out: Int32Array): number;
}

/** native/fds/inotify.cc: the IN_* bits of <sys/inotify.h>. */
export interface InotifyConstants {
  IN_ACCESS: number;
  IN_MODIFY: number;
  IN_ATTRIB: number;
  IN_CLOSE_WRITE: number;
  IN_CLOSE_NOWRITE: number;
  IN_CLOSE: number;
  IN_OPEN: number;
  IN_MOVED_FROM: number;
  IN_MOVED_TO: number;
  IN_MOVE: number;
  IN_CREATE: number;
  IN_DELETE: number;
  IN_DELETE_SELF: number;
  IN_MOVE_SELF: number;
  IN_ALL_EVENTS: number;
  IN_UNMOUNT: number;
  IN_Q_OVERFLOW: number;
  IN_IGNORED: number;
  IN_ONLYDIR: number;
  IN_DONT_FOLLOW: number;
  IN_EXCL_UNLINK: number;
  IN_MASK_CREATE: number;
  IN_MASK_ADD: number;
  IN_ISDIR: number;
  IN_ONESHOT: number;
}

/** Where struct inotify_event's fields are, in bytes; a name of len bytes follows the header. */
export interface InotifyEventLayout {
  headerBytes: number;
  wd: number;
  mask: number;
  cookie: number;
  len: number;
  /** The largest one event can be (a NAME_MAX name and its NUL): a read needs room for one. */
  maxEventBytes: number;
}

/** native/fds/inotify.cc: inotify for lib/fds/inotify.ts, which reads the fd with io.read. */
export interface InotifyFamily {
  constants: InotifyConstants;
  eventLayout: InotifyEventLayout;
  /** A non-blocking, close-on-exec inotify fd or -errno. */
  inotifyInit(): number;
  /** path: the path's bytes and a NUL, in lib/'s own Uint8Array (else -EFAULT). The wd or -errno. */
  inotifyAddWatch(fd: number, path: Uint8Array, mask: number): number;
  inotifyRmWatch(fd: number, wd: number): number;
}

/** native/gpio/gpio_layout.cc: byte offsets and sizes of the <linux/gpio.h> structs lib/gpio/ parses. */
export interface GpioLayout {
  chipInfoSize: number;
  chipInfoName: number;
  chipInfoLabel: number;
  chipInfoLines: number;
  lineInfoSize: number;
  lineInfoName: number;
  lineInfoConsumer: number;
  lineInfoOffset: number;
  lineInfoNumAttrs: number;
  lineInfoFlags: number;
  lineInfoAttrs: number;
  attrSize: number;
  attrId: number;
  attrValue: number;
  changedSize: number;
  changedInfo: number;
  changedTimestamp: number;
  changedType: number;
  eventSize: number;
  eventTimestamp: number;
  eventId: number;
  eventOffset: number;
  eventSeqno: number;
  eventLineSeqno: number;
  requestSize: number;
  configSize: number;
}

/** native/gpio/gpio_layout.cc: the GPIO v2 uAPI's numbers, named as in <linux/gpio.h> without their prefixes. */
export interface GpioConstants {
  MAX_NAME_SIZE: number;
  LINES_MAX: number;
  NUM_ATTRS_MAX: number;
  FLAG_USED: number;
  FLAG_ACTIVE_LOW: number;
  FLAG_INPUT: number;
  FLAG_OUTPUT: number;
  FLAG_EDGE_RISING: number;
  FLAG_EDGE_FALLING: number;
  FLAG_OPEN_DRAIN: number;
  FLAG_OPEN_SOURCE: number;
  FLAG_BIAS_PULL_UP: number;
  FLAG_BIAS_PULL_DOWN: number;
  FLAG_BIAS_DISABLED: number;
  FLAG_EVENT_CLOCK_REALTIME: number;
  FLAG_EVENT_CLOCK_HTE: number;
  ATTR_ID_FLAGS: number;
  ATTR_ID_OUTPUT_VALUES: number;
  ATTR_ID_DEBOUNCE: number;
  EVENT_RISING_EDGE: number;
  EVENT_FALLING_EDGE: number;
  CHANGED_REQUESTED: number;
  CHANGED_RELEASED: number;
  CHANGED_CONFIG: number;
}

/**
 * native/gpio/gpio.cc: the GPIO character device's ioctls, each 0 (or the new fd) or -errno. A
 * line config crosses as 64-bit words (flags, then id, value, mask per attribute: at most
 * configWords of them); line values as the two words [bits, mask]. Records the kernel fills go to
 * `out` as its struct's bytes. Views of the wrong size are -EFAULT, values of the wrong shape -EINVAL.
 */
export interface GpioFamily {
  layout: GpioLayout;
  constants: GpioConstants;
  configWords: number;
  chipInfo(fd: number, out: Uint8Array): number;
  lineInfo(fd: number, offset: number, out: Uint8Array): number;
  watchLineInfo(fd: number, offset: number, out: Uint8Array): number;
  unwatchLineInfo(fd: number, offset: number): number;
  /** The request's fd (close-on-exec, non-blocking) or -errno. */
  requestLines(
    fd: number,
    offsets: Uint32Array,
    consumer: string,
    config: BigUint64Array,
    eventBufferSize: number,
  ): number;
  setConfig(fd: number, config: BigUint64Array): number;
  /** Fills words[0] with the values of the lines in words[1]. */
  getValues(fd: number, words: BigUint64Array): number;
  setValues(fd: number, words: BigUint64Array): number;
}

/** One object per family, as native/addon.cc lists them. */
export interface Binding {
  epoll: EpollFamily;
  io: IoFamily;
  counterFd: CounterFdFamily;
  sock: SockFamily;
  tun: TunFamily;
  pidFd: PidFdFamily;
  inotify: InotifyFamily;
  gpio: GpioFamily;
}

// The package root holds binding.gyp, whether this file runs from lib/core/ or from dist/lib/core/.
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'binding.gyp'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('linux-epoll: cannot find the package root (binding.gyp)');
    dir = parent;
  }
  return dir;
}

// The platform as node-gyp-build matches prebuilds to it: its libc rule (LIBC, else Alpine's marker).
function platformName(): string {
  const armv =
    process.arch === 'arm' ? `v${(process.config.variables as { arm_version?: string }).arm_version ?? '?'}` : '';
  const libc = process.env.LIBC || (fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  const runtime = versions.bun
    ? `bun ${versions.bun}`
    : versions.deno
      ? `deno ${versions.deno}`
      : `node ${versions.node}`;
  return `linux-${process.arch}${armv}, ${libc}, ${runtime} (ABI ${versions.modules}, Node-API ${versions.napi})`;
}

// Package managers that skip install scripts (npm 12, pnpm 10, bun) leave a platform no prebuild
// fits with no binary at all; node-gyp-build's own error would not say what to do.
function noBinaryError(cause: Error): Error {
  const error = new Error(
    [
      `linux-epoll: no native binary for ${platformName()}: no prebuilt one fits, and none was built here.`,
      'Its install script compiles one. If your package manager skipped it, approve it and install again',
      '(npm: npm install-scripts approve linux-epoll; pnpm: pnpm approve-builds; bun: bun pm trust linux-epoll).',
      'If it ran and could not compile, install g++, make and python3, then run: npm rebuild linux-epoll',
    ].join('\n'),
    { cause },
  );
  return Object.assign(error, { code: 'ERR_LINUX_EPOLL_NO_BINARY' });
}

function load(): Binding {
  if (process.platform !== 'linux') {
    throw new Error(`linux-epoll requires Linux: epoll is a Linux kernel interface (this is ${process.platform})`);
  }
  // node-gyp-build prefers a local build/ and otherwise picks the matching prebuilt binary.
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  try {
    return nodeGypBuild(packageRoot()) as Binding;
  } catch (error) {
    if (String((error as Error)?.message).startsWith('No native build was found')) throw noBinaryError(error as Error);
    throw error;
  }
}

export const binding: Binding = load();
