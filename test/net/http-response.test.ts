// examples/http's responses: the bytes of each, the Date cached per second, and the routes.
import { HttpDate } from '../../examples/http/date';
import { HttpError } from '../../examples/http/errors';
import { RequestParser } from '../../examples/http/parser';
import { CONTINUE, encodeResponse, persistence } from '../../examples/http/response';
import { Router } from '../../examples/http/router';
import { raw } from '../support/http-parse';

const DATE = 'Wed, 02 Dec 2026 02:28:11 GMT';

describe('HTTP Date header', () => {
  test('an IMF-fixdate, formatted again when the next second starts, until closed', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 2, 2, 28, 11, 5) });
    try {
      const date = new HttpDate();
      expect(date.value).toBe(DATE);
      jest.advanceTimersByTime(994);
      expect(date.value).toBe(DATE);
      jest.advanceTimersByTime(1);
      expect(date.value).toBe('Wed, 02 Dec 2026 02:28:12 GMT');
      jest.advanceTimersByTime(60_000);
      expect(date.value).toBe('Wed, 02 Dec 2026 02:29:12 GMT');
      date.close();
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(5000);
      expect(date.value).toBe('Wed, 02 Dec 2026 02:29:12 GMT');
    } finally {
      jest.useRealTimers();
    }
  });

  test('a clock of its own is read when the timer fires', () => {
    let now = Date.UTC(2030, 0, 1, 0, 0, 0, 500);
    jest.useFakeTimers();
    try {
      const date = new HttpDate(() => now);
      expect(date.value).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
      now += 500;
      jest.advanceTimersByTime(500);
      expect(date.value).toBe('Tue, 01 Jan 2030 00:00:01 GMT');
      date.close();
    } finally {
      jest.useRealTimers();
    }
  });

  test('by default, the real clock', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const date = new HttpDate();
    const shown = Date.parse(date.value);
    date.close();
    expect(shown).toBeGreaterThanOrEqual(before);
    expect(shown).toBeLessThanOrEqual(Date.now());
  });
});

describe('HTTP response encoding', () => {
  test('status line, Date, Content-Type, Content-Length, extra headers, body', () => {
    const bytes = encodeResponse(
      { status: 405, contentType: 'text/plain', headers: 'Allow: GET\r\n', body: Buffer.from('no\n') },
      'default',
      DATE,
    );
    expect(bytes.toString('latin1')).toBe(
      `HTTP/1.1 405 Method Not Allowed\r\nDate: ${DATE}\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nAllow: GET\r\n\r\nno\n`,
    );
  });

  test('a HEAD reply gives the length of the body it leaves out; no body is Content-Length: 0', () => {
    const head = encodeResponse({ status: 200, body: Buffer.from('12345'), headOnly: true }, 'close', DATE);
    expect(head.toString()).toBe(`HTTP/1.1 200 OK\r\nDate: ${DATE}\r\nContent-Length: 5\r\nConnection: close\r\n\r\n`);
    expect(encodeResponse({ status: 200 }, 'keep-alive', DATE).toString()).toBe(
      `HTTP/1.1 200 OK\r\nDate: ${DATE}\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n`,
    );
  });

  test('binary bodies go out byte for byte', () => {
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bytes = encodeResponse({ status: 200, body }, 'default', DATE);
    expect(bytes.subarray(bytes.length - 256).equals(body)).toBe(true);
  });

  test.each([
    [true, 1, 'default'],
    [true, 0, 'keep-alive'],
    [false, 1, 'close'],
    [false, 0, 'close'],
  ] as const)('keepAlive %s on HTTP/1.%i: Connection %s', (keepAlive, minor, expected) => {
    expect(persistence(keepAlive, minor)).toBe(expected);
  });

  test('100 Continue', () => {
    expect(CONTINUE.toString()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
  });
});

describe('HTTP router', () => {
  const date = { value: DATE };
  const router = new Router(date);

  // The responses to a pipeline of requests, as text.
  function respond(text: string): string[] {
    const responses: string[] = [];
    const parser = new RequestParser({
      request: (r) => responses.push(router.respond(r).toString('latin1')),
      continue: () => responses.push('continue'),
      error: (e) => responses.push(router.refuse(e).toString('latin1')),
    });
    const input = raw(text);
    parser.execute(input, 0, input.length);
    return responses;
  }

  const HELLO = `HTTP/1.1 200 OK\r\nDate: ${DATE}\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!`;

  test('GET / and /plaintext (with a query) answer the fixed text', () => {
    expect(respond('GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /plaintext?x=1 HTTP/1.1\r\nHost: h\r\n\r\n')).toEqual([
      HELLO,
      HELLO,
    ]);
  });

  test('the fixed text is encoded again when the second changes, and never changed in place', () => {
    const parser = new RequestParser({ request: (r) => seen.push(router.respond(r)), continue() {}, error() {} });
    const seen: Buffer[] = [];
    const input = raw('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    parser.execute(input, 0, input.length);
    parser.execute(input, 0, input.length);
    date.value = DATE.replace('02:28:11', '02:28:12');
    parser.execute(input, 0, input.length);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[0].toString()).toBe(HELLO);
    expect(seen[2].toString()).toBe(HELLO.replace('02:28:11', '02:28:12'));
    date.value = DATE;
  });

  test('HEAD, HTTP/1.0 and Connection: close get the same text with their own headers', () => {
    const [head, old, closing] = respond(
      'HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    expect(head).toBe(HELLO.replace('Hello, World!', ''));
    expect(old).toBe(HELLO.replace('\r\n\r\n', '\r\nConnection: keep-alive\r\n\r\n'));
    expect(closing).toBe(HELLO.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
  });

  test('POST /echo answers the body with its Content-Type; without one, octet-stream', () => {
    const [typed, untyped] = respond(
      'POST /echo HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}' +
        'PUT /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n\x00\xff\r\n0\r\n\r\n',
    );
    expect(typed).toBe(
      `HTTP/1.1 200 OK\r\nDate: ${DATE}\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}`,
    );
    expect(untyped).toBe(
      `HTTP/1.1 200 OK\r\nDate: ${DATE}\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\n\x00\xff`,
    );
  });

  test('an unknown path is 404; a known one with another method is 405 with Allow', () => {
    const [missing, wrong, echoGet] = respond(
      'GET /nope HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\nGET /echo HTTP/1.1\r\nHost: h\r\n\r\n',
    );
    expect(missing).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[^]*\r\n\r\nnot found\n$/);
    expect(wrong).toMatch(
      /^HTTP\/1\.1 405 Method Not Allowed\r\n[^]*Allow: GET, HEAD\r\n\r\nPOST is not allowed here\n$/,
    );
    expect(echoGet).toMatch(/Allow: POST, PUT\r\n/);
  });

  test('a refused request is answered with its status and reason, and Connection: close', () => {
    expect(respond('GET / HTTP/1.1\r\nHost : h\r\n\r\n')).toEqual([
      `HTTP/1.1 400 Bad Request\r\nDate: ${DATE}\r\nContent-Type: text/plain\r\nContent-Length: 23\r\nConnection: close\r\n\r\nmalformed header field\n`,
    ]);
    for (const status of [413, 431, 501, 505]) {
      expect(router.refuse(new HttpError(status, 'x')).toString()).toMatch(
        new RegExp(`^HTTP/1\\.1 ${status} (?!Unknown)[A-Z]`),
      );
    }
  });
});
