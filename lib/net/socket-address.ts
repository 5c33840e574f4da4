// Socket addresses as users write them ('::1', port 7000, '/run/app.sock', '\0abstract') and as
// the native binding carries them: (family, bytes, port, scopeId) going in, an address record
// coming out. Only literal IP addresses: resolving names would block.
import * as net from 'node:net';

import { binding } from '../core/binding';
import { invalidArgType, invalidArgValue } from '../core/errors';
import { validateInteger, validateObject } from '../core/validate';

const { AF_INET, AF_INET6, AF_UNIX, ADDRESS_RECORD_SIZE, ADDRESS_RECORD_BYTES, UNIX_PATH_MAX } = binding.sock.constants;

export interface InetSocketAddress {
  family: 'IPv4' | 'IPv6';
  /** A literal IP address: '127.0.0.1', '::1', 'fe80::1%2' (numeric scope only). */
  address: string;
  port: number;
  /** IPv6 only: the interface index of a link-local address. */
  scopeId?: number;
}

export interface UnixSocketAddress {
  family: 'unix';
  /** A filesystem path, or a name in the abstract namespace when it starts with '\0'. '' if unnamed. */
  path: string;
}

export type SocketAddress = InetSocketAddress | UnixSocketAddress;

/** What calls take: an address as they return it, or without the family, which the IP literal tells. */
export type SocketAddressInput = SocketAddress | Omit<InetSocketAddress, 'family'>;

/** A validated address in the form the native binding packs into a sockaddr. */
export interface NativeAddress {
  family: number;
  bytes: Uint8Array;
  port: number;
  scopeId: number;
}

function badHost(name: string, host: unknown): TypeError {
  return invalidArgValue(TypeError, name, host, 'must be a literal IPv4 or IPv6 address (names are not resolved)');
}

function parseIPv4(host: string, into: Uint8Array, at: number): void {
  host.split('.').forEach((part, i) => (into[at + i] = Number(part)));
}

// The zone is everything after the first '%': 'fe80::1%2%3' has the zone '2%3', which is refused,
// not read as scope 2.
function parseIPv6(host: string, name: string): { bytes: Uint8Array; scopeId: number } {
  const percent = host.indexOf('%');
  const literal = percent < 0 ? host : host.slice(0, percent);
  const zone = percent < 0 ? undefined : host.slice(percent + 1);
  let scopeId = 0;
  if (zone !== undefined) {
    if (!/^\d+$/.test(zone) || Number(zone) > 0xffffffff) {
      throw invalidArgValue(TypeError, name, host, 'must give an IPv6 scope as a numeric interface index');
    }
    scopeId = Number(zone);
  }
  const bytes = new Uint8Array(16);
  const groups = literal.includes('.') ? dottedTailAsGroups(literal) : literal;
  const [head, tail] = groups.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  headGroups.forEach((group, i) => writeGroup(bytes, i * 2, group));
  tailGroups.forEach((group, i) => writeGroup(bytes, 16 - (tailGroups.length - i) * 2, group));
  return { bytes, scopeId };
}

// '::ffff:1.2.3.4' is '::ffff:102:304'.
function dottedTailAsGroups(literal: string): string {
  const lastColon = literal.lastIndexOf(':');
  const [a, b, c, d] = literal
    .slice(lastColon + 1)
    .split('.')
    .map(Number);
  return `${literal.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function writeGroup(bytes: Uint8Array, at: number, group: string): void {
  const value = parseInt(group, 16);
  bytes[at] = value >> 8;
  bytes[at + 1] = value & 0xff;
}

/** The family and bytes of a literal IP address; a TypeError for anything else. */
export function parseHost(host: unknown, name: string): { family: number; bytes: Uint8Array; scopeId: number } {
  if (typeof host !== 'string') throw invalidArgType(name, 'of type string', host);
  // Node's own reading of the text, zone included: it refuses an empty zone, or a second '%'.
  const version = net.isIP(host);
  if (version === 4) {
    const bytes = new Uint8Array(4);
    parseIPv4(host, bytes, 0);
    return { family: AF_INET, bytes, scopeId: 0 };
  }
  if (version === 6) return { family: AF_INET6, ...parseIPv6(host, name) };
  throw badHost(name, host);
}

export function validatePort(port: unknown, name: string): number {
  return validateInteger(port, name, 0, 65535);
}

/** The bytes of a Unix socket path: a filesystem path, or an abstract name after a leading '\0'. */
export function parseUnixPath(path: unknown, name: string): Uint8Array {
  if (typeof path !== 'string') throw invalidArgType(name, 'of type string', path);
  const bytes = new Uint8Array(Buffer.from(path, 'utf8'));
  const abstract = bytes[0] === 0;
  // A filesystem path needs room for its terminating NUL; an abstract name does not.
  const max = abstract ? UNIX_PATH_MAX : UNIX_PATH_MAX - 1;
  if (bytes.length === 0 || bytes.length > max || (!abstract && bytes.includes(0))) {
    throw invalidArgValue(
      TypeError,
      name,
      path,
      `must be a non-empty path of at most ${max} bytes without NUL bytes, or '\\0' and an abstract name`,
    );
  }
  return bytes;
}

/** A SocketAddress object, validated, in native form. */
export function toNative(value: unknown, name = 'address'): NativeAddress {
  const address = validateObject(value, name);
  if (address.family === 'unix') {
    return { family: AF_UNIX, bytes: parseUnixPath(address.path, `${name}.path`), port: 0, scopeId: 0 };
  }
  if (address.family !== undefined && address.family !== 'IPv4' && address.family !== 'IPv6') {
    throw invalidArgValue(TypeError, `${name}.family`, address.family, "must be one of: 'IPv4', 'IPv6', 'unix'");
  }
  const host = parseHost(address.address, `${name}.address`);
  if (address.family !== undefined && (address.family === 'IPv4') !== (host.family === AF_INET)) {
    throw invalidArgValue(
      TypeError,
      `${name}.family`,
      address.family,
      `does not match the address ${String(address.address)}`,
    );
  }
  const scopeId =
    address.scopeId === undefined ? host.scopeId : validateInteger(address.scopeId, `${name}.scopeId`, 0, 0xffffffff);
  return { family: host.family, bytes: host.bytes, port: validatePort(address.port, `${name}.port`), scopeId };
}

/** An IPv6 address in the RFC 5952 text form, as Node and inet_ntop write it. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // IPv4-mapped (::ffff:a.b.c.d) and the old IPv4-compatible form (::a.b.c.d, but not ::1).
  if (groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || (groups[5] === 0 && groups[6] !== 0))) {
    return `::${groups[5] === 0xffff ? 'ffff:' : ''}${bytes.subarray(12).join('.')}`;
  }
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes '::'.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** A reusable buffer the native binding writes one address into. */
export class AddressRecord {
  readonly bytes = new Uint8Array(ADDRESS_RECORD_SIZE);
  readonly #words = new Uint32Array(this.bytes.buffer, 0, 4);

  /** The address last written, as an object of its own. */
  read(): SocketAddress {
    const [family, port, scopeId, length] = this.#words;
    const bytes = this.bytes.subarray(ADDRESS_RECORD_BYTES, ADDRESS_RECORD_BYTES + length);
    if (family === AF_INET) return { family: 'IPv4', address: bytes.join('.'), port };
    if (family === AF_INET6) return { family: 'IPv6', address: formatIPv6(bytes), port, scopeId };
    return { family: 'unix', path: Buffer.from(bytes).toString('utf8') };
  }
}
