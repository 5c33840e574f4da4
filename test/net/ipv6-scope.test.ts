// parseIPv6 read 'fe80::1%2%3' as scope 2, ignoring the rest (issue 11, item 12). The zone is now
// all that follows the first '%': Node's net.isIPv6 decides whether the text is an address at all,
// and linux-epoll, which resolves no interface names, then requires a numeric index.
import * as net from 'node:net';

import { sock } from '../../lib';
import { parseHost } from '../../lib/net/socket-address';
import { errorFrom } from '../support/thrown';

const NOT_AN_ADDRESS = /must be a literal IPv4 or IPv6 address/;
const NOT_NUMERIC = /must give an IPv6 scope as a numeric interface index/;

describe('IPv6 scopes', () => {
  test.each([
    ['fe80::1%2%3', NOT_AN_ADDRESS],
    ['fe80::1%', NOT_AN_ADDRESS],
    ['fe80::1%%', NOT_AN_ADDRESS],
    ['fe80::1%%2', NOT_AN_ADDRESS],
    ['%', NOT_AN_ADDRESS],
    ['%2', NOT_AN_ADDRESS],
    ['fe80::1% 2', NOT_AN_ADDRESS],
    ['fe80::1%+2', NOT_AN_ADDRESS],
    ['1.2.3.4%1', NOT_AN_ADDRESS],
    ['fe80::1%eth0', NOT_NUMERIC],
    ['fe80::1%2a', NOT_NUMERIC],
    ['fe80::1%0x2', NOT_NUMERIC],
    ['fe80::1%-1', NOT_NUMERIC],
    ['fe80::1%1e3', NOT_NUMERIC],
    ['fe80::1%2.5', NOT_NUMERIC],
    ['fe80::1%2:3', NOT_NUMERIC],
    ['fe80::1%4294967296', NOT_NUMERIC],
  ])("a malformed scope is refused as Node refuses it ('fe80::1%2%3' was read as scope 2): %p", (host, message) => {
    // What Node refuses outright, linux-epoll refuses as no address; the rest Node takes as names.
    expect(net.isIPv6(host)).toBe(message === NOT_NUMERIC);
    const error = errorFrom(() => parseHost(host, 'host'));
    expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    expect(error.message).toMatch(message);
    expect(errorFrom(() => sock.connectTo({ address: host, port: 9 }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });

  test.each([
    ['fe80::1%2', 2],
    ['fe80::1%02', 2],
    ['fe80::1%0', 0],
    ['fe80::1%4294967295', 4294967295],
    ['::ffff:1.2.3.4%7', 7],
    ['fe80::1', 0],
  ])('a numeric scope still parses: %p is scope %p', (host, scopeId) => {
    expect(net.isIPv6(host)).toBe(true);
    expect(parseHost(host, 'host')).toMatchObject({ scopeId, bytes: parseHost(host.split('%')[0], 'host').bytes });
  });
});
