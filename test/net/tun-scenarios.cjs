// What test/net/tun.test.ts runs inside a network namespace of its own (`unshare --net`): each
// scenario opens TUN/TAP interfaces there, configures them with iproute2's ip, exchanges real
// packets with the kernel and resolves to a plain report, which run() prints as one JSON line.
// Plain CommonJS, so that a worker can load it by path.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const dgram = require('node:dgram');
const fs = require('node:fs');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const ROOT = path.resolve(__dirname, '../..');
const { EPOLLIN, EpollInstance, TunDevice } = require(path.join(ROOT, 'dist/lib/index.js'));
const { IPV4_HEADER_BYTES, PROTOCOL_ICMP, PROTOCOL_UDP, internetChecksum, writeIpv4Header } = require(
  path.join(ROOT, 'dist/examples/tun-packets.js'),
);

const DEADLINE_MS = 8000;
const PEER_PORT = 9999;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERNET_HEADER_BYTES = 14;
const PEER_MAC = [0x02, 0, 0, 0, 0, 0x02];

// --- the namespace -------------------------------------------------------------------------------

function ip(...args) {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function up(name, cidr) {
  ip('addr', 'add', cidr, 'dev', name);
  ip('link', 'set', name, 'up');
}

/** The interfaces of this process's namespace (/proc/self/net is the namespace's, /sys is not). */
function links() {
  return fs
    .readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0].trim())
    .filter(Boolean);
}

function fdCount() {
  return fs.readdirSync('/proc/self/fd').length;
}

function fdReport(fd) {
  const flags = parseInt(/flags:\s+(\d+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))[1], 8);
  return {
    target: fs.readlinkSync(`/proc/self/fd/${fd}`),
    nonBlocking: (flags & 0o4000) !== 0,
    closeOnExec: (flags & 0o2000000) !== 0,
  };
}

// IPv6 would add router solicitations and MLD reports to what a TAP interface carries.
function noIpv6() {
  for (const scope of ['all', 'default']) {
    const file = `/proc/sys/net/ipv6/conf/${scope}/disable_ipv6`;
    if (fs.existsSync(file)) fs.writeFileSync(file, '1');
  }
}

function errorReport(error) {
  const { name, code, errno, syscall, hint, message } = error;
  return { name, code, errno, syscall, hint, message };
}

function refusal(fn) {
  try {
    fn();
  } catch (error) {
    return errorReport(error);
  }
  return { code: 'no error' };
}

// --- packets -------------------------------------------------------------------------------------

const quad = (bytes, at) => [...bytes.subarray(at, at + 4)].join('.');
const octets = (address) => address.split('.').map(Number);
const u16 = (bytes, at) => (bytes[at] << 8) | bytes[at + 1];

function ipv4Packet(protocol, source, destination, body) {
  const packet = new Uint8Array(IPV4_HEADER_BYTES + body.length);
  packet.set(body, IPV4_HEADER_BYTES);
  writeIpv4Header(packet, packet.length, protocol, octets(source), octets(destination));
  return packet;
}

// UDP's checksum is optional over IPv4: 0 says there is none.
function udpDatagram(sourcePort, destinationPort, payload) {
  const bytes = Buffer.from(payload);
  const datagram = new Uint8Array(8 + bytes.length);
  const length = datagram.length;
  datagram.set([
    sourcePort >>> 8,
    sourcePort & 0xff,
    destinationPort >>> 8,
    destinationPort & 0xff,
    length >>> 8,
    length & 0xff,
  ]);
  datagram.set(bytes, 8);
  return datagram;
}

function echoRequest(id, sequence, payload) {
  const bytes = Buffer.from(payload);
  const message = new Uint8Array(8 + bytes.length);
  message.set([8, 0, 0, 0, id >>> 8, id & 0xff, sequence >>> 8, sequence & 0xff]);
  message.set(bytes, 8);
  const sum = internetChecksum(message, 0, message.length);
  message.set([sum >>> 8, sum & 0xff], 2);
  return message;
}

/** The IPv4 packet at packet[0, length), or null for another protocol. */
function parseIpv4(packet, length) {
  if (length < IPV4_HEADER_BYTES || packet[0] >> 4 !== 4) return null;
  const headerBytes = (packet[0] & 0x0f) * 4;
  return {
    protocol: packet[9],
    source: quad(packet, 12),
    destination: quad(packet, 16),
    headerValid: internetChecksum(packet, 0, headerBytes) === 0,
    totalLength: u16(packet, 2),
    body: packet.subarray(headerBytes, length),
  };
}

function parseUdp(packet, length) {
  const ipv4 = parseIpv4(packet, length);
  if (ipv4 === null || ipv4.protocol !== PROTOCOL_UDP) return null;
  const { body } = ipv4;
  return {
    source: ipv4.source,
    destination: ipv4.destination,
    headerValid: ipv4.headerValid,
    sourcePort: u16(body, 0),
    destinationPort: u16(body, 2),
    payload: Buffer.from(body.subarray(8, u16(body, 4))).toString(),
  };
}

function concat(...parts) {
  return new Uint8Array(Buffer.concat(parts.map((part) => Buffer.from(part))));
}

function ethernet(destination, source, ethertype, body) {
  return concat(destination, source, [ethertype >>> 8, ethertype & 0xff], body);
}

function macOf(name) {
  return JSON.parse(ip('-j', 'link', 'show', name))[0]
    .address.split(':')
    .map((byte) => parseInt(byte, 16));
}

// --- waiting -------------------------------------------------------------------------------------

/**
 * Calls onPacket(bytes, length, device) for each packet the devices read, as epoll reports them,
 * until it returns a value other than undefined, which this resolves to.
 */
function readUntil(devices, dispatch, onPacket) {
  const epoll = new EpollInstance({ dispatch });
  const packet = new Uint8Array(65536);
  return new Promise((resolve, reject) => {
    const finish = (value) => {
      for (const device of devices) epoll.remove(device.fd);
      epoll.close();
      resolve(value);
    };
    for (const device of devices) {
      epoll.add(device.fd, EPOLLIN, () => {
        try {
          for (let length = device.read(packet); length !== null; length = device.read(packet)) {
            const value = onPacket(packet, length, device);
            if (value !== undefined) return finish(value);
          }
        } catch (error) {
          epoll.close();
          reject(error);
        }
      });
    }
  });
}

function udpSocket(address) {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => resolve(socket));
  });
}

function nextMessage(socket) {
  return new Promise((resolve) =>
    socket.once('message', (message, from) =>
      resolve({ text: message.toString(), from: `${from.address}:${from.port}` }),
    ),
  );
}

async function waitUntil(condition, what) {
  const deadline = Date.now() + DEADLINE_MS / 2;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (global.gc) global.gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// --- scenarios -----------------------------------------------------------------------------------

const PACKET_INFO_IPV4 = [0, 0, ETHERTYPE_IPV4 >>> 8, ETHERTYPE_IPV4 & 0xff];

const scenarios = {
  /** A UDP datagram the kernel routes into the interface, and the reply written back. */
  async udp({ dispatch, packetInfo }) {
    const device = TunDevice.open({ name: 'lep%d', mode: 'tun', packetInfo });
    const opened = { name: device.name, fd: fdReport(device.fd), readBeforeAnyPacket: device.read(new Uint8Array(64)) };
    up(device.name, '10.1.0.1/24');
    const socket = await udpSocket('10.1.0.1');
    const answer = nextMessage(socket);
    const skip = packetInfo ? 4 : 0;
    const sent = readUntil([device], dispatch, (packet, length) => {
      const udp = parseUdp(packet.subarray(skip), length - skip);
      if (udp?.destinationPort !== PEER_PORT) return undefined;
      return { ...udp, packetInfo: [...packet.subarray(0, skip)] };
    });
    socket.send('ping', PEER_PORT, '10.1.0.2');
    const request = await sent;
    const reply = concat(
      packetInfo ? PACKET_INFO_IPV4 : [],
      ipv4Packet(PROTOCOL_UDP, '10.1.0.2', '10.1.0.1', udpDatagram(PEER_PORT, request.sourcePort, 'pong')),
    );
    const written = device.write(reply);
    const received = await answer;
    socket.close();
    device.close();
    return {
      ...opened,
      request,
      written,
      replyBytes: reply.length,
      received,
      closed: device.closed,
      linksAfter: links(),
    };
  },

  /** An ICMP echo request written into the interface, and the kernel's reply read from it. */
  async icmp({ dispatch }) {
    const device = TunDevice.open({ name: 'lepicmp', mode: 'tun' });
    up(device.name, '10.1.0.1/24');
    const replied = readUntil([device], dispatch, (packet, length) => {
      const ipv4 = parseIpv4(packet, length);
      if (ipv4?.protocol !== PROTOCOL_ICMP) return undefined;
      const { body } = ipv4;
      return {
        source: ipv4.source,
        destination: ipv4.destination,
        headerValid: ipv4.headerValid,
        type: body[0],
        id: u16(body, 4),
        sequence: u16(body, 6),
        checksumValid: internetChecksum(body, 0, body.length) === 0,
        payload: Buffer.from(body.subarray(8)).toString(),
      };
    });
    const request = ipv4Packet(PROTOCOL_ICMP, '10.1.0.2', '10.1.0.1', echoRequest(0x4242, 7, 'hello kernel'));
    const written = device.write(request);
    const reply = await replied;
    device.close();
    return { written, requestBytes: request.length, reply };
  },

  /** TAP: the kernel's ARP request for the peer, the reply, then the UDP frame and its answer. */
  async tap({ dispatch }) {
    noIpv6();
    const device = TunDevice.open({ name: 'leptap', mode: 'tap' });
    up(device.name, '10.2.0.1/24');
    const mac = macOf(device.name);
    const socket = await udpSocket('10.2.0.1');
    const answer = nextMessage(socket);
    let arp = null;
    const framed = readUntil([device], dispatch, (frame, length) => {
      const ethertype = u16(frame, 12);
      const body = frame.subarray(ETHERNET_HEADER_BYTES, length);
      if (ethertype === ETHERTYPE_ARP && u16(body, 6) === 1) {
        arp = {
          destination: [...frame.subarray(0, 6)],
          senderMac: [...body.subarray(8, 14)],
          senderIp: quad(body, 14),
          targetIp: quad(body, 24),
        };
        const reply = [
          0,
          1,
          0x08,
          0,
          6,
          4,
          0,
          2,
          ...PEER_MAC,
          ...body.subarray(24, 28),
          ...mac,
          ...body.subarray(14, 18),
        ];
        device.write(ethernet(mac, PEER_MAC, ETHERTYPE_ARP, reply));
        return undefined;
      }
      const udp = ethertype === ETHERTYPE_IPV4 ? parseUdp(body, body.length) : null;
      if (udp?.destinationPort !== PEER_PORT) return undefined;
      return { ...udp, destinationMac: [...frame.subarray(0, 6)] };
    });
    socket.send('ping', PEER_PORT, '10.2.0.2');
    const frame = await framed;
    const reply = ipv4Packet(PROTOCOL_UDP, '10.2.0.2', '10.2.0.1', udpDatagram(PEER_PORT, frame.sourcePort, 'pong'));
    device.write(ethernet(mac, PEER_MAC, ETHERTYPE_IPV4, reply));
    const received = await answer;
    socket.close();
    device.close();
    return { mac, arp, frame, received };
  },

  /** Two queues on one name: the kernel spreads flows over both, and either can write. */
  async multiQueue({ dispatch }) {
    const first = TunDevice.open({ name: 'lepmq', mode: 'tun', multiQueue: true });
    const second = TunDevice.open({ name: 'lepmq', mode: 'tun', multiQueue: true });
    const singleQueue = refusal(() => TunDevice.open({ name: 'lepmq', mode: 'tun' }));
    up('lepmq', '10.3.0.1/24');
    const FLOWS = 16;
    const sockets = await Promise.all(Array.from({ length: FLOWS }, () => udpSocket('10.3.0.1')));
    const answers = sockets.map(nextMessage);
    const perQueue = new Map([
      [first, 0],
      [second, 0],
    ]);
    const requests = [];
    const allRead = readUntil([first, second], dispatch, (packet, length, queue) => {
      const udp = parseUdp(packet, length);
      if (udp?.destinationPort !== PEER_PORT) return undefined;
      perQueue.set(queue, perQueue.get(queue) + 1);
      requests.push(udp);
      return requests.length === FLOWS ? true : undefined;
    });
    for (const socket of sockets) socket.send('ping', PEER_PORT, '10.3.0.2');
    await allRead;
    for (const request of requests) {
      second.write(
        ipv4Packet(PROTOCOL_UDP, '10.3.0.2', '10.3.0.1', udpDatagram(PEER_PORT, request.sourcePort, 'pong')),
      );
    }
    const received = await Promise.all(answers);
    for (const socket of sockets) socket.close();
    first.close();
    const afterFirstClose = links().includes('lepmq');
    second.close();
    return {
      names: [first.name, second.name],
      singleQueue,
      perQueue: [...perQueue.values()],
      answered: received.filter((r) => r.text === 'pong' && r.from === `10.3.0.2:${PEER_PORT}`).length,
      afterFirstClose,
      afterSecondClose: links().includes('lepmq'),
    };
  },

  /** What the kernel refuses, each with a hint and no fd left behind; and writes it cannot take. */
  async refusals() {
    const baseline = fdCount();
    const device = TunDevice.open({ name: 'lepbusy', mode: 'tun' });
    const attached = fdCount();
    const report = {
      busy: refusal(() => TunDevice.open({ name: 'lepbusy', mode: 'tun' })),
      otherMode: refusal(() => TunDevice.open({ name: 'lepbusy', mode: 'tap' })),
      otherQueues: refusal(() => TunDevice.open({ name: 'lepbusy', mode: 'tun', multiQueue: true })),
      notTun: refusal(() => TunDevice.open({ name: 'lo', mode: 'tun' })),
      fdsAfterRefusals: fdCount() - attached,
      writeWhileDown: refusal(() =>
        device.write(ipv4Packet(PROTOCOL_UDP, '10.4.0.2', '10.4.0.1', udpDatagram(1, 2, 'x'))),
      ),
    };
    up(device.name, '10.4.0.1/24');
    const detached = new Uint8Array(new ArrayBuffer(8));
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    report.badBuffers = [
      refusal(() => device.read('not a view')),
      refusal(() => device.read(new Uint8Array(8), 9)),
      refusal(() => device.write(new Uint8Array(8), 0, 2 ** 32 + 8)),
      refusal(() => device.write(detached)),
    ].map(({ name, code }) => `${name} ${code}`);
    report.writeNotIp = refusal(() => device.write(new Uint8Array([0x00, 1, 2, 3])));
    device.close();
    report.useAfterClose = refusal(() => device.read(new Uint8Array(16)));
    const again = TunDevice.open({ name: 'lepbusy', mode: 'tap' });
    report.reopenedAs = again.mode;
    again.close();
    report.fdsAtEnd = fdCount() - baseline;
    return report;
  },

  /** An unreachable device is collected, and its interface goes with its fd. */
  async collected() {
    const baseline = fdCount();
    (() => TunDevice.open({ name: 'lepgc', mode: 'tun' }))();
    const listed = links().includes('lepgc');
    await waitUntil(() => !links().includes('lepgc'), 'the collected device to take its interface away');
    return { listed, fdsAfter: fdCount() - baseline };
  },

  /** A worker's devices close when it is terminated, and a worker can exchange packets. */
  async worker({ dispatch }) {
    const exchange = await inWorker('udp', { dispatch, packetInfo: false });
    const holder = new Worker(__filename, { workerData: { hold: 'lepworker' } });
    await new Promise((resolve) => holder.once('message', resolve));
    const listed = links().includes('lepworker');
    await holder.terminate();
    await waitUntil(() => !links().includes('lepworker'), 'the terminated worker to take its interface away');
    return { exchange, listed, gone: !links().includes('lepworker') };
  },

  /** Run without CAP_NET_ADMIN, or as another user: the refusal says why. */
  async denied() {
    const baseline = fdCount();
    const refused = refusal(() => TunDevice.open({ name: 'lepdenied', mode: 'tun' }));
    return { refused, fdsAfter: fdCount() - baseline, listed: links().includes('lepdenied') };
  },
};

// Sends COUNT ICMP echo requests to ADDRESS on a raw socket (node has none) and prints each reply
// as JSON: who sent it, its type, id, sequence, payload, and whether its checksum holds.
const PINGER = `
import json, socket, struct, sys
def checksum(b):
    b += b'\\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s > 0xffff: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
payload = b'linux-epoll'
for seq in range(1, int(sys.argv[2]) + 1):
    head = struct.pack('!BBHHH', 8, 0, 0, 0x1234, seq)
    s.sendto(struct.pack('!BBHHH', 8, 0, checksum(head + payload), 0x1234, seq) + payload, (sys.argv[1], 0))
    while True:
        data, source = s.recvfrom(2048)
        icmp = data[(data[0] & 15) * 4:]
        if icmp[0] != 8: break
    kind, _, _, ident, sequence = struct.unpack('!BBHHH', icmp[:8])
    print(json.dumps({'from': source[0], 'type': kind, 'id': ident, 'sequence': sequence,
                      'payload': icmp[8:].decode(), 'checksumValid': checksum(icmp) == 0}))
`;

function collect(child, stream) {
  let text = '';
  child[stream].on('data', (chunk) => (text += chunk));
  return () => text;
}

function exited(child) {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

scenarios.example = async ({ dispatch }) => {
  const responder = spawn(process.execPath, [
    path.join(ROOT, 'dist/examples/tun-responder.js'),
    '--count',
    '2',
    '--dispatch',
    dispatch,
  ]);
  const stdout = collect(responder, 'stdout');
  const stderr = collect(responder, 'stderr');
  const responderExit = exited(responder);
  await waitUntil(
    () => /is up/.test(stdout()) || responder.exitCode !== null,
    'the responder to bring its interface up',
  );
  const pinger = spawn('python3', ['-c', PINGER, '10.77.0.2', '2']);
  const replies = collect(pinger, 'stdout');
  const pingerErrors = collect(pinger, 'stderr');
  const pingerExit = await exited(pinger);
  return {
    replies: replies()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
    pinger: { ...pingerExit, stderr: pingerErrors() },
    responder: { ...(await responderExit), stdout: stdout(), stderr: stderr() },
    linksAfter: links(),
  };
};

function inWorker(scenario, options) {
  const worker = new Worker(__filename, { workerData: { scenario, options } });
  return new Promise((resolve, reject) => {
    worker.once('message', (report) => (report.error ? reject(new Error(report.error)) : resolve(report)));
    worker.once('error', reject);
  });
}

/** Runs one scenario and prints its report, or its failure, as one JSON line. */
async function run(scenario, options = {}) {
  const deadline = setTimeout(() => {
    console.log(JSON.stringify({ error: `${scenario} passed its ${DEADLINE_MS} ms deadline` }));
    process.exit(3);
  }, DEADLINE_MS);
  try {
    console.log(JSON.stringify(await scenarios[scenario](options)));
  } catch (error) {
    console.log(JSON.stringify({ error: String(error?.stack ?? error) }));
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
  }
}

if (!isMainThread && workerData.hold) {
  // Held open, and the worker kept alive by a timer, until the worker is terminated.
  globalThis.held = TunDevice.open({ name: workerData.hold, mode: 'tun' });
  setInterval(() => {}, 60000);
  parentPort.postMessage('open');
} else if (!isMainThread) {
  scenarios[workerData.scenario](workerData.options).then(
    (report) => parentPort.postMessage(report),
    (error) => parentPort.postMessage({ error: String(error?.stack ?? error) }),
  );
}

module.exports = { run, scenarios: Object.keys(scenarios) };
