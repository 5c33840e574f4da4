// npm run echo-async [-- --port 7000 --dispatch loop]: examples/echo-core's echo server, written
// with await: one async function per connection, a for await over its readiness, and ep.write()
// only when the kernel took part of a chunk.
import * as fs from 'node:fs';

import { connectHint, describeAddress, exitWith, onStopSignal, parseEchoArgsOrExit, startFailure } from './echo-args';
import { EPOLLET, EPOLLIN, EPOLLRDHUP, EpollInstance, io, sock, type DispatchMode } from '../lib';

export interface AsyncEchoOptions {
  host?: string;
  port?: number;
  path?: string;
  dispatch?: DispatchMode | 'auto';
  backlog?: number;
  sendBufferSize?: number;
}

const CHUNK = 16 * 1024;

export class AsyncEchoServer {
  readonly stats = { accepted: 0, partialWrites: 0, open: 0 };
  readonly address: sock.SocketAddress;
  readonly #ep: EpollInstance;
  readonly #listenFd: number;
  readonly #stop = new AbortController();

  constructor(readonly options: AsyncEchoOptions = {}) {
    const { host = '127.0.0.1', port = 7000, path, backlog } = options;
    this.#listenFd = path === undefined ? sock.listenTcp({ host, port, backlog }) : sock.listenUnix({ path, backlog });
    this.address = sock.localAddress(this.#listenFd);
    this.#ep = new EpollInstance({ dispatch: options.dispatch ?? 'auto' });
    void this.#acceptAll();
  }

  get dispatch(): DispatchMode {
    return this.#ep.dispatch;
  }

  get closed(): boolean {
    return this.#ep.closed;
  }

  /** Ends every connection and the listener. Idempotent. */
  close(): void {
    if (this.#ep.closed) return;
    this.#stop.abort();
    this.#ep.close();
    io.close(this.#listenFd);
    const { path } = this.options;
    if (path !== undefined && !path.startsWith('\0')) fs.rmSync(path, { force: true });
  }

  async #acceptAll(): Promise<void> {
    try {
      for await (const { fd } of sock.connections(this.#ep, this.#listenFd, { signal: this.#stop.signal }))
        void this.#serve(fd);
    } catch (error) {
      if (!this.#stop.signal.aborted) throw error;
    }
  }

  async #serve(fd: number): Promise<void> {
    const chunk = Buffer.allocUnsafe(CHUNK);
    this.stats.accepted++;
    this.stats.open++;
    try {
      if (this.options.path === undefined) sock.setNoDelay(fd, true);
      if (this.options.sendBufferSize !== undefined) sock.setSendBufferSize(fd, this.options.sendBufferSize);
      // Edge-triggered: no event repeats while a partial write is awaited. Each is read until
      // EAGAIN, or a short read, which empties the queue unless the FIN is already in (echo-core's DrainPolicy).
      for await (const events of this.#ep.watch(fd, EPOLLIN | EPOLLRDHUP | EPOLLET)) {
        for (let count = io.read(fd, chunk); count !== null; count = io.read(fd, chunk)) {
          if (count === 0) return;
          const written = io.write(fd, chunk, 0, count) ?? 0;
          if (written < count) {
            this.stats.partialWrites++;
            await this.#ep.write(fd, chunk, { offset: written, length: count - written });
          }
          if (count < CHUNK && (events & EPOLLRDHUP) === 0) break;
        }
      }
    } catch {
      // The peer reset the connection, or close() closed the instance (ERR_EPOLL_CLOSED).
    } finally {
      this.stats.open--;
      io.close(fd);
    }
  }
}

if (require.main === module) {
  const options = parseEchoArgsOrExit('echo-async').server;
  let server: AsyncEchoServer;
  try {
    server = new AsyncEchoServer(options);
  } catch (error) {
    const { status, message } = startFailure('echo-async', error, options);
    exitWith('echo-async', status, message);
  }
  console.log(
    `echo server on ${describeAddress(server.address)} (dispatch: ${server.dispatch}); try: ${connectHint(server.address)}`,
  );
  onStopSignal(() => server.close());
}
