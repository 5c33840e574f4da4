// IPv6 text forms: linux-epoll formats addresses as Node's own net.SocketAddress does, and parses
// every form Node accepts back to the same bytes.
import * as net from 'node:net';

import { formatIPv6, parseHost } from '../lib/socket-address';

// Random addresses with plenty of zero groups, where the compression rules matter.
function randomAddress(): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let group = 0; group < 8; group++) {
    if (Math.random() < 0.5) continue;
    const value = Math.random() < 0.2 ? 0xffff : Math.floor(Math.random() * 0x10000);
    bytes[group * 2] = value >> 8;
    bytes[group * 2 + 1] = value & 0xff;
  }
  return bytes;
}

function nodeForm(address: string): string {
  return new net.SocketAddress({ address, family: 'ipv6' }).address;
}

describe('IPv6 addresses', () => {
  test.each(['::', '::1', '1::', '2001:db8::1:0:0:1', '1:0:0:2::3', 'fe80::1', '::ffff:1.2.3.4', '::1.2.3.4', '0:0:1::'])(
    '%s formats as Node formats it and parses back',
    (text) => {
      const { bytes } = parseHost(text, 'host');
      expect(formatIPv6(bytes)).toBe(nodeForm(text));
    },
  );

  test('2,000 random addresses: the same text as Node, and the same bytes back', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomAddress();
      const text = formatIPv6(bytes);
      expect(nodeForm(text)).toBe(text);
      expect(parseHost(text, 'host').bytes).toEqual(bytes);
    }
  });

  test('a numeric scope is the scope id; the uncompressed form parses too', () => {
    expect(parseHost('fe80::1%3', 'host').scopeId).toBe(3);
    expect(parseHost('0:0:0:0:0:0:0:1', 'host').bytes).toEqual(parseHost('::1', 'host').bytes);
    expect(parseHost('10.1.2.3', 'host').bytes).toEqual(new Uint8Array([10, 1, 2, 3]));
  });
});
