// examples/http's request parser: what it accepts, what it refuses and with which status, and that
// a refused connection parses nothing more.
import { RequestParser } from '../../examples/http/parser';
import { REFUSED } from '../support/http-cases';
import { parseInPieces, raw, requestEvent, type ParseEvent } from '../support/http-parse';

const HOST: [string, string] = ['host', 'example.test'];

function parse(text: string, limits?: Parameters<typeof parseInPieces>[2]): ParseEvent[] {
  return parseInPieces(raw(text), [], limits);
}

function errorOf(text: string, limits?: Parameters<typeof parseInPieces>[2]): { status: number; message: string } {
  const events = parse(text, limits);
  const last = events[events.length - 1];
  if (last?.type !== 'error') throw new Error(`no error: ${JSON.stringify(events)}`);
  return { status: last.status, message: last.message };
}

describe('HTTP request parser: requests it accepts', () => {
  test('a GET: method, target, version, fields in order with names lowercased, no body', () => {
    expect(parse('GET /a?b=1 HTTP/1.1\r\nHost: example.test\r\nX-Two:  spaced value \t\r\n\r\n')).toEqual([
      requestEvent({ target: '/a?b=1', headers: [HOST, ['x-two', 'spaced value']] }),
    ]);
  });

  test('an empty field value, and obs-text (0x80-0xff) in a value', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: example.test\r\nEmpty:\r\nLatin: caf\xe9\r\n\r\n')).toEqual([
      requestEvent({ headers: [HOST, ['empty', ''], ['latin', 'caf\xe9']] }),
    ]);
  });

  test('pipelined requests in one read come out in order', () => {
    const one = 'GET /1 HTTP/1.1\r\nHost: example.test\r\n\r\n';
    const two = 'POST /2 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 3\r\n\r\nabc';
    const three = 'PUT /3 HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n';
    expect(parse(one + two + three)).toEqual([
      requestEvent({ target: '/1', headers: [HOST] }),
      requestEvent({ method: 'POST', target: '/2', headers: [HOST, ['content-length', '3']], body: 'abc' }),
      requestEvent({ method: 'PUT', target: '/3', headers: [HOST, ['transfer-encoding', 'chunked']], body: 'xy' }),
    ]);
  });

  test('a chunked body with extensions, upper-case hex, leading zeros and trailer fields', () => {
    const body = '5;name=value;x\r\nhello\r\n00A ; ext\r\n0123456789\r\n0\r\nTrailer-One: 1\r\nT2:two\r\n\r\n';
    const [event] = parse(`POST /echo HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: Chunked\r\n\r\n${body}`);
    expect(event).toMatchObject({ type: 'request', body: 'hello0123456789' });
  });

  test('a method other than the usual ones is kept as sent, case and all', () => {
    expect(parse('PROPFIND * HTTP/1.1\r\nHost: h\r\n\r\nget / HTTP/1.1\r\nHost: h\r\n\r\n')).toMatchObject([
      { method: 'PROPFIND', target: '*' },
      { method: 'get', target: '/' },
    ]);
  });

  test('HTTP/1.0: no Host needed, closes by default, stays open when it asks for keep-alive', () => {
    expect(parse('GET / HTTP/1.0\r\n\r\n')).toEqual([requestEvent({ minor: 0, keepAlive: false, headers: [] })]);
    expect(parse('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n')).toMatchObject([
      { minor: 0, keepAlive: true },
      { minor: 0, keepAlive: false, target: '/2' },
    ]);
  });

  test('a later HTTP/1.x is read as HTTP/1.1', () => {
    expect(parse('GET / HTTP/1.7\r\nHost: h\r\n\r\n')).toMatchObject([{ minor: 1, keepAlive: true }]);
  });

  test.each([
    ['close', false],
    ['CLOSE', false],
    ['keep-alive, close', false],
    ['Upgrade ,  close ', false],
    ['keep-alive', true],
    ['closed, x-close', true],
  ])('Connection: %s keeps the connection open: %s', (value, open) => {
    expect(parse(`GET / HTTP/1.1\r\nHost: h\r\nConnection: ${value}\r\n\r\n`)).toMatchObject([{ keepAlive: open }]);
  });

  test('Connection: close ends the parse: a request pipelined behind it is not served, and all is consumed', () => {
    const events: string[] = [];
    const parser = new RequestParser({
      request: (r) => events.push(r.target),
      continue: () => events.push('continue'),
      error: (e) => events.push(`error ${e.status}`),
    });
    const input = raw('GET /1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(parser.execute(input, 0, input.length)).toBe(input.length);
    expect(parser.stopped).toBe(true);
    expect(parser.execute(input, 0, input.length)).toBe(input.length);
    expect(events).toEqual(['/1']);
  });

  test('empty lines before a request line are skipped', () => {
    expect(parse('\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n')).toMatchObject([{ type: 'request', target: '/' }]);
  });

  test('Expect: 100-continue asks for the interim response before the body, once per request', () => {
    const head = 'POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n';
    expect(parse(`${head}ok${head}ok`).map((e) => e.type)).toEqual(['continue', 'request', 'continue', 'request']);
    // Without a body to wait for, or from an HTTP/1.0 client, there is nothing to continue.
    expect(parse('GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n').map((e) => e.type)).toEqual(['request']);
    expect(parse('POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx')[0].type).toBe('request');
  });

  test('a handler may stop the parser mid-pipeline: nothing after that request is delivered', () => {
    const targets: string[] = [];
    const parser: RequestParser = new RequestParser({
      request: (r) => {
        targets.push(r.target);
        if (r.target === '/2') parser.stop();
      },
      continue: () => {},
      error: () => targets.push('error'),
    });
    const input = raw([1, 2, 3].map((n) => `GET /${n} HTTP/1.1\r\nHost: h\r\n\r\n`).join(''));
    expect(parser.execute(input, 0, input.length)).toBe(input.length);
    expect(targets).toEqual(['/1', '/2']);
  });

  test('header() finds the first field by name in any case; the request is reused between callbacks', () => {
    const seen: (string | undefined)[] = [];
    const objects = new Set<object>();
    const parser = new RequestParser({
      request: (r) => {
        objects.add(r);
        seen.push(r.header('x-id'), r.header('content-type'), r.header('missing'));
      },
      continue: () => {},
      error: () => seen.push('error'),
    });
    const input = raw(
      'GET / HTTP/1.1\r\nHost: h\r\nX-ID: first\r\nx-id: second\r\n\r\n' +
        'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: text/x\r\nContent-Length: 0\r\n\r\n',
    );
    parser.execute(input, 0, input.length);
    expect(seen).toEqual(['first', undefined, undefined, undefined, 'text/x', undefined]);
    expect(objects.size).toBe(1);
  });

  test('a head exactly as long as the limit is accepted; one byte more is 431', () => {
    const base = 'GET / HTTP/1.1\r\nHost: h\r\nX: \r\n\r\n';
    const exact = base.replace('X: ', `X: ${'a'.repeat(1024 - base.length)}`);
    expect(exact.length).toBe(1024);
    expect(parse(exact, { maxHeadBytes: 1024 })).toMatchObject([{ type: 'request' }]);
    expect(errorOf(exact.replace('X: ', 'X: a'), { maxHeadBytes: 1024 }).status).toBe(431);
  });

  test('a body exactly at the limit is accepted, by length or chunked; one byte more is 413', () => {
    const limits = { maxBodyBytes: 4096 };
    const full = 'b'.repeat(4096);
    const byLength = (n: number): string => `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${n}\r\n\r\n`;
    expect(parse(byLength(4096) + full, limits)[0]).toMatchObject({ body: full });
    expect(errorOf(byLength(4097), limits).status).toBe(413);
    const chunked = (sizes: number[]): string =>
      'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' +
      sizes.map((n) => `${n.toString(16)}\r\n${'b'.repeat(n)}\r\n`).join('') +
      '0\r\n\r\n';
    expect(parse(chunked([4000, 96]), limits)[0]).toMatchObject({ body: full });
    expect(errorOf(chunked([4000, 97]), limits)).toEqual({ status: 413, message: 'body too large' });
  });

  test('a request of the full default body size, 1 MiB, gathered over many reads', () => {
    const body = Buffer.alloc(1 << 20, 'z').toString('latin1');
    const input = raw(`POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${1 << 20}\r\n\r\n${body}`);
    const cuts = Array.from({ length: 64 }, (_, i) => 10 + i * 16411);
    expect(parseInPieces(input, cuts)).toEqual([
      requestEvent({
        method: 'POST',
        headers: [
          ['host', 'h'],
          ['content-length', String(1 << 20)],
        ],
        body,
      }),
    ]);
  });
});

describe('HTTP request parser: limits', () => {
  test.each([
    ['maxHeadBytes', 15],
    ['maxHeadBytes', (1 << 20) + 1],
    ['maxHeaders', 0],
    ['maxHeaders', 10_001],
    ['maxBodyBytes', -1],
    ['maxBodyBytes', 2 ** 31],
    ['maxBodyBytes', 1.5],
    ['maxHeaders', NaN],
    ['maxHeadBytes', '1024'],
  ])('%s %p is a RangeError with a code, before any byte is parsed', (name, value) => {
    const make = (): RequestParser =>
      new RequestParser({ request() {}, continue() {}, error() {} }, { [name]: value as number });
    expect(make).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    expect(make).toThrow(new RegExp(`options\\.${name}`));
  });

  test('maxBodyBytes 0 refuses any body, and takes requests without one', () => {
    const events = parseInPieces(
      raw('GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx'),
      [],
      { maxBodyBytes: 0 },
    );
    expect(events.map((e) => (e.type === 'error' ? e.status : e.type))).toEqual(['request', 413]);
  });
});

describe('HTTP request parser: requests it refuses', () => {
  test.each(REFUSED)('%s', (_, input, status, message) => {
    expect(errorOf(input)).toEqual({ status, message });
  });

  test('a request pipelined behind a refused one is never served, nor one before it refused again', () => {
    const events = parse(
      'GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /bad HTTP/1.1\r\nHost : h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n',
    );
    expect(events.map((e) => (e.type === 'request' ? e.target : e.type))).toEqual(['/ok', 'error']);
  });

  test('a head larger than the limit is 431 before its end has arrived', () => {
    expect(errorOf(`GET /${'a'.repeat(9000)}`)).toEqual({ status: 431, message: 'request head too large' });
    expect(errorOf(`GET / HTTP/1.1\r\nHost: h\r\n${'X: y\r\n'.repeat(2000)}`).status).toBe(431);
  });

  test('more header fields than the limit is 431; the limit itself is accepted', () => {
    const fields = (n: number): string => `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(n - 1)}Host: h\r\n\r\n`;
    expect(parse(fields(100))).toMatchObject([{ type: 'request' }]);
    expect(errorOf(fields(101))).toEqual({ status: 431, message: 'too many header fields' });
  });

  test('a refused parser consumes whatever else it is given and calls nothing', () => {
    let calls = 0;
    const parser = new RequestParser({ request: () => calls++, continue: () => calls++, error: () => calls++ });
    const bad = raw('GET / HTTP/1.1\r\nHost: h\n\r\n');
    expect(parser.execute(bad, 0, bad.length)).toBe(bad.length);
    const good = raw('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(parser.execute(good, 0, good.length)).toBe(good.length);
    expect(calls).toBe(1);
  });
});
