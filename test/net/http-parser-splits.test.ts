// examples/http's parser must answer the same whatever the reads: a request cut at any byte, or
// into any number of pieces, gives the same requests and the same refusal as in one read. And no
// input, however mangled, may throw or be answered with anything but a request or a refusal.
import fc from 'fast-check';

import { REFUSED } from '../support/http-cases';
import { parseInPieces, raw, type ParseEvent } from '../support/http-parse';

const ACCEPTED: string[] = [
  'GET / HTTP/1.1\r\nHost: h\r\n\r\n',
  '\r\nGET /a?b HTTP/1.1\r\nHost: h\r\nX-A:  b c \r\n\r\nHEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world' +
    'PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0A\r\n0123456789\r\n0\r\nT: v\r\n\r\n' +
    'GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n',
];

// Every cut of input at one byte, and into single bytes, against the same input in one piece.
function expectSplitInvariant(input: Buffer): ParseEvent[] {
  const whole = parseInPieces(input);
  const stride = input.length > 1500 ? 97 : 1;
  for (let cut = 1; cut < input.length; cut += stride) {
    const events = parseInPieces(input, [cut]);
    if (JSON.stringify(events) !== JSON.stringify(whole)) expect({ cut, events }).toEqual({ cut, events: whole });
  }
  expect(
    parseInPieces(
      input,
      Array.from({ length: input.length }, (_, i) => i),
    ),
  ).toEqual(whole);
  return whole;
}

describe('HTTP request parser: every byte boundary', () => {
  test.each(ACCEPTED.map((text, i) => [i, text]))('accepted stream %i', (_, text) => {
    const events = expectSplitInvariant(raw(text));
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'error')).toBe(false);
  });

  test.each(REFUSED)('refused: %s', (_, text, status, message) => {
    expect(expectSplitInvariant(raw(text)).at(-1)).toEqual({ type: 'error', status, message });
  });
});

// Names that decide framing or persistence are drawn by the tests on purpose, never at random.
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'expect']);
const fieldName = fc
  .stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/)
  .filter((name) => !FRAMING.has(name.toLowerCase()));
// A field value as the parser returns it: no whitespace at either end; obs-text included.
const fieldValue = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff\t]{0,30}[\x21-\x7e\x80-\xff])?$/),
);

interface Spec {
  method: string;
  target: string;
  minor: number;
  fields: [string, string][];
  body: string;
  framing: 'length' | 'chunked';
  chunkCuts: number[];
  padding: string;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'M-SEARCH'),
  target: fc.stringMatching(/^\/[\x21-\x7e]{0,24}$/),
  minor: fc.constantFrom(0, 1),
  fields: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  framing: fc.constantFrom('length' as const, 'chunked' as const),
  chunkCuts: fc.array(fc.nat(400), { maxLength: 6 }),
  padding: fc.constantFrom('', ' ', '\t ', '  '),
});

function serialize(request: Spec): { text: string; event: ParseEvent } {
  const chunked = request.framing === 'chunked' && request.minor === 1;
  const framing: [string, string] = chunked
    ? ['Transfer-Encoding', 'chunked']
    : ['Content-Length', String(request.body.length)];
  // HTTP/1.0 asks to stay open, so that the requests after it are parsed too.
  const persistence: [string, string][] = request.minor === 0 ? [['Connection', 'keep-alive']] : [];
  const fields: [string, string][] = [['Host', 'h'], ...request.fields, framing, ...persistence];
  const head =
    `${request.method} ${request.target} HTTP/1.${request.minor}\r\n` +
    fields.map(([name, value]) => `${name}:${request.padding}${value}${request.padding}\r\n`).join('') +
    '\r\n';
  let body = request.body;
  if (chunked) {
    const cuts = [...new Set([0, ...request.chunkCuts.filter((c) => c < body.length), body.length])].sort(
      (a, b) => a - b,
    );
    body = cuts
      .slice(1)
      .map((end, i) => `${(end - cuts[i]).toString(16)};n=${i}\r\n${request.body.slice(cuts[i], end)}\r\n`)
      .join('');
    body += '0\r\n\r\n';
  }
  const event: ParseEvent = {
    type: 'request',
    method: request.method,
    target: request.target,
    minor: request.minor,
    keepAlive: true,
    headers: fields.map(([name, value]) => [name.toLowerCase(), value]),
    body: request.body,
  };
  return { text: head + body, event };
}

const stream = fc.array(spec, { minLength: 1, maxLength: 5 }).map((specs) => specs.map(serialize));

describe('HTTP request parser: generated requests', () => {
  test('any pipeline of valid requests, cut anywhere, parses to exactly those requests', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(4000), { maxLength: 20 }), (requests, cuts) => {
        const input = raw(requests.map((r) => r.text).join(''));
        expect(parseInPieces(input, cuts)).toEqual(requests.map((r) => r.event));
      }),
      { numRuns: 400, seed: 0x4854 },
    );
  });

  test('one generated pipeline at every byte boundary', () => {
    const [requests] = fc.sample(stream, { numRuns: 1, seed: 7 });
    expect(expectSplitInvariant(raw(requests.map((r) => r.text).join('')))).toEqual(requests.map((r) => r.event));
  });

  // Flips, insertions and deletions of bytes in valid pipelines, with bytes that matter to framing.
  const edit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('replace', 'insert', 'delete'),
    byte: fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x3b, 0x2c, 0x00, 0x30, 0x66, 0x7f), fc.nat(255)),
  });

  test('mangled requests: never a throw, the same answer however cut, at most one refusal and last', () => {
    fc.assert(
      fc.property(
        stream,
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(4000)),
        (requests, edits, cuts) => {
          const bytes = [...raw(requests.map((r) => r.text).join(''))];
          for (const { at, kind, byte } of edits) {
            const i = at % (bytes.length + 1);
            if (kind === 'insert') bytes.splice(i, 0, byte);
            else if (i < bytes.length) bytes.splice(i, 1, ...(kind === 'replace' ? [byte] : []));
          }
          const input = Buffer.from(bytes);
          const whole = parseInPieces(input);
          expect(parseInPieces(input, cuts)).toEqual(whole);
          const errors = whole.filter((e) => e.type === 'error');
          expect(errors.length).toBeLessThanOrEqual(1);
          if (errors.length === 1) {
            expect(whole.at(-1)).toBe(errors[0]);
            expect([400, 413, 431, 501, 505]).toContain((errors[0] as { status: number }).status);
          }
        },
      ),
      { numRuns: 1500, seed: 0x5eed },
    );
  });
});
