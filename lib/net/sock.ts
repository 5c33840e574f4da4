// Socket syscalls, thin: every socket is non-blocking and close-on-exec, calls that would block
// return null (EAGAIN), and every other failure throws a system error, as in `io`. Register the
// fds with an EpollInstance and drive them with io.read/io.write or the calls here.
import * as os from 'node:os';

import { binding } from '../core/binding';
import { check, checkOrNull, systemError, type SystemError } from '../core/errors';
import { transfer } from '../core/transfer';
import {
  AddressRecord,
  parseHost,
  parseUnixPath,
  toNative,
  validatePort,
  type NativeAddress,
  type SocketAddress,
  type SocketAddressInput,
} from './socket-address';
import {
  validateBoolean,
  validateFd,
  validateInteger,
  validateObject,
  validateOneOf,
  validateOptions,
} from '../core/validate';
import { copyViews, validateLength, validateOffset, viewByteLength } from '../core/views';

export type { InetSocketAddress, SocketAddress, SocketAddressInput, UnixSocketAddress } from './socket-address';

const native = binding.sock;
const k = native.constants;
const { EINPROGRESS } = os.constants.errno;
const MAX_BUFFER_SIZE = 0x7fffffff;
// Linux caps the backlog at net.core.somaxconn anyway; this is only the largest int it takes.
const MAX_BACKLOG = 0x7fffffff;
const DEFAULT_BACKLOG = 511;
// One record per call site that reads addresses; the object each returns is the caller's own.
const record = new AddressRecord();

export type SocketFamily = 'IPv4' | 'IPv6' | 'unix';
export type SocketType = 'stream' | 'datagram';
export type ShutdownHow = 'read' | 'write' | 'both';

const FAMILIES: Record<SocketFamily, number> = { IPv4: k.AF_INET, IPv6: k.AF_INET6, unix: k.AF_UNIX };
const TYPES: Record<SocketType, number> = { stream: k.SOCK_STREAM, datagram: k.SOCK_DGRAM };
const HOW: Record<ShutdownHow, number> = { read: k.SHUT_RD, write: k.SHUT_WR, both: k.SHUT_RDWR };

export interface AcceptedSocket {
  fd: number;
  address: SocketAddress;
}

export interface ReceivedDatagram {
  bytes: number;
  address: SocketAddress;
}

export interface TcpListenOptions {
  /** A literal IPv4 or IPv6 address. Default '127.0.0.1'; '0.0.0.0' or '::' listen on every interface. */
  host?: string;
  /** 0 (the default) lets the kernel pick; read it back with localAddress(). */
  port?: number;
  /** Default 511, capped by the kernel at net.core.somaxconn. */
  backlog?: number;
  /** SO_REUSEADDR: rebind at once while old connections linger in TIME_WAIT. Default true. */
  reuseAddress?: boolean;
  /** SO_REUSEPORT: several sockets (threads, processes) listen on one port, the kernel spreading connections. Default false. */
  reusePort?: boolean;
  /** IPv6 only: refuse IPv4-mapped connections. Default: the system's (net.ipv6.bindv6only). */
  ipv6Only?: boolean;
}

export interface UdpBindOptions {
  /** A literal IPv4 or IPv6 address. Default '127.0.0.1'. */
  host?: string;
  /** 0 (the default) lets the kernel pick; read it back with localAddress(). */
  port?: number;
  /** SO_REUSEADDR. Default false. */
  reuseAddress?: boolean;
}

export interface UnixListenOptions {
  /** A filesystem path (which must not exist), or '\0' and a name in the abstract namespace. */
  path: string;
  backlog?: number;
}

export interface SendOptions {
  /** MSG_OOB: TCP urgent data; the peer sees EPOLLPRI. */
  outOfBand?: boolean;
}

export interface RecvOptions {
  /** MSG_OOB: read the urgent byte. */
  outOfBand?: boolean;
  /** MSG_PEEK: leave the data queued. */
  peek?: boolean;
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  return value === undefined ? fallback : validateBoolean(value, name);
}

function validateBacklog(value: unknown): number {
  return value === undefined ? DEFAULT_BACKLOG : validateInteger(value, 'backlog', 0, MAX_BACKLOG);
}

// Closes a socket the caller never saw, keeping the error that made it useless.
function closeAfter<T>(fd: number, setup: () => T): T {
  try {
    return setup();
  } catch (error) {
    binding.io.close(fd);
    throw error;
  }
}

function setOption(fd: number, level: number, name: number, value: number): void {
  check(native.setIntOption(fd, level, name, value), 'setsockopt', fd);
}

function getOption(fd: unknown, level: number, name: number): number {
  const validFd = validateFd(fd);
  return check(native.getIntOption(validFd, level, name), 'getsockopt', validFd);
}

/** A new non-blocking, close-on-exec socket. */
export function socket(family: SocketFamily, type: SocketType = 'stream'): number {
  const domain = FAMILIES[validateOneOf(family, 'family', Object.keys(FAMILIES) as SocketFamily[])];
  const kind = TYPES[validateOneOf(type, 'type', Object.keys(TYPES) as SocketType[])];
  return check(native.socket(domain, kind), 'socket');
}

function bindNative(fd: number, address: NativeAddress): void {
  check(native.bind(fd, address.family, address.bytes, address.port, address.scopeId), 'bind', fd);
}

export function bind(fd: number, address: SocketAddressInput): void {
  const validFd = validateFd(fd);
  bindNative(validFd, toNative(address));
}

export function listen(fd: number, backlog?: number): void {
  const validFd = validateFd(fd);
  check(native.listen(validFd, validateBacklog(backlog)), 'listen', validFd);
}

function connectNative(fd: number, address: NativeAddress): boolean {
  const result = native.connect(fd, address.family, address.bytes, address.port, address.scopeId);
  if (result === -EINPROGRESS) return false;
  check(result, 'connect', fd);
  return true;
}

/**
 * Starts connecting: true if connected already, false while in progress. Then EPOLLOUT reports
 * completion, and socketError() tells success (null) from failure (ECONNREFUSED, ...).
 */
export function connect(fd: number, address: SocketAddressInput): boolean {
  const validFd = validateFd(fd);
  return connectNative(validFd, toNative(address));
}

/** Accepts one connection (accept4, non-blocking and close-on-exec): null when none is pending. */
export function accept(fd: number): AcceptedSocket | null {
  const validFd = validateFd(fd);
  const result = checkOrNull(native.accept(validFd, record.bytes), 'accept4', validFd);
  return result === null ? null : { fd: result, address: record.read() };
}

/** Reads and clears SO_ERROR: after a connect, null means it succeeded. */
export function socketError(fd: number): SystemError | null {
  const errno = getOption(fd, k.SOL_SOCKET, k.SO_ERROR);
  return errno === 0 ? null : systemError(-errno, 'connect', fd);
}

function address(call: typeof native.localAddress, syscall: string, fd: unknown): SocketAddress {
  const validFd = validateFd(fd);
  check(call(validFd, record.bytes), syscall, validFd);
  return record.read();
}

/** getsockname: the address the socket is bound to (the port the kernel picked, for port 0). */
export function localAddress(fd: number): SocketAddress {
  return address(native.localAddress, 'getsockname', fd);
}

/** getpeername: the connected peer. */
export function peerAddress(fd: number): SocketAddress {
  return address(native.peerAddress, 'getpeername', fd);
}

// What listenTcp and bindUdp both take: host and port (default 127.0.0.1, 0) and SO_REUSEADDR.
function bindOptions(
  opts: Record<string, unknown>,
  reuseAddressByDefault: boolean,
): { address: NativeAddress; reuseAddress: boolean } {
  const host = parseHost(opts.host === undefined ? '127.0.0.1' : opts.host, 'options.host');
  const port = opts.port === undefined ? 0 : validatePort(opts.port, 'options.port');
  const reuseAddress = optionalBoolean(opts.reuseAddress, 'options.reuseAddress', reuseAddressByDefault);
  return { address: { ...host, port }, reuseAddress };
}

// A new socket of type for address, with SO_REUSEADDR as asked, bound, then set up further.
function boundSocket(
  type: number,
  { address, reuseAddress }: { address: NativeAddress; reuseAddress: boolean },
  setUp: (fd: number) => void,
): number {
  const fd = check(native.socket(address.family, type), 'socket');
  return closeAfter(fd, () => {
    if (reuseAddress) setOption(fd, k.SOL_SOCKET, k.SO_REUSEADDR, 1);
    setUp(fd);
    return fd;
  });
}

/** A listening TCP socket, bound to host and port. */
export function listenTcp(options?: TcpListenOptions): number {
  const opts = validateOptions(options);
  const bind = bindOptions(opts, true);
  const backlog = validateBacklog(opts.backlog);
  const reusePort = optionalBoolean(opts.reusePort, 'options.reusePort', false);
  const ipv6Only = opts.ipv6Only === undefined ? undefined : validateBoolean(opts.ipv6Only, 'options.ipv6Only');
  return boundSocket(k.SOCK_STREAM, bind, (fd) => {
    if (reusePort) setOption(fd, k.SOL_SOCKET, k.SO_REUSEPORT, 1);
    if (ipv6Only !== undefined && bind.address.family === k.AF_INET6)
      setOption(fd, k.IPPROTO_IPV6, k.IPV6_V6ONLY, ipv6Only ? 1 : 0);
    bindNative(fd, bind.address);
    check(native.listen(fd, backlog), 'listen', fd);
  });
}

/** A listening Unix stream socket at a path or an abstract name. */
export function listenUnix(options: UnixListenOptions): number {
  const opts = validateObject(options, 'options');
  const bytes = parseUnixPath(opts.path, 'options.path');
  const backlog = validateBacklog(opts.backlog);
  const fd = check(native.socket(k.AF_UNIX, k.SOCK_STREAM), 'socket');
  return closeAfter(fd, () => {
    bindNative(fd, { family: k.AF_UNIX, bytes, port: 0, scopeId: 0 });
    check(native.listen(fd, backlog), 'listen', fd);
    return fd;
  });
}

/** A new stream socket connecting to address: { fd, connected }, as connect() reports it. */
export function connectTo(address: SocketAddressInput): { fd: number; connected: boolean } {
  const target = toNative(address);
  const fd = check(native.socket(target.family, k.SOCK_STREAM), 'socket');
  return closeAfter(fd, () => ({ fd, connected: connectNative(fd, target) }));
}

/** A UDP socket bound to host and port (0: the kernel picks). */
export function bindUdp(options?: UdpBindOptions): number {
  const bind = bindOptions(validateOptions(options), false);
  return boundSocket(k.SOCK_DGRAM, bind, (fd) => bindNative(fd, bind.address));
}

function setFlag(fd: unknown, level: number, name: number, value: unknown, argument: string): void {
  const validFd = validateFd(fd);
  setOption(validFd, level, name, validateBoolean(value, argument) ? 1 : 0);
}

/** TCP_NODELAY: send small writes at once instead of coalescing them (Nagle). */
export function setNoDelay(fd: number, enable: boolean): void {
  setFlag(fd, k.IPPROTO_TCP, k.TCP_NODELAY, enable, 'enable');
}

/** SO_KEEPALIVE: probe an idle connection so a vanished peer is noticed. */
export function setKeepAlive(fd: number, enable: boolean): void {
  setFlag(fd, k.SOL_SOCKET, k.SO_KEEPALIVE, enable, 'enable');
}

/** SO_OOBINLINE: TCP urgent data stays in the stream, in order, instead of apart for recv(MSG_OOB). */
export function setOutOfBandInline(fd: number, enable: boolean): void {
  setFlag(fd, k.SOL_SOCKET, k.SO_OOBINLINE, enable, 'enable');
}

/** SO_REUSEPORT, for sockets set up by hand before bind(). */
export function setReusePort(fd: number, enable: boolean): void {
  setFlag(fd, k.SOL_SOCKET, k.SO_REUSEPORT, enable, 'enable');
}

/** SO_REUSEADDR, for sockets set up by hand before bind(). */
export function setReuseAddress(fd: number, enable: boolean): void {
  setFlag(fd, k.SOL_SOCKET, k.SO_REUSEADDR, enable, 'enable');
}

function setBufferSize(fd: unknown, name: number, bytes: unknown): void {
  const validFd = validateFd(fd);
  setOption(validFd, k.SOL_SOCKET, name, validateInteger(bytes, 'bytes', 1, MAX_BUFFER_SIZE));
}

/** SO_RCVBUF. Linux doubles the value for its bookkeeping; receiveBufferSize() shows the result. */
export function setReceiveBufferSize(fd: number, bytes: number): void {
  setBufferSize(fd, k.SO_RCVBUF, bytes);
}

/** SO_SNDBUF. Linux doubles the value for its bookkeeping; sendBufferSize() shows the result. */
export function setSendBufferSize(fd: number, bytes: number): void {
  setBufferSize(fd, k.SO_SNDBUF, bytes);
}

export function receiveBufferSize(fd: number): number {
  return getOption(fd, k.SOL_SOCKET, k.SO_RCVBUF);
}

export function sendBufferSize(fd: number): number {
  return getOption(fd, k.SOL_SOCKET, k.SO_SNDBUF);
}

/**
 * SO_LINGER. null: close() returns at once and the kernel sends what is queued (the default).
 * 0: close() resets the connection (RST), discarding unsent data. n > 0: on a blocking socket,
 * close() waits up to n seconds for the data to go out.
 */
export function setLinger(fd: number, seconds: number | null): void {
  const validFd = validateFd(fd);
  const on = seconds !== null;
  const value = on ? validateInteger(seconds, 'seconds', 0, 0x7fffffff) : 0;
  check(native.setLinger(validFd, on, value), 'setsockopt', validFd);
}

/** Shuts down reading, writing ('write' sends FIN: the peer reads end of stream) or both. */
export function shutdown(fd: number, how: ShutdownHow): void {
  const validFd = validateFd(fd);
  check(
    native.shutdown(validFd, HOW[validateOneOf(how, 'how', Object.keys(HOW) as ShutdownHow[])]),
    'shutdown',
    validFd,
  );
}

/** Writes the buffers in order with one syscall: bytes written (maybe fewer), null if it would block. */
export function writev(fd: number, buffers: readonly ArrayBufferView[]): number | null {
  const validFd = validateFd(fd);
  return checkOrNull(native.writev(validFd, copyViews(buffers, k.MAX_IOV)), 'writev', validFd);
}

/** Reads into the buffers in order with one syscall: bytes read, 0 at end of stream, null if it would block. */
export function readv(fd: number, buffers: ArrayBufferView[]): number | null {
  const validFd = validateFd(fd);
  return checkOrNull(native.readv(validFd, copyViews(buffers, k.MAX_IOV)), 'readv', validFd);
}

function flagsOf(options: unknown, names: Record<string, number>): number {
  if (options === undefined) return 0;
  const opts = validateOptions(options);
  let result = 0;
  for (const [name, flag] of Object.entries(names)) {
    if (opts[name] !== undefined && validateBoolean(opts[name], `options.${name}`)) result |= flag;
  }
  return result;
}

const SEND_FLAGS = { outOfBand: k.MSG_OOB };
const RECV_FLAGS = { outOfBand: k.MSG_OOB, peek: k.MSG_PEEK };

/** send(2): like io.write, with MSG_OOB available. Never raises SIGPIPE (MSG_NOSIGNAL). */
export function send(
  fd: number,
  buffer: ArrayBufferView,
  offset?: number,
  length?: number,
  options?: SendOptions,
): number | null {
  return transfer(native.send, 'send', fd, buffer, offset, length, flagsOf(options, SEND_FLAGS));
}

/** recv(2): like io.read, with MSG_OOB and MSG_PEEK available. */
export function recv(
  fd: number,
  buffer: ArrayBufferView,
  offset?: number,
  length?: number,
  options?: RecvOptions,
): number | null {
  return transfer(native.recv, 'recv', fd, buffer, offset, length, flagsOf(options, RECV_FLAGS));
}

/** Sends one datagram to address: bytes sent, null if it would block. */
export function sendto(
  fd: number,
  buffer: ArrayBufferView,
  address: SocketAddressInput,
  offset?: number,
  length?: number,
): number | null {
  const validFd = validateFd(fd);
  // The address first: its getters are user code, which must run before the range is checked.
  const target = toNative(address);
  const size = viewByteLength(buffer, 'buffer');
  const start = validateOffset(size, offset);
  const count = validateLength(size, start, length);
  const result = native.sendto(
    validFd,
    buffer as ArrayBufferView,
    start,
    count,
    target.family,
    target.bytes,
    target.port,
    target.scopeId,
  );
  return checkOrNull(result, 'sendto', validFd);
}

/** Receives one datagram: its size and sender, null if none is queued. A longer datagram is truncated. */
export function recvfrom(
  fd: number,
  buffer: ArrayBufferView,
  offset?: number,
  length?: number,
): ReceivedDatagram | null {
  const validFd = validateFd(fd);
  const size = viewByteLength(buffer, 'buffer');
  const start = validateOffset(size, offset);
  const count = validateLength(size, start, length);
  const result = checkOrNull(
    native.recvfrom(validFd, buffer as ArrayBufferView, start, count, record.bytes),
    'recvfrom',
    validFd,
  );
  return result === null ? null : { bytes: result, address: record.read() };
}

export { connections } from './connections';
