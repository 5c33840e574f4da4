// The connection layer (ConnectionServer, Connection) against real loopback clients: partial
// writes, slow readers, pipelined and split messages, half-close both ways, resets, many
// connections, every byte compared, in both dispatch modes.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

import {
  ConnectionServer,
  EpollInstance,
  io,
  sock,
  type Connection,
  type ConnectionHandler,
  type ConnectionServerOptions,
} from '../../lib';
import { runScript } from '../support/child';
import { echo, slowEcho } from '../support/echo-client';
import { describeEachMode } from '../support/modes';
import { seededRandom } from '../support/random';
import { bound } from '../support/slowdown';
import { errorFrom } from '../support/thrown';
import { waitFor } from '../support/wait';

type Closed = { connection: Connection; error: (Error & { code?: string }) | null };

/** A line protocol: each complete line comes back upper-cased; a partial line waits for the rest. */
function upperLines(connection: Connection): ConnectionHandler {
  return {
    data(buffer, start, end) {
      let at = start;
      for (let newline = buffer.indexOf(10, at); newline >= 0 && newline < end; newline = buffer.indexOf(10, at)) {
        connection.write(Buffer.from(buffer.toString('latin1', at, newline + 1).toUpperCase(), 'latin1'));
        at = newline + 1;
      }
      return at - start;
    },
  };
}

function echoing(connection: Connection): ConnectionHandler {
  return {
    data(buffer, start, end) {
      connection.write(buffer, start, end - start);
      return end - start;
    },
  };
}

/** Connects, sends chunks (each written separately, so they arrive split), reads to the server's FIN. */
function exchange(port: number, chunks: Buffer[], { end = true } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true, allowHalfOpen: true });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(received));
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (end) socket.end();
    });
  });
}

/** Splits bytes at random points, a few bytes to a few KiB apart, so messages straddle reads. */
function splitRandomly(bytes: Buffer, seed: number): Buffer[] {
  const random = seededRandom(seed);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 8 : 4096));
    parts.push(bytes.subarray(at, at + size));
    at += size;
  }
  return parts;
}

function portOf(server: ConnectionServer): number {
  return (server.address as sock.InetSocketAddress).port;
}

describeEachMode('ConnectionServer', (dispatch) => {
  let server: ConnectionServer | undefined;
  let closed: Closed[] = [];
  const start = (options: Partial<ConnectionServerOptions> & Pick<ConnectionServerOptions, 'onConnection'>) => {
    const onConnection = options.onConnection;
    server = new ConnectionServer({
      dispatch,
      ...options,
      onConnection(connection) {
        const handler = onConnection(connection);
        const close = handler.close;
        return {
          ...handler,
          close(c, error) {
            closed.push({ connection: c, error });
            close?.call(handler, c, error);
          },
        };
      },
    });
    return portOf(server);
  };
  afterEach(() => {
    server?.close();
    server = undefined;
    closed = [];
  });

  test('pipelined lines split at random points: each answered once, in order, every byte compared', async () => {
    const port = start({ onConnection: upperLines, readBufferSize: 256 });
    const random = seededRandom(7);
    const lines = Array.from({ length: 3000 }, (_, i) => {
      const length = random() < 0.01 ? 5000 + Math.floor(random() * 5000) : Math.floor(random() * 40);
      return `${i}:${'abcdefghij'.repeat(Math.ceil(length / 10)).slice(0, length)}\n`;
    });
    const payload = Buffer.from(lines.join(''), 'latin1');
    const answer = await exchange(port, splitRandomly(payload, 11));
    expect(answer.toString('latin1')).toBe(lines.join('').toUpperCase());
    await waitFor(() => closed.length === 1, 'the connection closed');
    expect(closed[0].error).toBeNull();
  });

  test('a message longer than the read buffer grows the connection buffer and is delivered whole', async () => {
    const port = start({ onConnection: upperLines, readBufferSize: 1024 });
    const line = `${'x'.repeat(3 << 20)}\n`;
    const answer = await exchange(port, [Buffer.from(line)]);
    expect(answer.length).toBe(line.length);
    expect(answer.equals(Buffer.from(line.toUpperCase()))).toBe(true);
  });

  test('a partial message past maxReadBuffer destroys the connection with ERR_READ_BUFFER_FULL', async () => {
    const port = start({ onConnection: upperLines, readBufferSize: 1024, maxReadBuffer: 64 * 1024 });
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    const gone = new Promise((resolve) => socket.on('close', resolve));
    socket.write(Buffer.alloc(256 * 1024, 'y'));
    await gone;
    await waitFor(() => closed.length === 1, 'the connection closed');
    expect(closed[0].error?.code).toBe('ERR_READ_BUFFER_FULL');
    expect(server!.stats.open).toBe(0);
  });

  test.each(['always', 'pending'] as const)(
    'a tiny SO_SNDBUF and a slow reader: partial writes finish on EPOLLOUT, drain is called, bytes in order (epollOut: %s)',
    async (epollOut) => {
      const payload = randomBytes(4 << 20);
      let drains = 0;
      let refused = 0;
      const port = start({
        epollOut,
        sendBufferSize: 4096,
        highWaterMark: 64 * 1024,
        onConnection: (connection) => {
          let sent = 0;
          // Writes in 32 KiB pieces while write() says so, and goes on at each drain.
          const pump = (): void => {
            while (sent < payload.length) {
              const size = Math.min(32768, payload.length - sent);
              const more = connection.write(payload, sent, size);
              sent += size;
              if (!more) return void refused++;
            }
            connection.end();
          };
          return {
            data: (_b, s, e) => {
              if (sent === 0) pump();
              return e - s;
            },
            drain: () => {
              drains++;
              pump();
            },
            // The client's FIN comes long before the last byte: the pump ends when it is done.
            end: () => undefined,
          };
        },
      });
      const received = await slowEcho(port, 'go');
      expect(received.equals(payload)).toBe(true);
      expect(server!.stats.partialWrites).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
      expect(drains).toBe(refused);
    },
    bound(30000),
  );

  test(
    'backpressure: a peer that sends without reading stops being read at the high-water mark',
    async () => {
      const highWaterMark = 64 * 1024;
      let connection: Connection | undefined;
      let most = 0;
      const port = start({
        sendBufferSize: 4096,
        highWaterMark,
        readBufferSize: 4096,
        onConnection: (c) => {
          connection = c;
          const inner = echoing(c);
          return {
            data(buffer, s, e, conn) {
              const consumed = inner.data(buffer, s, e, conn);
              most = Math.max(most, c.bufferedBytes);
              return consumed;
            },
          };
        },
      });
      const payload = randomBytes(2 << 20);
      const socket = net.connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      socket.pause();
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise((resolve) => socket.on('end', resolve));
      socket.end(payload);
      await waitFor(() => server!.stats.backpressure > 0, 'reading to pause');
      // Reading stopped: the queue is bounded by the mark plus the one read that crossed it.
      expect(connection!.bufferedBytes).toBeLessThan(highWaterMark + 4096);
      socket.resume();
      await ended;
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
      expect(most).toBeLessThan(highWaterMark + 4096);
    },
    bound(30000),
  );

  test('half-close by the client: the server answers after the FIN, then closes', async () => {
    const port = start({
      onConnection: (connection) => {
        let bytes = 0;
        return {
          data: (_b, s, e) => {
            bytes += e - s;
            return e - s;
          },
          end: () => connection.end(`got ${bytes} bytes\n`),
        };
      },
    });
    const answer = await exchange(port, [Buffer.alloc(100000, 1), Buffer.alloc(23, 2)]);
    expect(answer.toString()).toBe('got 100023 bytes\n');
    await waitFor(() => closed.length === 1, 'the connection closed');
    expect(closed[0].error).toBeNull();
  });

  test('half-close by the server: after its FIN it still reads the peer until the peer ends', async () => {
    let received = 0;
    const port = start({
      onConnection: (connection) => {
        connection.end('bye\n');
        return {
          data: (_b, s, e) => {
            received += e - s;
            expect(() => connection.write('x')).toThrow(
              expect.objectContaining({ code: 'ERR_STREAM_WRITE_AFTER_END' }),
            );
            return e - s;
          },
        };
      },
    });
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise((resolve) => socket.on('end', resolve));
    expect(answer).toBe('bye\n');
    socket.write(Buffer.alloc(50000, 3));
    await waitFor(() => received === 50000, 'the bytes after the server FIN');
    expect(closed).toHaveLength(0);
    socket.end();
    await waitFor(() => closed.length === 1, 'the connection closed');
    expect(closed[0].error).toBeNull();
  });

  test('a reset in the middle of a queued write closes the connection with the error; the server carries on', async () => {
    let queued = false;
    const port = start({
      sendBufferSize: 4096,
      onConnection: (connection) => ({
        data: (_b, s, e) => {
          queued = !connection.write(Buffer.alloc(1 << 20)) || connection.bufferedBytes > 0;
          return e - s;
        },
      }),
    });
    const { fd } = sock.connectTo({ address: '127.0.0.1', port });
    await waitFor(() => server!.stats.open === 1, 'the connection accepted');
    io.write(fd, Buffer.from('go'));
    await waitFor(() => queued, 'the reply queued');
    sock.setLinger(fd, 0);
    io.close(fd);
    await waitFor(() => closed.length === 1, 'the reset connection closed');
    expect(['ECONNRESET', 'EPIPE']).toContain(closed[0].error?.code);
    expect(server!.stats.open).toBe(0);
    expect((await exchange(port, [Buffer.from('still here')])).length).toBe(1 << 20);
  });

  test(
    '1,000 concurrent connections, random payloads, every byte compared',
    async () => {
      const port = start({ onConnection: echoing, backlog: 1024 });
      const random = seededRandom(99);
      const payloads = Array.from({ length: 1000 }, () => randomBytes(1 + Math.floor(random() * 20000)));
      const echoed = await Promise.all(payloads.map((payload) => echo(port, payload)));
      expect(echoed.filter((bytes, i) => !bytes.equals(payloads[i]))).toHaveLength(0);
      expect(server!.stats.accepted).toBe(1000);
      await waitFor(() => server!.stats.open === 0, 'every connection closed');
      expect(closed.filter((c) => c.error !== null)).toHaveLength(0);
      const total = payloads.reduce((sum, p) => sum + p.length, 0);
      expect(server!.stats.bytesRead).toBe(total);
      expect(server!.stats.bytesWritten).toBe(total);
    },
    bound(60000),
  );

  test('many writes in one data call are gathered and arrive in order', async () => {
    const port = start({
      onConnection: (connection) => ({
        data(buffer, s, e) {
          for (let i = s; i < e; i++) connection.write(`<${buffer[i]}>`);
          return e - s;
        },
      }),
    });
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const answer = await exchange(port, splitRandomly(bytes, 3));
    expect(answer.toString()).toBe([...bytes].map((b) => `<${b}>`).join(''));
  });

  test('pause() stops reading and resume() reads what waited', async () => {
    let connection: Connection | undefined;
    let received = 0;
    const port = start({
      onConnection: (c) => {
        if (connection === undefined) c.pause();
        connection ??= c;
        return {
          data: (_b, s, e) => {
            received += e - s;
            return e - s;
          },
        };
      },
    });
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.write(Buffer.alloc(10000));
    await waitFor(() => connection !== undefined, 'the connection');
    expect(connection!.paused).toBe(true);
    // The bytes are in the server's receive queue, and their edge came before a later accept's.
    const peek = Buffer.alloc(10000);
    await waitFor(() => sock.recv(connection!.fd, peek, 0, 10000, { peek: true }) === 10000, 'the bytes queued');
    const later = net.connect({ host: '127.0.0.1', port });
    await waitFor(() => server!.stats.accepted === 2, 'a later connection accepted');
    later.destroy();
    expect(received).toBe(0);
    connection!.resume();
    await waitFor(() => received === 10000, 'the bytes read after resume');
    socket.destroy();
    await waitFor(() => closed.length === 2, 'both connections closed');
  });

  test('destroy() and server.close() from inside a handler stop everything at once', async () => {
    const port = start({
      onConnection: (connection) => ({
        data(_b, s, e) {
          connection.write('partial');
          if (connection.bytesRead > 3) server!.close();
          else connection.destroy();
          return e - s;
        },
      }),
    });
    await expect(exchange(port, [Buffer.from('ab')])).resolves.toEqual(Buffer.alloc(0));
    await waitFor(() => closed.length === 1, 'the first connection closed');
    expect(closed[0].error).toBeNull();
    await expect(exchange(port, [Buffer.from('abcdef')])).resolves.toEqual(Buffer.alloc(0));
    await waitFor(() => server!.closed, 'the server closed');
    expect(server!.stats.open).toBe(0);
  });

  test('server.close() from onConnection while more connections wait: the rest are refused, nothing is accepted after', async () => {
    let opened = 0;
    const port = start({
      onConnection: (connection) => {
        opened++;
        server!.close();
        return echoing(connection);
      },
    });
    // Queued together behind one edge of the listener, before the server accepts any.
    const { fd: gate } = sock.connectTo({ address: '127.0.0.1', port });
    const clients = Array.from({ length: 5 }, () => sock.connectTo({ address: '127.0.0.1', port }).fd);
    try {
      await waitFor(() => server!.closed, 'the server closed');
      expect(opened).toBe(1);
      expect(server!.stats.accepted).toBe(1);
      expect(closed).toHaveLength(1);
      expect(closed[0].error).toBeNull();
    } finally {
      for (const fd of [gate, ...clients]) io.close(fd);
    }
  });

  test('server.close() with a close handler that throws: every connection and the listener still close', async () => {
    const port = start({
      onConnection: (connection) => ({
        ...echoing(connection),
        close() {
          throw new Error('close handler failed');
        },
      }),
    });
    const clients = [0, 1, 2].map(() => sock.connectTo({ address: '127.0.0.1', port }).fd);
    try {
      await waitFor(() => server!.stats.open === 3, 'three connections');
      expect(errorFrom(() => server!.close()).message).toBe('close handler failed');
      expect(server!.stats.open).toBe(0);
      expect(closed).toHaveLength(3);
      const into = Buffer.alloc(1);
      for (const fd of clients) await waitFor(() => io.read(fd, into) === 0, 'the server side closed');
    } finally {
      for (const fd of clients) io.close(fd);
    }
  });

  test('writes: hostile views are read as the engine records them; bad ones throw and change nothing', async () => {
    class Lying extends Uint8Array {
      override get byteLength(): number {
        return 1 << 30;
      }
      override subarray(): never {
        throw new Error('user code ran');
      }
    }
    const results: unknown[] = [];
    const port = start({
      sendBufferSize: 4096,
      onConnection: (connection) => ({
        data(_b, s, e) {
          results.push(errorFrom(() => connection.write({} as Uint8Array)).code);
          results.push(errorFrom(() => connection.write(Buffer.alloc(4), 5)).code);
          results.push(errorFrom(() => connection.write(Buffer.alloc(4), 0, 9)).code);
          const detached = new Uint8Array(new ArrayBuffer(8));
          structuredClone(detached.buffer, { transfer: [detached.buffer] });
          results.push(errorFrom(() => connection.write(detached)).code);
          const lying = new Lying(300000).fill(7);
          connection.write(lying);
          connection.write(new DataView(new Uint8Array([1, 2, 3]).buffer), 1);
          connection.end();
          return e - s;
        },
      }),
    });
    const answer = await exchange(port, [Buffer.from('go')], { end: false });
    expect(results).toEqual(['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE']);
    expect(answer.length).toBe(300002);
    expect(answer.subarray(0, 300000).every((b) => b === 7)).toBe(true);
    expect([...answer.subarray(300000)]).toEqual([2, 3]);
  });

  test("on the caller's EpollInstance: served there, and left open (and empty) by close()", async () => {
    const epoll = new EpollInstance({ dispatch });
    try {
      const shared = new ConnectionServer({ epoll, onConnection: echoing });
      expect(shared.epoll).toBe(epoll);
      expect((await echo(portOf(shared), Buffer.from('shared'))).toString()).toBe('shared');
      shared.close();
      expect(epoll.closed).toBe(false);
      expect(epoll.size).toBe(0);
    } finally {
      epoll.close();
    }
  });

  test('a Unix socket, and write() after close returns false', async () => {
    const at = `\0linux-epoll-conn-${process.pid}-${dispatch}`;
    let connection: Connection | undefined;
    server = new ConnectionServer({
      path: at,
      dispatch,
      onConnection: (c) => {
        connection = c;
        return echoing(c);
      },
    });
    const { fd } = sock.connectTo({ family: 'unix', path: at });
    await waitFor(() => connection !== undefined, 'the connection');
    io.write(fd, Buffer.from('unix'));
    const into = Buffer.alloc(16);
    let got = 0;
    await waitFor(() => (got += io.read(fd, into, got) ?? 0) === 4, 'the echo');
    expect(into.toString('latin1', 0, 4)).toBe('unix');
    connection!.destroy();
    expect(connection!.closed).toBe(true);
    expect(connection!.write('late')).toBe(false);
    await waitFor(() => io.read(fd, into) === 0, 'the server close');
    io.close(fd);
  });
});

describe('ConnectionServer options', () => {
  const onConnection = (connection: Connection): ConnectionHandler => echoing(connection);
  test.each([
    [undefined, 'ERR_INVALID_ARG_TYPE'],
    [{}, 'ERR_INVALID_ARG_TYPE'],
    [{ onConnection, highWaterMark: 0 }, 'ERR_OUT_OF_RANGE'],
    [{ onConnection, readBufferSize: 1.5 }, 'ERR_OUT_OF_RANGE'],
    [{ onConnection, maxReadBuffer: '1' }, 'ERR_INVALID_ARG_TYPE'],
    [{ onConnection, drain: 'never' }, 'ERR_INVALID_ARG_VALUE'],
    [{ onConnection, epollOut: 'sometimes' }, 'ERR_INVALID_ARG_VALUE'],
    [{ onConnection, noDelay: 1 }, 'ERR_INVALID_ARG_TYPE'],
    [{ onConnection, epoll: {} }, 'ERR_INVALID_ARG_TYPE'],
    [{ onConnection, port: 70000 }, 'ERR_OUT_OF_RANGE'],
    [{ onConnection, host: 'localhost' }, 'ERR_INVALID_ARG_VALUE'],
  ])('%j is refused with %s', (options, code) => {
    expect(errorFrom(() => new ConnectionServer(options as never)).code).toBe(code);
  });

  test('a port in use: EADDRINUSE, and nothing left open', () => {
    const first = new ConnectionServer({ onConnection });
    try {
      const error = errorFrom(() => new ConnectionServer({ onConnection, port: portOf(first) }));
      expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
    } finally {
      first.close();
    }
  });
});

test('a handler that throws: its connection is destroyed with the error, which reaches uncaughtException, and the server serves on', async () => {
  const result = await runScript(`
    const net = require('node:net');
    const seen = [];
    process.on('uncaughtException', (error) => seen.push('uncaught ' + error.message));
    const server = new LINUX_EPOLL.ConnectionServer({
      onConnection: (connection) => ({
        data(buffer, start, end) {
          if (buffer[start] === 0x21) throw new Error('bad byte');
          if (buffer[start] === 0x3f) return -1;
          connection.write(buffer, start, end - start);
          return end - start;
        },
        close: (c, error) => seen.push('close ' + (error && (error.code || error.message))),
      }),
    });
    const { port } = server.address;
    const send = (text) => new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      let got = '';
      socket.on('data', (d) => (got += d));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
      socket.end(text);
    });
    (async () => {
      seen.push('reply ' + (await send('!')));
      seen.push('reply ' + (await send('?')));
      seen.push('reply ' + (await send('ok')));
      server.close();
      console.log(JSON.stringify(seen));
    })();
  `);
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual([
    'close bad byte',
    'uncaught bad byte',
    'reply ',
    'close ERR_OUT_OF_RANGE',
    'uncaught The value of "the data handler\'s result" is out of range. It must be an integer >= 0 && <= 1. Received -1',
    'reply ',
    'close null',
    'reply ok',
  ]);
});
