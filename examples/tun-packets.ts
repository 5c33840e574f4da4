// The few IPv4 and ICMP fields examples/tun-responder.ts answers with, written straight into the
// packet the kernel handed over: an echo reply is its request with the addresses swapped.
export const IPV4_HEADER_BYTES = 20;
export const PROTOCOL_ICMP = 1;
export const PROTOCOL_UDP = 17;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;

/** The Internet checksum (RFC 1071) of bytes[start, end), as it goes into a header. */
export function internetChecksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i += 2) sum += (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function writeChecksum(bytes: Uint8Array, at: number, start: number, end: number): void {
  bytes[at] = bytes[at + 1] = 0;
  const sum = internetChecksum(bytes, start, end);
  bytes[at] = sum >>> 8;
  bytes[at + 1] = sum & 0xff;
}

/** Rewrites the IPv4 header at packet[0, 20): its source, destination and protocol, and checksum. */
export function writeIpv4Header(
  packet: Uint8Array,
  totalLength: number,
  protocol: number,
  source: readonly number[],
  destination: readonly number[],
): void {
  packet.set([0x45, 0, totalLength >>> 8, totalLength & 0xff, 0, 0, 0x40, 0, 64, protocol], 0);
  packet.set(source, 12);
  packet.set(destination, 16);
  writeChecksum(packet, 10, 0, IPV4_HEADER_BYTES);
}

/** Turns the ICMP echo request in packet[0, length) into its reply, in place: false if it is none. */
export function answerEcho(packet: Uint8Array, length: number): boolean {
  const isEcho =
    length >= IPV4_HEADER_BYTES + 8 &&
    packet[0] === 0x45 &&
    packet[9] === PROTOCOL_ICMP &&
    packet[IPV4_HEADER_BYTES] === ICMP_ECHO_REQUEST;
  if (!isEcho) return false;
  const source = [...packet.subarray(12, 16)];
  const destination = [...packet.subarray(16, 20)];
  writeIpv4Header(packet, length, PROTOCOL_ICMP, destination, source);
  packet[IPV4_HEADER_BYTES] = ICMP_ECHO_REPLY;
  writeChecksum(packet, IPV4_HEADER_BYTES + 2, IPV4_HEADER_BYTES, length);
  return true;
}
