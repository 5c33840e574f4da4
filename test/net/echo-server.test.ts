// examples/echo-core's edge-triggered echo server, and examples/echo-async's, against real loopback
// clients: every byte of every connection compared, in both dispatch modes.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { AsyncEchoServer } from '../../examples/echo-async';
import { startEchoServer, type EchoServerOptions } from '../../examples/echo-core';
import { io, sock } from '../../lib';
import { echo, slowEcho } from '../support/echo-client';
import { describeEachMode } from '../support/modes';
import { seededRandom } from '../support/random';
import { bound } from '../support/slowdown';
import { nextMacrotask, waitFor } from '../support/wait';

/** The same through linux-epoll's own client socket, polled: Node's net pads abstract Unix names. */
async function echoViaSock(address: sock.SocketAddressInput, payload: Buffer): Promise<Buffer> {
  const { fd } = sock.connectTo(address);
  const into = Buffer.alloc(65536);
  const chunks: Buffer[] = [];
  let sent = 0;
  try {
    for (let shut = false; ; await nextMacrotask()) {
      if (sent < payload.length) sent += io.write(fd, payload, sent) ?? 0;
      if (sent === payload.length && !shut) {
        sock.shutdown(fd, 'write');
        shut = true;
      }
      for (let count = io.read(fd, into); count !== null; count = io.read(fd, into)) {
        if (count === 0) return Buffer.concat(chunks);
        chunks.push(Buffer.from(into.subarray(0, count)));
      }
    }
  } finally {
    io.close(fd);
  }
}

/** What these tests see of a server: both examples have it. */
interface EchoServer {
  readonly address: sock.SocketAddress;
  readonly stats: { accepted: number; open: number; partialWrites: number };
  readonly closed: boolean;
  close(): void;
}

const SERVERS: [string, (options: EchoServerOptions) => EchoServer][] = [
  ['examples/echo-core', startEchoServer],
  ['examples/echo-async', (options) => new AsyncEchoServer(options)],
];

function portOf(server: EchoServer): number {
  return (server.address as sock.InetSocketAddress).port;
}

// Sizes from 1 B to 1 MiB, log-uniform so that every order of magnitude is exercised, within a
// total that keeps the test to seconds. Drawn from a fixed seed, so a failure repeats.
function payloadSizes(count: number, totalBudget: number): number[] {
  const random = seededRandom(0x5eed);
  const sizes = [1, 1 << 20];
  let total = sizes[0] + sizes[1];
  while (sizes.length < count) {
    let size = Math.max(1, Math.round(2 ** (random() * 20)));
    if (total + size > totalBudget) size = 1 + Math.floor(random() * 1024);
    sizes.push(size);
    total += size;
  }
  return sizes;
}

describe.each(SERVERS)('%s', (_, startServer) =>
  describeEachMode('echo server', (dispatch) => {
    let server: EchoServer | undefined;
    const start = (options: EchoServerOptions = {}): EchoServer =>
      (server = startServer({ port: 0, dispatch, ...options }));
    afterEach(() => server?.close());

    test.each(['short', 'eagain'] as const)(
      '1,000 concurrent clients echo random payloads of 1 B to 1 MiB, every byte compared (drain: %s)',
      async (drain) => {
        const port = portOf(start({ backlog: 1024, drain }));
        const payloads = payloadSizes(1000, 24 << 20).map((size) => randomBytes(size));
        const echoed = await Promise.all(payloads.map((payload) => echo(port, payload)));
        const wrong = echoed.filter((bytes, i) => !bytes.equals(payloads[i])).length;
        expect(wrong).toBe(0);
        expect(server!.stats.accepted).toBe(1000);
        await waitFor(() => server!.stats.open === 0, 'every connection closed');
      },
      bound(60000),
    );

    test(
      'ping-pong in many small messages, stopping at short reads: no message waits for a later one',
      async () => {
        const port = portOf(start({ drain: 'short' }));
        const rounds = 300;
        const clients = Array.from(
          { length: 20 },
          (_, id) =>
            new Promise<number>((resolve, reject) => {
              const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
              let round = 0;
              let expected = Buffer.alloc(0);
              let got = Buffer.alloc(0);
              const send = (): void => {
                expected = randomBytes(1 + ((id * 7919 + round * 104729) % 3000));
                got = Buffer.alloc(0);
                socket.write(expected);
              };
              socket.on('connect', send);
              socket.on('data', (data: Buffer) => {
                got = Buffer.concat([got, data]);
                if (got.length < expected.length) return;
                if (!got.equals(expected)) return reject(new Error(`client ${id} round ${round}: wrong echo`));
                if (++round === rounds) {
                  socket.end();
                  return resolve(round);
                }
                send();
              });
              socket.on('error', reject);
            }),
        );
        // A stall here (a byte left unread after a short read) would time the test out.
        expect(await Promise.all(clients)).toEqual(Array(20).fill(rounds));
      },
      bound(30000),
    );

    test(
      'a small SO_SNDBUF and a slow reader: partial writes finish on EPOLLOUT, in order',
      async () => {
        const port = portOf(start({ sendBufferSize: 4096 }));
        const payload = randomBytes(2 << 20);
        const received = await slowEcho(port, payload);
        expect(received.equals(payload)).toBe(true);
        expect(server!.stats.partialWrites).toBeGreaterThan(0);
      },
      bound(30000),
    );

    test('half-close: the server echoes everything after the client FIN, then closes', async () => {
      const port = portOf(start());
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise((resolve) => socket.on('end', resolve));
      socket.write('before ');
      socket.end('fin');
      await ended;
      expect(Buffer.concat(chunks).toString()).toBe('before fin');
      socket.destroy();
      await waitFor(() => server!.stats.open === 0, 'the connection closed');
    });

    test('an abrupt reset (SO_LINGER 0) closes the connection and the server carries on', async () => {
      const port = portOf(start());
      const { fd } = sock.connectTo({ address: '127.0.0.1', port });
      await waitFor(() => server!.stats.open === 1, 'the connection accepted');
      io.write(fd, Buffer.from('data the server echoes into a reset'));
      sock.setLinger(fd, 0);
      io.close(fd);
      await waitFor(() => server!.stats.open === 0, 'the reset connection closed');
      expect((await echo(port, Buffer.from('still here'))).toString()).toBe('still here');
    });

    test('IPv6 loopback', async () => {
      const port = portOf(start({ host: '::1' }));
      expect(server!.address).toMatchObject({ family: 'IPv6', address: '::1' });
      const payload = randomBytes(300000);
      expect((await echo({ host: '::1', port }, payload)).equals(payload)).toBe(true);
    });

    test('a Unix socket path', async () => {
      const at = path.join(os.tmpdir(), `linux-epoll-echo-${process.pid}-${Date.now()}.sock`);
      start({ path: at });
      const payload = randomBytes(300000);
      expect((await echo(at, payload)).equals(payload)).toBe(true);
    });

    test('an abstract Unix socket', async () => {
      const at = `\0linux-epoll-echo-${process.pid}-${Date.now()}`;
      start({ path: at });
      const payload = randomBytes(300000);
      expect((await echoViaSock({ family: 'unix', path: at }, payload)).equals(payload)).toBe(true);
    });

    test('close() closes every connection and the listener', async () => {
      const port = portOf(start());
      const socket = net.connect({ host: '127.0.0.1', port });
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.on('error', () => undefined);
      await waitFor(() => server!.stats.open === 1, 'the connection accepted');
      server!.close();
      await closed;
      expect(server!.closed).toBe(true);
      await expect(echo(port, Buffer.from('x'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
  }),
);
