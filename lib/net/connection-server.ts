// A stream server on an EpollInstance: a listening socket (TCP or Unix), every connection accepted
// and set up, and the protocol's handler attached to each. docs/SERVERS.md explains the layer.
import * as fs from 'node:fs';

import { binding } from '../core/binding';
import { invalidArgType } from '../core/errors';
import { validateBoolean, validateFunction, validateInteger, validateOneOf, validateOptions } from '../core/validate';
import { EPOLLET, EPOLLIN } from '../epoll/constants';
import { EpollInstance, type DispatchMode } from '../epoll/epoll-instance';
import { Acceptor } from './connection-acceptor';
import { Connection, type ConnectionContext, type ConnectionHandler, type ConnectionStats } from './connection';
import * as sock from './sock';

/**
 * When an edge-triggered connection counts as drained. 'eagain': a read says it would block, as
 * epoll(7) words the rule. 'short': also a read that returned less than it asked for. On a stream
 * socket that read emptied the receive queue, and any byte arriving later raises a new edge, so it
 * is the same condition one syscall sooner (nginx's rule). Not so at TCP's urgent mark, where a read
 * stops with data still queued: while urgent data is pending (EPOLLPRI), or after a FIN already
 * reported (EPOLLRDHUP), a connection is read until EAGAIN or its end.
 */
export type DrainPolicy = 'eagain' | 'short';

/**
 * 'pending': EPOLLOUT is armed (epoll_ctl MOD) only while output waits. 'always': it is in the mask
 * from the start, saving those syscalls at the cost of extra wake-ups after a full send buffer.
 */
export type EpollOutPolicy = 'always' | 'pending';

export interface ConnectionServerOptions {
  /** Called for each new connection, before any of its bytes are read: its handler. */
  onConnection: (connection: Connection) => ConnectionHandler;
  /** A literal IPv4 or IPv6 address. Default '127.0.0.1'. */
  host?: string;
  /** Default 0: the kernel picks (see server.address). */
  port?: number;
  /** Listen on this Unix socket path (or '\0' abstract name) instead of TCP. */
  path?: string;
  backlog?: number;
  /** SO_REUSEPORT, so several servers (threads, processes) share the port. Default false. */
  reusePort?: boolean;
  /** The instance to register with; the server does not close it. Default: a new one of its own. */
  epoll?: EpollInstance;
  /** For the server's own instance: default 'auto' ('loop' where the runtime has it, else 'thread'). */
  dispatch?: DispatchMode | 'auto';
  /** TCP_NODELAY on each TCP connection. Default true: a server's replies should leave at once. */
  noDelay?: boolean;
  /** SO_OOBINLINE on each TCP connection: urgent data stays in the stream, in order. Default false. */
  outOfBandInline?: boolean;
  /** SO_SNDBUF for each connection; default: the kernel's. */
  sendBufferSize?: number;
  /** Bytes queued for a connection at which write() returns false and reading pauses. Default 256 KiB. */
  highWaterMark?: number;
  /** The size of each read, into a buffer all connections share. Default 64 KiB. */
  readBufferSize?: number;
  /** The longest partial message a connection may keep before it is destroyed (ERR_READ_BUFFER_FULL). Default 16 MiB. */
  maxReadBuffer?: number;
  /** Default 'short' (see DrainPolicy). */
  drain?: DrainPolicy;
  /** Default 'always' (see EpollOutPolicy). */
  epollOut?: EpollOutPolicy;
}

const KiB = 1024;
const MAX_BYTES = 0x7fffffff;

function optionalInteger(value: unknown, name: string, min: number, fallback: number): number {
  return value === undefined ? fallback : validateInteger(value, `options.${name}`, min, MAX_BYTES);
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  return value === undefined ? fallback : validateBoolean(value, `options.${name}`);
}

function listen(opts: Record<string, unknown>): { fd: number; unixPath: string | undefined } {
  if (opts.path !== undefined) {
    const fd = sock.listenUnix({ path: opts.path as string, backlog: opts.backlog as number | undefined });
    return { fd, unixPath: opts.path as string };
  }
  const fd = sock.listenTcp({
    host: opts.host as string | undefined,
    port: opts.port as number | undefined,
    backlog: opts.backlog as number | undefined,
    reusePort: opts.reusePort as boolean | undefined,
  });
  return { fd, unixPath: undefined };
}

export class ConnectionServer {
  /** Where the server listens (the port the kernel picked, for port 0). */
  readonly address: sock.SocketAddress;
  readonly stats: ConnectionStats = {
    accepted: 0,
    shed: 0,
    open: 0,
    partialWrites: 0,
    backpressure: 0,
    bytesRead: 0,
    bytesWritten: 0,
  };
  readonly #epoll: EpollInstance;
  readonly #ownsEpoll: boolean;
  readonly #listenFd: number;
  readonly #unixPath: string | undefined;
  readonly #acceptor: Acceptor;
  readonly #onConnection: (connection: Connection) => ConnectionHandler;
  readonly #noDelay: boolean;
  readonly #outOfBandInline: boolean;
  readonly #sendBufferSize: number | undefined;
  readonly #context: ConnectionContext;
  readonly #connections = new Set<Connection>();
  #closed = false;

  constructor(options: ConnectionServerOptions) {
    const opts = validateOptions(options);
    validateFunction(opts.onConnection, 'options.onConnection');
    this.#onConnection = opts.onConnection as ConnectionServerOptions['onConnection'];
    if (opts.epoll !== undefined && !(opts.epoll instanceof EpollInstance)) {
      throw invalidArgType('options.epoll', 'an instance of EpollInstance', opts.epoll);
    }
    this.#noDelay = optionalBoolean(opts.noDelay, 'noDelay', true);
    this.#outOfBandInline = optionalBoolean(opts.outOfBandInline, 'outOfBandInline', false);
    this.#sendBufferSize =
      opts.sendBufferSize === undefined
        ? undefined
        : validateInteger(opts.sendBufferSize, 'options.sendBufferSize', 1, MAX_BYTES);
    const highWaterMark = optionalInteger(opts.highWaterMark, 'highWaterMark', 1, 256 * KiB);
    const readBufferSize = optionalInteger(opts.readBufferSize, 'readBufferSize', 1, 64 * KiB);
    const maxReadBuffer = optionalInteger(opts.maxReadBuffer, 'maxReadBuffer', 1, 16 * KiB * KiB);
    const drain = opts.drain === undefined ? 'short' : validateOneOf(opts.drain, 'options.drain', ['short', 'eagain']);
    const epollOut =
      opts.epollOut === undefined ? 'always' : validateOneOf(opts.epollOut, 'options.epollOut', ['always', 'pending']);
    const ownEpoll =
      opts.epoll === undefined ? new EpollInstance({ dispatch: (opts.dispatch ?? 'auto') as DispatchMode }) : null;
    this.#epoll = ownEpoll ?? (opts.epoll as EpollInstance);
    this.#ownsEpoll = ownEpoll !== null;
    try {
      ({ fd: this.#listenFd, unixPath: this.#unixPath } = listen(opts));
    } catch (error) {
      ownEpoll?.close();
      throw error;
    }
    try {
      this.address = sock.localAddress(this.#listenFd);
      this.#acceptor = new Acceptor(this.#listenFd);
      this.#epoll.add(this.#listenFd, EPOLLIN | EPOLLET, () => this.#acceptAll());
    } catch (error) {
      binding.io.close(this.#listenFd);
      ownEpoll?.close();
      throw error;
    }
    this.#context = {
      epoll: this.#epoll,
      stats: this.stats,
      scratch: Buffer.allocUnsafe(readBufferSize),
      highWaterMark,
      maxReadBuffer: Math.max(maxReadBuffer, readBufferSize),
      stopAtShortRead: drain === 'short',
      alwaysOut: epollOut === 'always',
      forget: (connection) => this.#connections.delete(connection),
    };
  }

  /** The instance the server's sockets are registered with. */
  get epoll(): EpollInstance {
    return this.#epoll;
  }

  get dispatch(): DispatchMode {
    return this.#epoll.dispatch;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The connections now open, in the order they were accepted. */
  connections(): IterableIterator<Connection> {
    return this.#connections.values();
  }

  /** Stops listening and destroys every connection (their close() gets null). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A close handler that throws must not leave the other connections and the listener open.
    let failed = false;
    let firstError: unknown;
    for (const connection of [...this.#connections]) {
      try {
        connection.destroy();
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
    if (!this.#epoll.closed) this.#epoll.remove(this.#listenFd);
    if (this.#ownsEpoll) this.#epoll.close();
    binding.io.close(this.#listenFd);
    if (this.#unixPath !== undefined && !this.#unixPath.startsWith('\0')) fs.rmSync(this.#unixPath, { force: true });
    this.#acceptor.close();
    if (failed) throw firstError;
  }

  #acceptAll(): void {
    this.#acceptor.acceptAll(
      (accepted) => this.#open(accepted),
      () => !this.#closed,
    );
    this.stats.shed = this.#acceptor.shed;
  }

  #open({ fd, address }: sock.AcceptedSocket): void {
    try {
      this.#setUp(fd, address);
    } catch (error) {
      binding.io.close(fd);
      throw error;
    }
    const connection = new Connection(fd, address, this.#context);
    this.stats.accepted++;
    this.stats.open++;
    this.#connections.add(connection);
    let handler: ConnectionHandler;
    try {
      handler = this.#onConnection(connection);
      if (handler === null || typeof handler !== 'object' || typeof handler.data !== 'function') {
        throw invalidArgType("onConnection's result", 'an object with a data function', handler);
      }
    } catch (error) {
      connection.destroy(error as Error);
      throw error;
    }
    try {
      connection.start(handler);
    } catch (error) {
      connection.destroy(error as Error);
      throw error;
    }
  }

  #setUp(fd: number, address: sock.SocketAddress): void {
    if (address.family !== 'unix') {
      if (this.#noDelay) sock.setNoDelay(fd, true);
      if (this.#outOfBandInline) sock.setOutOfBandInline(fd, true);
    }
    if (this.#sendBufferSize !== undefined) sock.setSendBufferSize(fd, this.#sendBufferSize);
  }
}
