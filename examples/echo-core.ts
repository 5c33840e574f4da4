// The edge-triggered echo server, written as one would in C: accept until EAGAIN, read until the
// receive queue is empty, keep what the kernel did not take and finish it on EPOLLOUT, never read
// further ahead of the peer than one unsent chunk, and shed connections instead of spinning when
// out of fds. TCP urgent data is echoed inline, in order, as every other byte (SO_OOBINLINE).
import * as fs from 'node:fs';

import {
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDHUP,
  EpollInstance,
  io,
  sock,
  type DispatchMode,
  type SystemError,
} from '../lib';

/**
 * 'pending': EPOLLOUT is armed (epoll_ctl MOD) only while output waits. 'always': it is in the mask
 * from the start, saving those syscalls at the cost of extra wake-ups after a full send buffer.
 */
export type EpollOutPolicy = 'always' | 'pending';

/**
 * When an edge-triggered connection counts as drained. 'eagain': a read says it would block, as
 * epoll(7) words the rule. 'short': also a read that returned less than it asked for. On a stream
 * socket that read emptied the receive queue, and any byte arriving later raises a new edge, so
 * it is the same condition one syscall sooner (nginx's rule). Not so at TCP's urgent mark, where a
 * read stops with data still queued: while urgent data is pending (EPOLLPRI), or after a FIN
 * already reported (EPOLLRDHUP), the connection is read until EAGAIN or its end.
 */
export type DrainPolicy = 'eagain' | 'short';

export interface EchoServerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 7000; 0 lets the kernel pick. */
  port?: number;
  /** Listen on this Unix socket path (or '\0' abstract name) instead of TCP. */
  path?: string;
  /**
   * Default 'auto', which is 'loop' on Node: a server's handlers are short and its events come in
   * bursts, so one wake-up of the event loop per batch, with no thread hop, serves it best (README:
   * choosing a mode). Where the runtime has no 'loop' (Bun, Deno), 'thread'.
   */
  dispatch?: DispatchMode | 'auto';
  backlog?: number;
  /** SO_REUSEPORT, so several servers (threads, processes) share the port. */
  reusePort?: boolean;
  /** Default 'always', the faster here (see docs/SOCKETS.md). */
  epollOut?: EpollOutPolicy;
  /** Default 'short', the faster here (see docs/SOCKETS.md). */
  drain?: DrainPolicy;
  /** SO_SNDBUF for each accepted connection; default: the kernel's. */
  sendBufferSize?: number;
}

export interface EchoStats {
  accepted: number;
  /** Connections accepted and closed at once because the process was out of fds. */
  shed: number;
  /** Writes the kernel took only part of (or none), finished on EPOLLOUT. */
  partialWrites: number;
  /** Connections now open. */
  open: number;
}

interface Connection {
  fd: number;
  /** Bytes read but not yet written back, oldest first. Empty on the fast path. */
  pending: Buffer[];
  pendingBytes: number;
  /** The peer sent FIN: close once pending is written. */
  ended: boolean;
}

const CHUNK = 64 * 1024;
// Read ahead of a slow peer at most this far; then stop reading until it catches up.
const HIGH_WATER = 256 * 1024;
const RECOVERABLE_ACCEPT = new Set(['ECONNABORTED', 'EPROTO', 'EPERM']);
const OUT_OF_FDS = new Set(['EMFILE', 'ENFILE']);
// Every connection's events, edge-triggered; EPOLLOUT joins them as the EPOLLOUT policy says.
const CONNECTION_EVENTS = EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLET;
// With either reported, a short read does not prove the receive queue empty: see DrainPolicy.
const READ_TO_EAGAIN = EPOLLPRI | EPOLLRDHUP;
// Short of kernel memory: the connections wait in the backlog, and the next edge tries again.
const OUT_OF_MEMORY = new Set(['ENOBUFS', 'ENOMEM']);

export class EchoServer {
  readonly address: sock.SocketAddress;
  readonly stats: EchoStats = { accepted: 0, shed: 0, partialWrites: 0, open: 0 };
  readonly #epoll: EpollInstance;
  readonly #listenFd: number;
  readonly #path: string | undefined;
  readonly #alwaysOut: boolean;
  readonly #stopAtShortRead: boolean;
  readonly #sendBufferSize: number | undefined;
  readonly #connections: (Connection | undefined)[] = [];
  // Shared by every connection: a read lands here and is written straight back.
  readonly #chunk = Buffer.allocUnsafe(CHUNK);
  // Held open so that, out of fds, one can be freed to accept and drop a pending connection.
  #reserveFd: number | null = null;
  readonly #onConnectionEvent = (events: number, fd: number): void => this.#onConnection(events, fd);

  constructor(options: EchoServerOptions = {}) {
    this.#alwaysOut = (options.epollOut ?? 'always') === 'always';
    this.#stopAtShortRead = (options.drain ?? 'short') === 'short';
    this.#sendBufferSize = options.sendBufferSize;
    this.#path = options.path;
    this.#listenFd =
      this.#path === undefined
        ? sock.listenTcp({
            host: options.host ?? '127.0.0.1',
            port: options.port ?? 7000,
            backlog: options.backlog,
            reusePort: options.reusePort,
          })
        : sock.listenUnix({ path: options.path as string, backlog: options.backlog });
    try {
      this.address = sock.localAddress(this.#listenFd);
      this.#epoll = new EpollInstance({ dispatch: options.dispatch ?? 'auto' });
      this.#epoll.add(this.#listenFd, EPOLLIN | EPOLLET, () => this.#acceptAll());
    } catch (error) {
      io.close(this.#listenFd);
      throw error;
    }
    this.#reserveFd = fs.openSync('/dev/null', 'r');
  }

  get dispatch(): DispatchMode {
    return this.#epoll.dispatch;
  }

  get closed(): boolean {
    return this.#epoll.closed;
  }

  /** Closes every connection, the listener and the instance. Idempotent. */
  close(): void {
    if (this.#epoll.closed) return;
    for (const connection of this.#connections) if (connection !== undefined) this.#drop(connection);
    this.#epoll.close();
    io.close(this.#listenFd);
    if (this.#path !== undefined && !this.#path.startsWith('\0')) fs.rmSync(this.#path, { force: true });
    if (this.#reserveFd !== null) fs.closeSync(this.#reserveFd);
    this.#reserveFd = null;
  }

  // Edge-triggered: this edge is the only notice of every connection queued so far.
  #acceptAll(): void {
    for (;;) {
      let accepted;
      try {
        accepted = sock.accept(this.#listenFd);
      } catch (error) {
        const { code } = error as SystemError;
        if (RECOVERABLE_ACCEPT.has(code)) continue;
        if (OUT_OF_FDS.has(code) && this.#shedOne()) continue;
        if (OUT_OF_FDS.has(code) || OUT_OF_MEMORY.has(code)) return;
        throw error;
      }
      if (accepted === null) return;
      this.#open(accepted.fd);
    }
  }

  // Out of fds, a queued connection would make the listener ready forever. Free the reserve,
  // accept the connection and close it, so the peer sees a clean close instead of a hang.
  #shedOne(): boolean {
    if (this.#reserveFd === null) return false;
    fs.closeSync(this.#reserveFd);
    this.#reserveFd = null;
    let accepted = null;
    try {
      accepted = sock.accept(this.#listenFd);
    } catch {
      // The connection was aborted, or another thread took the freed fd: nothing to shed now.
    }
    if (accepted !== null) {
      io.close(accepted.fd);
      this.stats.shed++;
    }
    try {
      this.#reserveFd = fs.openSync('/dev/null', 'r');
    } catch {
      // Another thread took the fd; the next edge on the listener tries again.
    }
    return accepted !== null && this.#reserveFd !== null;
  }

  #open(fd: number): void {
    try {
      if (this.#path === undefined) {
        sock.setNoDelay(fd, true);
        // An echo gives every byte back in order, the urgent one too (RFC 6093 advises inline).
        sock.setOutOfBandInline(fd, true);
      }
      if (this.#sendBufferSize !== undefined) sock.setSendBufferSize(fd, this.#sendBufferSize);
      const mask = CONNECTION_EVENTS | (this.#alwaysOut ? EPOLLOUT : 0);
      this.#epoll.add(fd, mask, this.#onConnectionEvent);
    } catch {
      io.close(fd);
      return;
    }
    const connection: Connection = { fd, pending: [], pendingBytes: 0, ended: false };
    this.#connections[fd] = connection;
    this.stats.accepted++;
    this.stats.open++;
    // Data may have arrived before the registration; an edge that came first is not repeated.
    this.#serve(connection, EPOLLIN);
  }

  #onConnection(events: number, fd: number): void {
    const connection = this.#connections[fd];
    if (connection !== undefined) this.#serve(connection, events);
  }

  #serve(connection: Connection, events: number): void {
    try {
      // An error or a hang-up in both directions: nothing more can be delivered.
      if ((events & (EPOLLERR | EPOLLHUP)) !== 0) return this.#drop(connection);
      if (connection.pending.length > 0 && !this.#flush(connection)) return;
      if (connection.ended) return this.#drop(connection);
      this.#readAll(connection, (events & READ_TO_EAGAIN) !== 0);
    } catch {
      // ECONNRESET, EPIPE: the peer is gone, and with it whatever it had not read.
      this.#drop(connection);
    }
  }

  // Reads until drained, echoing each chunk at once. Once output backs up, reads queue behind it
  // up to HIGH_WATER, and then reading stops: the peer must read before it may send more.
  #readAll(connection: Connection, toEagain: boolean): void {
    const { fd } = connection;
    const chunk = this.#chunk;
    while (connection.pendingBytes < HIGH_WATER) {
      const count = io.read(fd, chunk, 0, CHUNK);
      if (count === null) return;
      if (count === 0) {
        connection.ended = true;
        if (connection.pendingBytes === 0) this.#drop(connection);
        return;
      }
      if (connection.pendingBytes > 0) {
        this.#queue(connection, chunk.subarray(0, count));
      } else {
        const written = io.write(fd, chunk, 0, count) ?? 0;
        if (written < count) this.#startQueue(connection, chunk.subarray(written, count));
      }
      if (count < CHUNK && this.#stopAtShortRead && !toEagain) return;
    }
  }

  #startQueue(connection: Connection, unsent: Buffer): void {
    this.#queue(connection, unsent);
    this.stats.partialWrites++;
    if (!this.#alwaysOut) this.#epoll.modify(connection.fd, CONNECTION_EVENTS | EPOLLOUT);
  }

  // The chunk buffer is reused by the next read, so what waits is a copy.
  #queue(connection: Connection, bytes: Buffer): void {
    connection.pending.push(Buffer.from(bytes));
    connection.pendingBytes += bytes.length;
  }

  // Writes what is pending: true once all of it is gone.
  #flush(connection: Connection): boolean {
    const { pending } = connection;
    while (pending.length > 0) {
      let written = sock.writev(connection.fd, pending);
      if (written === null) return false;
      connection.pendingBytes -= written;
      while (written > 0 && written >= pending[0].length) written -= pending.shift()!.length;
      if (written > 0) pending[0] = pending[0].subarray(written);
    }
    if (!this.#alwaysOut) this.#epoll.modify(connection.fd, CONNECTION_EVENTS);
    return true;
  }

  #drop(connection: Connection): void {
    const { fd } = connection;
    this.#connections[fd] = undefined;
    this.stats.open--;
    this.#epoll.remove(fd);
    io.close(fd);
  }
}

/** Starts an echo server; options.port 0 picks a free port (see server.address). */
export function startEchoServer(options?: EchoServerOptions): EchoServer {
  return new EchoServer(options);
}
