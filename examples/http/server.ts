// The HTTP/1.1 server: linux-epoll's connection layer, with an HttpSession as each connection's
// handler. The layer owns the sockets, the reads and the write queues; a session owns one
// connection's parser; the router and its Date are shared by every connection of the server.
import { ConnectionServer, type ConnectionServerOptions, type DispatchMode, type sock } from '../../lib';
import { HttpDate } from './date';
import { IdleSweeper } from './idle';
import { limit, resolveLimits, type ParserLimits } from './limits';
import { Router } from './router';
import { HttpSession } from './session';

/**
 * The connection layer's options (host, port or path, dispatch, reusePort, ...; port defaults to
 * 8080 here) and the parser's limits.
 */
export interface HttpServerOptions extends ParserLimits, Omit<ConnectionServerOptions, 'onConnection'> {
  /**
   * Milliseconds a connection may go without progress (a whole head, body bytes, or anything read
   * after the server closed its side) before it is closed; 0: never. Default 60,000.
   */
  idleTimeout?: number;
}

export const DEFAULT_PORT = 8080;

export class HttpServer {
  readonly #server: ConnectionServer;
  readonly #date: HttpDate;
  readonly #sweeper: IdleSweeper;

  constructor(options: HttpServerOptions = {}) {
    const { maxHeadBytes, maxHeaders, maxBodyBytes, idleTimeout, ...listen } = options;
    // Checked here, so that a bad limit fails the server's start, not its first connection.
    const limits = resolveLimits({ maxHeadBytes, maxHeaders, maxBodyBytes });
    const timeout = limit(idleTimeout, 'idleTimeout', 0, 0x7fffffff, 60_000);
    this.#date = new HttpDate();
    this.#sweeper = new IdleSweeper(timeout);
    const router = new Router(this.#date);
    const sweeper = this.#sweeper;
    try {
      this.#server = new ConnectionServer({
        ...listen,
        port: listen.path === undefined ? (listen.port ?? DEFAULT_PORT) : undefined,
        onConnection: (connection) => new HttpSession(connection, router, sweeper, limits),
      });
    } catch (error) {
      this.#date.close();
      this.#sweeper.close();
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
    this.#sweeper.close();
  }
}
