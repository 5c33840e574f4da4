import * as fs from 'node:fs';

import { TunDevice } from '../../lib';
import { binding } from '../../lib/core/binding';
import { openFdCount } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { inNetns, requireNetnsTools } from '../support/netns';
import { errorFrom, thrown } from '../support/thrown';

const IFNAMSIZ = 16;
const ENOTVIEW = -14; // -EFAULT
const EINVAL = -22;

function hostLinks(): string[] {
  return fs
    .readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0].trim());
}

beforeAll(requireNetnsTools, 120000);

// These run in the host's namespace: each is refused before any syscall, so no fd and no interface.
describe('TunDevice.open refuses bad options before any syscall', () => {
  const cases: [string, unknown, string, string][] = [
    ['no options', undefined, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['null', null, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['an array', [], 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['no mode', {}, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ["mode 'TUN'", { mode: 'TUN' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ["mode 'tun '", { mode: 'tun ' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['a mode object', { mode: new String('tun') }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['a 16-byte name', { name: 'a'.repeat(16), mode: 'tun' }, 'RangeError', 'ERR_INVALID_ARG_VALUE'],
    ['8 characters that are 16 bytes', { name: 'é'.repeat(8), mode: 'tun' }, 'RangeError', 'ERR_INVALID_ARG_VALUE'],
    ['an empty name', { name: '', mode: 'tun' }, 'RangeError', 'ERR_INVALID_ARG_VALUE'],
    ['a NUL in the name', { name: 'tun\0x', mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    [
      'a NUL that would cut a long name short',
      { name: 'ok\0' + 'a'.repeat(10), mode: 'tun' },
      'TypeError',
      'ERR_INVALID_ARG_VALUE',
    ],
    ["a '/'", { name: 'a/b', mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ["a ':'", { name: 'eth0:1', mode: 'tap' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['a space', { name: 'my tun', mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['a tab', { name: 'tun\t', mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ["'.'", { name: '.', mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ["'..'", { name: '..', mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['a number name', { name: 7, mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['a String object name', { name: new String('tun0'), mode: 'tun' }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['multiQueue 1', { mode: 'tun', multiQueue: 1 }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ["packetInfo 'yes'", { mode: 'tun', packetInfo: 'yes' }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['packetInfo null', { mode: 'tap', packetInfo: null }, 'TypeError', 'ERR_INVALID_ARG_TYPE'],
  ];

  test.each(cases)('%s', (_what, options, name, code) => {
    const fds = openFdCount();
    const links = hostLinks();
    expect(thrown(() => TunDevice.open(options as never))).toEqual({ name, code });
    expect(openFdCount()).toBe(fds);
    expect(hostLinks()).toEqual(links);
  });

  test('each option is read once, in order, through a Proxy, and a refused one opens nothing', () => {
    const reads: PropertyKey[] = [];
    const options = new Proxy(
      { name: 'tunproxy', mode: 'tun', multiQueue: false, packetInfo: 'no' },
      { get: (target, key) => (reads.push(key), Reflect.get(target, key)) },
    );
    const fds = openFdCount();
    expect(thrown(() => TunDevice.open(options as never)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(reads).toEqual(['name', 'mode', 'multiQueue', 'packetInfo']);
    expect(openFdCount()).toBe(fds);
  });

  test("a getter's own throw is what open() throws, and nothing is opened", () => {
    const fds = openFdCount();
    const options = {
      name: 'tunthrow',
      get mode(): string {
        throw new Error('from the getter');
      },
    };
    expect(errorFrom(() => TunDevice.open(options as never)).message).toBe('from the getter');
    expect(openFdCount()).toBe(fds);
  });

  test('a name getter that would answer differently the second time is read once', () => {
    let reads = 0;
    const options = {
      get name(): string {
        return reads++ === 0 ? 'a'.repeat(16) : 'ok';
      },
      mode: 'tun',
    };
    expect(thrown(() => TunDevice.open(options as never)).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(reads).toBe(1);
  });

  test('only open() makes one: the constructor refuses a caller', () => {
    const Device = TunDevice as unknown as new (...args: unknown[]) => unknown;
    expect(errorFrom(() => new Device(Symbol('TunDevice'), {}, {})).message).toBe(
      'TunDevice is made by TunDevice.open()',
    );
  });
});

// A caller of the raw binding, past lib/: native code checks what it reads again, before the ioctl.
describe('binding.tun.setIff refuses what lib/ would have refused, before the ioctl', () => {
  const out = () => new Uint8Array(IFNAMSIZ);
  const name = (text: string) => new TextEncoder().encode(text);
  const { IFF_TUN, IFF_NO_PI } = binding.tun.constants;

  test.each([
    ['a name that is no view', () => [name('x').buffer, IFF_TUN, out()], ENOTVIEW],
    ['a Proxy of a view as the name', () => [new Proxy(name('x'), {}), IFF_TUN, out()], ENOTVIEW],
    ['a 16-byte name', () => [name('a'.repeat(16)), IFF_TUN, out()], EINVAL],
    ['a huge name', () => [new Uint8Array(1 << 20), IFF_TUN, out()], EINVAL],
    ['a NUL in the name', () => [name('ab\0c'), IFF_TUN, out()], EINVAL],
    ['unknown flags', () => [name('x'), IFF_TUN | 0x4000, out()], EINVAL],
    ['a short nameOut', () => [name('x'), IFF_TUN | IFF_NO_PI, new Uint8Array(IFNAMSIZ - 1)], ENOTVIEW],
    ['nameOut a plain array', () => [name('x'), IFF_TUN, new Array(IFNAMSIZ).fill(0)], ENOTVIEW],
  ])('%s', (_what, args, errno) => {
    const fd = binding.tun.open();
    expect(fd).toBeGreaterThanOrEqual(0);
    const links = hostLinks();
    try {
      const [nameBytes, flags, nameOut] = args() as [Uint8Array, number, Uint8Array];
      expect(binding.tun.setIff(fd, nameBytes, flags, nameOut)).toBe(errno);
      expect(hostLinks()).toEqual(links);
    } finally {
      binding.io.close(fd);
    }
  });

  test('a wrong fd is the kernel’s EBADF, not a memory access', () => {
    expect(binding.tun.setIff(0x7fffffff, new Uint8Array(0), binding.tun.constants.IFF_TUN, out())).toBe(-9);
  });
});

interface UdpReport {
  name: string;
  fd: { target: string; nonBlocking: boolean; closeOnExec: boolean };
  readBeforeAnyPacket: null;
  request: Record<string, unknown>;
  written: number;
  replyBytes: number;
  received: { text: string; from: string };
  closed: boolean;
  linksAfter: string[];
}

function expectUdpExchange(report: UdpReport, packetInfo: boolean): void {
  expect(report.name).toBe('lep0');
  expect(report.fd).toEqual({ target: '/dev/net/tun', nonBlocking: true, closeOnExec: true });
  expect(report.readBeforeAnyPacket).toBeNull();
  expect(report.request).toEqual({
    source: '10.1.0.1',
    destination: '10.1.0.2',
    headerValid: true,
    sourcePort: expect.any(Number),
    destinationPort: 9999,
    payload: 'ping',
    // flags 0, then ETH_P_IP, big-endian
    packetInfo: packetInfo ? [0, 0, 8, 0] : [],
  });
  expect(report.written).toBe(report.replyBytes);
  expect(report.received).toEqual({ text: 'pong', from: '10.1.0.2:9999' });
  expect(report.closed).toBe(true);
  expect(report.linksAfter).toEqual(['lo']);
}

describeEachMode('TunDevice against the kernel, in a namespace of its own', (dispatch) => {
  test.each([false, true])(
    'tun: reads the UDP datagram the kernel routes to it, and the reply it writes reaches the socket (packetInfo %p)',
    async (packetInfo) => {
      expectUdpExchange(await inNetns<UdpReport>('udp', { dispatch, packetInfo }), packetInfo);
    },
  );

  test("tun: an echo request written to it is answered by the kernel's own ICMP", async () => {
    const report = await inNetns('icmp', { dispatch });
    expect(report).toEqual({
      written: 40,
      requestBytes: 40,
      reply: {
        source: '10.1.0.1',
        destination: '10.1.0.2',
        headerValid: true,
        type: 0,
        id: 0x4242,
        sequence: 7,
        checksumValid: true,
        payload: 'hello kernel',
      },
    });
  });

  test("tap: the kernel's ARP request for the peer, our ARP reply, then its UDP frame to our MAC and our answer", async () => {
    const report = await inNetns<{ mac: number[]; arp: Record<string, unknown>; frame: Record<string, unknown> }>(
      'tap',
      { dispatch },
    );
    expect(report.mac).toHaveLength(6);
    expect(report.arp).toEqual({
      destination: [255, 255, 255, 255, 255, 255],
      senderMac: report.mac,
      senderIp: '10.2.0.1',
      targetIp: '10.2.0.2',
    });
    expect(report.frame).toEqual({
      source: '10.2.0.1',
      destination: '10.2.0.2',
      headerValid: true,
      sourcePort: expect.any(Number),
      destinationPort: 9999,
      payload: 'ping',
      destinationMac: [2, 0, 0, 0, 0, 2],
    });
    expect(report).toHaveProperty('received', { text: 'pong', from: '10.2.0.2:9999' });
  });

  test('multiQueue: two queues on one name share 16 flows, either writes, and the interface goes with the last', async () => {
    const report = await inNetns<{ perQueue: number[] }>('multiQueue', { dispatch });
    expect(report).toMatchObject({
      names: ['lepmq', 'lepmq'],
      singleQueue: { code: 'EINVAL', syscall: 'ioctl' },
      answered: 16,
      afterFirstClose: true,
      afterSecondClose: false,
    });
    expect(report.perQueue[0] + report.perQueue[1]).toBe(16);
    // The kernel picks a queue by flow hash: both carry some of 16 flows unless every hash agrees.
    expect(Math.min(...report.perQueue)).toBeGreaterThan(0);
  });

  test('in a worker: the same exchange, and a terminated worker takes its interface away', async () => {
    const report = await inNetns<{ exchange: UdpReport; listed: boolean; gone: boolean }>('worker', { dispatch });
    expectUdpExchange(report.exchange, false);
    expect([report.listed, report.gone]).toEqual([true, true]);
  });

  test('examples/tun-responder.ts answers ICMP echo requests sent by the kernel', async () => {
    const report = await inNetns('example', { dispatch });
    const reply = (sequence: number) => ({
      from: '10.77.0.2',
      type: 0,
      id: 0x1234,
      sequence,
      payload: 'linux-epoll',
      checksumValid: true,
    });
    expect(report).toEqual({
      replies: [reply(1), reply(2)],
      pinger: { code: 0, signal: null, stderr: '' },
      responder: {
        code: 0,
        signal: null,
        stdout: expect.stringMatching(/^tunresp0 is up .*answered 2 echo requests\n$/s),
        stderr: '',
      },
      linksAfter: ['lo'],
    });
  });
});

describe('TunDevice refusals from the kernel, in a namespace of its own', () => {
  const hint = (code: string) => expect.objectContaining({ code, syscall: 'ioctl', hint: expect.any(String) });

  test('EBUSY and EINVAL carry a hint, leave no fd, and bad writes and buffers are refused', async () => {
    const report = await inNetns('refusals');
    expect(report).toEqual({
      busy: hint('EBUSY'),
      otherMode: hint('EINVAL'),
      otherQueues: hint('EINVAL'),
      notTun: hint('EINVAL'),
      fdsAfterRefusals: 0,
      writeWhileDown: expect.objectContaining({ code: 'EIO', syscall: 'write' }),
      badBuffers: [
        'TypeError ERR_INVALID_ARG_TYPE',
        'RangeError ERR_OUT_OF_RANGE',
        'RangeError ERR_OUT_OF_RANGE',
        'TypeError ERR_INVALID_ARG_VALUE',
      ],
      writeNotIp: expect.objectContaining({ code: 'EINVAL', syscall: 'write' }),
      useAfterClose: expect.objectContaining({ code: 'ERR_EPOLL_CLOSED' }),
      reopenedAs: 'tap',
      fdsAtEnd: 0,
    });
    expect((report.busy as { message: string }).message).toMatch(/^EBUSY: .*, ioctl: .*multiQueue/);
  });

  test('an unreachable TunDevice is collected, and its interface goes with its fd', async () => {
    expect(await inNetns('collected', {}, { nodeArgs: ['--expose-gc'] })).toEqual({ listed: true, fdsAfter: 0 });
  });

  test.each([
    ['without CAP_NET_ADMIN: EPERM from the ioctl', ['--inh-caps=-all', '--bounding-set=-net_admin'], 'EPERM', 'ioctl'],
    ['as another user: EACCES from the open', ['--reuid=65534', '--regid=65534', '--clear-groups'], 'EACCES', 'open'],
  ])('%s, with a hint naming the capability', async (_what, setpriv, code, syscall) => {
    const report = await inNetns<{ refused: Record<string, string> }>(
      'denied',
      {},
      { wrapper: ['setpriv', ...setpriv] },
    );
    expect(report).toEqual({
      refused: expect.objectContaining({ code, syscall, hint: expect.stringContaining('CAP_NET_ADMIN') }),
      fdsAfter: 0,
      listed: false,
    });
    expect(report.refused.message).toContain(report.refused.hint);
  });
});
