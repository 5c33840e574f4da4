// examples/http's server on real loopback connections, in both dispatch modes, as the clients
// people use talk to it (fetch, node:http, curl), and as an attacker does, with raw bytes.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { HttpServer, type HttpServerOptions } from '../../examples/http/server';
import type { sock } from '../../lib';
import { exchange, splitResponses } from '../support/http-client';
import { describeEachMode } from '../support/modes';
import { waitFor } from '../support/wait';

// curl is Debian's, installed when missing (CI runs as root on a clean machine).
beforeAll(() => {
  const script = path.resolve(__dirname, '../../scripts/require-commands.sh');
  execFileSync(script, ['curl:curl'], { stdio: 'inherit', timeout: 300_000 });
}, 300_000);

function curl(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', ...args],
      // Without test:asan's LD_PRELOAD of libasan, under which curl itself hangs: it is the client,
      // not the code under test.
      { encoding: 'buffer', maxBuffer: 64 << 20, env: { ...process.env, LD_PRELOAD: '' } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`curl ${args.join(' ')}: ${stderr.toString()}`)) : resolve(stdout),
    );
  });
}

function get(agent: http.Agent, port: number, target: string): Promise<{ body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: target, agent }, (response) => {
      let body = '';
      response.setEncoding('latin1');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, reused: request.reusedSocket }));
    });
    request.on('error', reject);
  });
}

const GET = (target = '/'): string => `GET ${target} HTTP/1.1\r\nHost: test\r\n\r\n`;
const POST = (body: string): string =>
  `POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describeEachMode('HTTP server', (dispatch) => {
  let server: HttpServer;
  let port: number;
  const start = (options: HttpServerOptions = {}): void => {
    server = new HttpServer({ port: 0, dispatch, ...options });
    port = (server.address as sock.InetSocketAddress).port;
  };
  beforeEach(() => start());
  afterEach(() => server.close());

  test('fetch: GET / is the fixed text, with a current Date', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('Hello, World!');
    const date = Date.parse(response.headers.get('date')!);
    expect(date).toBeGreaterThanOrEqual(before);
    expect(date).toBeLessThanOrEqual(Date.now());
  });

  test('fetch: POST /echo gives back 1 MiB of random bytes, sent whole or as a chunked stream', async () => {
    const body = randomBytes(1 << 20);
    const whole = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body });
    expect(Buffer.from(await whole.arrayBuffer()).equals(body)).toBe(true);
    const stream = new ReadableStream({
      start(controller) {
        for (let at = 0; at < body.length; at += 100_000) controller.enqueue(body.subarray(at, at + 100_000));
        controller.close();
      },
    });
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    const chunked = await fetch(`http://127.0.0.1:${port}/echo`, init);
    expect(Buffer.from(await chunked.arrayBuffer()).equals(body)).toBe(true);
  });

  test('fetch: a body past 1 MiB is 413, and 200 concurrent requests are all answered', async () => {
    const tooLarge = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      body: Buffer.alloc((1 << 20) + 1),
    });
    expect(tooLarge.status).toBe(413);
    const texts = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: `request ${i}` });
        return response.text();
      }),
    );
    expect(texts).toEqual(Array.from({ length: 200 }, (_, i) => `request ${i}`));
  });

  test('node:http: keep-alive serves 20 requests on one connection; 404 and 405 on the way', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const results = [];
      for (let i = 0; i < 20; i++) results.push(await get(agent, port, i === 5 ? '/missing' : i === 6 ? '/echo' : '/'));
      expect(results.map((r) => r.body)).toEqual(
        results.map((_, i) => (i === 5 ? 'not found\n' : i === 6 ? 'GET is not allowed here\n' : 'Hello, World!')),
      );
      expect(results.slice(1).every((r) => r.reused)).toBe(true);
      expect(server.stats.accepted).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  test('node:http: Expect: 100-continue gets 100 before the body is sent', async () => {
    const events: string[] = [];
    const body = await new Promise<string>((resolve, reject) => {
      const request = http.request({
        host: '127.0.0.1',
        port,
        path: '/echo',
        method: 'POST',
        headers: { Expect: '100-continue', 'Content-Length': 5 },
      });
      request.on('continue', () => {
        events.push('continue');
        request.end('later');
      });
      request.on('response', (response) => {
        events.push(`response ${response.statusCode}`);
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk));
        response.on('end', () => resolve(text));
      });
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(events).toEqual(['continue', 'response 200']);
    expect(body).toBe('later');
  });

  test('curl: GET, HTTP/1.0, HEAD, and a 3 MB upload (413) and a 1 MB one', async () => {
    const url = `http://127.0.0.1:${port}`;
    const head = (await curl(['-i', `${url}/`])).toString();
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nHello, World!$/);
    expect((await curl(['-i', '--http1.0', `${url}/`])).toString()).toMatch(/Connection: close\r\n/);
    expect((await curl(['-I', `${url}/plaintext`])).toString()).toMatch(/Content-Length: 13\r\n\r\n$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-test-'));
    try {
      const big = path.join(dir, 'big');
      fs.writeFileSync(big, randomBytes(3_000_000));
      expect(
        (await curl(['-o', '/dev/null', '-w', '%{http_code}', '--data-binary', `@${big}`, `${url}/echo`])).toString(),
      ).toBe('413');
      const payload = randomBytes(1_000_000);
      fs.writeFileSync(big, payload);
      const echoed = await curl(['--data-binary', `@${big}`, '-H', 'Content-Type: application/x-test', `${url}/echo`]);
      expect(echoed.equals(payload)).toBe(true);
      const chunked = await curl(['--data-binary', `@${big}`, '-H', 'Transfer-Encoding: chunked', `${url}/echo`]);
      expect(chunked.equals(payload)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('pipelining: 100 requests in one write get 100 responses, in order', async () => {
    const requests = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? GET() : POST(`body ${i}`)));
    const responses = await exchange(port, [requests.join('')], { halfClose: true });
    expect(responses.map((r) => r.body.toString())).toEqual(
      requests.map((_, i) => (i % 3 === 0 ? 'Hello, World!' : `body ${i}`)),
    );
  });

  test('a request sent one byte per turn of the event loop is answered as if sent whole', async () => {
    const text = `${POST('split everywhere')}${GET()}`;
    const responses = await exchange(port, [...text], { halfClose: true });
    expect(responses.map((r) => r.body.toString())).toEqual(['split everywhere', 'Hello, World!']);
  });

  test('5,000 pipelined requests from a client that reads only at the end: all answered', async () => {
    const responses = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      socket.pause();
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.end(GET().repeat(5000), () => setTimeout(() => socket.resume(), 50));
    });
    const split = splitResponses(responses);
    expect(split).toHaveLength(5000);
    expect(split.every((r) => r.status === 200 && r.body.toString() === 'Hello, World!')).toBe(true);
  });

  test('HTTP/1.0 closes after its response unless it asks for keep-alive', async () => {
    const [closing] = await exchange(port, ['GET / HTTP/1.0\r\n\r\n']);
    expect(closing.headers.connection).toBe('close');
    const kept = await exchange(port, ['GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET / HTTP/1.0\r\n\r\n']);
    expect(kept.map((r) => r.headers.connection)).toEqual(['keep-alive', 'close']);
  });

  test('Connection: close is answered and the connection closed; a request behind it is not served', async () => {
    const responses = await exchange(port, [`GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n${GET()}`]);
    expect(responses).toHaveLength(1);
    expect(responses[0].headers.connection).toBe('close');
  });

  // Refused requests: one response with the status, Connection: close, and the server closes
  // without waiting for the client; whatever was pipelined behind (a smuggled request) is never served.
  const SMUGGLED = GET('/smuggled');
  test.each([
    [
      'Content-Length and Transfer-Encoding',
      `POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      400,
    ],
    [
      'two Content-Lengths',
      `POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 41\r\n\r\n${SMUGGLED}`,
      400,
    ],
    ['a bare LF', `GET / HTTP/1.1\nHost: h\n\n${SMUGGLED}`, 400],
    ['obs-fold', `GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  b\r\n\r\n${SMUGGLED}`, 400],
    [
      'an invalid chunk size',
      `POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-0\r\n\r\n${SMUGGLED}`,
      400,
    ],
    [
      'a coding before chunked',
      `POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
      501,
    ],
    ['a head of 9 KiB', `GET / HTTP/1.1\r\nHost: h\r\nX: ${'x'.repeat(9 * 1024)}\r\n\r\n${SMUGGLED}`, 431],
    ['a body of 2 MiB announced', `POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: ${2 << 20}\r\n\r\n`, 413],
    ['HTTP/2.0', `GET / HTTP/2.0\r\nHost: h\r\n\r\n${SMUGGLED}`, 505],
    [
      'binary garbage',
      Buffer.from(randomBytes(64).map((b) => (b === 0x0a ? 0 : b))).toString('latin1') + '\r\n\r\n',
      400,
    ],
  ])('refused: %s', async (_, request, status) => {
    const responses = await exchange(port, [GET() + request]);
    expect(responses.map((r) => r.status)).toEqual([200, status]);
    expect(responses[1].headers.connection).toBe('close');
    await waitFor(() => server.stats.open === 0, 'the connection closed');
  });

  test('a client gone mid-request or mid-body leaves no connection behind', async () => {
    for (const partial of ['GET / HT', `POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc`]) {
      const socket = net.connect({ host: '127.0.0.1', port });
      await new Promise((resolve) => socket.on('connect', resolve));
      socket.write(partial);
      await waitFor(() => server.stats.bytesRead > 0, 'the server read the bytes');
      socket.destroy();
      await waitFor(() => server.stats.open === 0, 'the connection closed');
    }
  });

  // A connection the server closes: resolves once the server sent FIN or reset it.
  function closedByServer(socket: net.Socket): Promise<void> {
    return new Promise((resolve) => {
      socket.on('error', () => resolve());
      socket.on('end', () => resolve());
    });
  }

  test('idleTimeout: silent, slowloris and never-closing clients are dropped; a busy one is not', async () => {
    server.close();
    start({ idleTimeout: 300 });
    const connect = async (): Promise<net.Socket> => {
      const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      await new Promise((resolve) => socket.on('connect', resolve));
      // Flowing, so that 'end' comes as soon as the server's FIN does.
      return socket.resume();
    };
    const silent = await connect();
    // A head a byte every 50 ms, never finished: bytes, but no progress.
    const slow = await connect();
    const head = 'GET / HTTP/1.1\r\nHost: h\r\nX: ' + 'y'.repeat(1000);
    let sent = 0;
    const drip = setInterval(() => slow.writable && slow.write(head[sent++ % head.length]), 50);
    // Refused, and then never sends its own FIN.
    const refused = await connect();
    refused.write('GET / HTTP/1.1\nHost: h\n\n');
    // A request every 100 ms for a second: three times the timeout, always with progress.
    const busy = await connect();
    let answered = 0;
    const busyErrors: Error[] = [];
    busy.on('error', (error) => busyErrors.push(error));
    busy.on('data', (chunk: Buffer) => (answered += chunk.toString().split('Hello, World!').length - 1));
    const asking = setInterval(() => busy.write(GET()), 100);
    try {
      await Promise.all([closedByServer(silent), closedByServer(slow), closedByServer(refused)]);
      // The refused one is answered and half-closed at once; then the timeout closes it entirely.
      await waitFor(() => server.stats.open === 1, 'only the busy connection open');
      await waitFor(() => answered >= 10, 'ten answers on the busy connection');
      expect(busy.readyState).toBe('open');
      expect(busyErrors).toEqual([]);
      expect(server.stats.open).toBe(1);
    } finally {
      clearInterval(drip);
      clearInterval(asking);
      for (const socket of [silent, slow, refused, busy]) socket.destroy();
    }
  });

  test('a bad limit fails the start, with nothing left listening', () => {
    for (const bad of [{ maxHeaders: 0 }, { idleTimeout: -1 }, { idleTimeout: 0.5 }]) {
      expect(() => new HttpServer({ port: 0, dispatch, ...bad })).toThrow(
        expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
      );
    }
  });

  test('limits are options: a smaller head limit refuses what the default takes', async () => {
    server.close();
    start({ maxHeadBytes: 64, maxBodyBytes: 4 });
    const responses = await exchange(port, [`GET / HTTP/1.1\r\nHost: h\r\nX: ${'y'.repeat(60)}\r\n\r\n`]);
    expect(responses.map((r) => r.status)).toEqual([431]);
    expect((await exchange(port, [POST('12345')])).map((r) => r.status)).toEqual([413]);
  });
});
