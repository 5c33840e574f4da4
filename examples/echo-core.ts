// The edge-triggered echo server: the protocol on top of linux-epoll's connection layer
// (ConnectionServer), which accepts until EAGAIN, reads until the receive queue is empty, queues
// what the kernel did not take for EPOLLOUT, stops reading while a peer falls behind, and sheds
// connections instead of spinning when out of fds. TCP urgent data is echoed inline, in order, as
// every other byte (SO_OOBINLINE).
import {
  ConnectionServer,
  type Connection,
  type ConnectionHandler,
  type ConnectionStats,
  type DispatchMode,
  type DrainPolicy,
  type EpollOutPolicy,
} from '../lib';

export type { DrainPolicy, EpollOutPolicy };

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

/** The layer's counters: accepted, shed, partialWrites and open among them. */
export type EchoStats = ConnectionStats;

// Every byte goes straight back; the peer's FIN is answered, after the last byte, by ours (the
// layer's default end()).
function echoHandler(connection: Connection): ConnectionHandler {
  return {
    data(buffer, start, end) {
      connection.write(buffer, start, end - start);
      return end - start;
    },
  };
}

/** The echo protocol on a ConnectionServer: its address, stats, dispatch, closed and close(). */
export class EchoServer extends ConnectionServer {
  constructor(options: EchoServerOptions = {}) {
    super({
      ...options,
      port: options.path === undefined ? (options.port ?? 7000) : undefined,
      outOfBandInline: true,
      onConnection: echoHandler,
    });
  }
}

/** Starts an echo server; options.port 0 picks a free port (see server.address). */
export function startEchoServer(options?: EchoServerOptions): EchoServer {
  return new EchoServer(options);
}
