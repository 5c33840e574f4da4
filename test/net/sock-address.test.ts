// IPv6 text forms: linux-epoll formats addresses as Node's own net.SocketAddress does, and parses
// every form Node accepts back to the same bytes.
import * as net from 'node:net';

import fc from 'fast-check';

import { formatIPv6, parseHost } from '../../lib/net/socket-address';

// Addresses with plenty of zero groups, where the compression rules matter.
const groupValue = fc.oneof(
  { weight: 5, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant(0xffff) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
);
const ipv6Bytes = fc.array(groupValue, { minLength: 8, maxLength: 8 }).map((groups) => {
  const bytes = new Uint8Array(16);
  groups.forEach((value, group) => {
    bytes[group * 2] = value >> 8;
    bytes[group * 2 + 1] = value & 0xff;
  });
  return bytes;
});

function nodeForm(address: string): string {
  return new net.SocketAddress({ address, family: 'ipv6' }).address;
}

describe('IPv6 addresses', () => {
  test.each([
    '::',
    '::1',
    '1::',
    '2001:db8::1:0:0:1',
    '1:0:0:2::3',
    'fe80::1',
    '::ffff:1.2.3.4',
    '::1.2.3.4',
    '0:0:1::',
  ])('%s formats as Node formats it and parses back', (text) => {
    const { bytes } = parseHost(text, 'host');
    expect(formatIPv6(bytes)).toBe(nodeForm(text));
  });

  test('2,000 generated addresses: the same text as Node, and the same bytes back', () => {
    fc.assert(
      fc.property(ipv6Bytes, (bytes) => {
        const text = formatIPv6(bytes);
        expect(nodeForm(text)).toBe(text);
        expect(parseHost(text, 'host').bytes).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  test('a numeric scope is the scope id; the uncompressed form parses too', () => {
    expect(parseHost('fe80::1%3', 'host').scopeId).toBe(3);
    expect(parseHost('0:0:0:0:0:0:0:1', 'host').bytes).toEqual(parseHost('::1', 'host').bytes);
    expect(parseHost('10.1.2.3', 'host').bytes).toEqual(new Uint8Array([10, 1, 2, 3]));
  });
});
