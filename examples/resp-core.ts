// The RESP server: the Redis engine (resp-commands.ts) on linux-epoll's connection layer. Each
// read's whole commands run at once and their replies leave with one write, so a pipeline of 16
// commands costs one read and one write.
import { ConnectionServer, type Connection, type ConnectionHandler } from '../lib';
import type { EchoServerOptions } from './echo-core';
import { Keyspace, RespSession } from './resp-commands';

export const DEFAULT_RESP_PORT = 6379;
// The longest command a connection may send (a SET of a large value): past it, it is closed.
const MAX_COMMAND = 64 * 1024 * 1024;

/** The echo server's options (host, port, path, dispatch, backlog, reusePort, epollOut, drain). */
export type RespServerOptions = EchoServerOptions;

function respHandler(connection: Connection, keyspace: Keyspace): ConnectionHandler {
  const session = new RespSession(keyspace);
  const { reply } = session;
  return {
    data(buffer, start, end) {
      const consumed = session.execute(buffer, start, end);
      if (reply.length > 0) {
        // Held by the layer until this returns, then written; reply is not touched before the next call.
        connection.write(reply.buffer, 0, reply.length);
        reply.reset();
      }
      if (session.quit) connection.end();
      return consumed;
    },
  };
}

/** The Redis protocol on a ConnectionServer, with the keyspace its connections share. */
export class RespServer extends ConnectionServer {
  readonly keyspace: Keyspace;

  constructor(options: RespServerOptions = {}) {
    const keyspace = new Keyspace();
    super({
      ...options,
      port: options.path === undefined ? (options.port ?? DEFAULT_RESP_PORT) : undefined,
      maxReadBuffer: MAX_COMMAND,
      onConnection: (connection) => respHandler(connection, keyspace),
    });
    this.keyspace = keyspace;
  }

  override close(): void {
    super.close();
    this.keyspace.close();
  }
}

/** Starts a RESP server; options.port 0 picks a free port (see server.address). */
export function startRespServer(options?: RespServerOptions): RespServer {
  return new RespServer(options);
}
