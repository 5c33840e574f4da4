// The HTTP/1.1 server: linux-epoll's connection layer, with an HttpSession as each connection's
// handler. The layer owns the sockets, the reads and the write queues; a session owns one
// connection's parser; the router and its Date are shared by every connection of the server.
import { ConnectionServer, type ConnectionServerOptions, type DispatchMode, type sock } from '../../lib';
import { HttpDate } from './date';
import { resolveLimits, type ParserLimits } from './parser';
import { Router } from './router';
import { HttpSession } from './session';

/**
 * The connection layer's options (host, port or path, dispatch, reusePort, ...; port defaults to
 * 8080 here) and the parser's limits.
 */
export interface HttpServerOptions extends ParserLimits, Omit<ConnectionServerOptions, 'onConnection'> {}

export const DEFAULT_PORT = 8080;

export class HttpServer {
  readonly #server: ConnectionServer;
  readonly #date: HttpDate;

  constructor(options: HttpServerOptions = {}) {
    const { maxHeadBytes, maxHeaders, maxBodyBytes, ...listen } = options;
    // Checked here, so that a bad limit fails the server's start, not its first connection.
    const limits = resolveLimits({ maxHeadBytes, maxHeaders, maxBodyBytes });
    this.#date = new HttpDate();
    const router = new Router(this.#date);
    try {
      this.#server = new ConnectionServer({
        ...listen,
        port: listen.path === undefined ? (listen.port ?? DEFAULT_PORT) : undefined,
        onConnection: (connection) => new HttpSession(connection, router, limits),
      });
    } catch (error) {
      this.#date.close();
      throw error;
    }
  }

  get address(): sock.SocketAddress {
    return this.#server.address;
  }

  get dispatch(): DispatchMode {
    return this.#server.dispatch;
  }

  get stats(): ConnectionServer['stats'] {
    return this.#server.stats;
  }

  get closed(): boolean {
    return this.#server.closed;
  }

  /** Closes every connection and the listener. Idempotent. */
  close(): void {
    this.#server.close();
    this.#date.close();
  }
}
