// The bad-input battery: every public function and constructor, called with every wrong value in
// each argument position while the other arguments are valid. Each call must throw the documented
// error (name and code) before it does anything. A new function is covered by adding one row to
// ROWS; a new kind of argument by adding one entry to KINDS.
import * as fs from 'node:fs';
import * as os from 'node:os';

import {
  EPOLLIN,
  EpollInstance,
  EventFd,
  IN_ALL_EVENTS,
  IN_CREATE,
  IN_DONT_FOLLOW,
  IN_EXCL_UNLINK,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_ONESHOT,
  IN_ONLYDIR,
  Inotify,
  PidFd,
  TimerFd,
  eventNames,
  io,
  sock,
} from '../../lib';
import { Epoll } from '../../lib/compat';
import { KNOWN_EVENTS } from '../../lib/epoll/constants';
import { openFdCount } from '../support/fds';

type Expected = { name: string; code: string } | 'accepted';

const TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
const RANGE = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
const BAD_VALUE_RANGE = { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' };
const BAD_VALUE_TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };
const EBADF = { name: 'Error', code: 'EBADF' };
const ENOENT = { name: 'Error', code: 'ENOENT' };
const EINVAL = { name: 'Error', code: 'EINVAL' };
const COMPAT_TYPE = { name: 'Error', code: 'ERR_INVALID_ARG_TYPE' };

// A number no fd of this process has: well below the 20,000 open-file limit, far above its use.
const CLOSED_FD = 19_000;

/** The wrong values every argument gets. */
const BAD_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-1', -1],
  ['2**31', 2 ** 31],
  ['1.5', 1.5],
  ["'3'", '3'],
  ['{}', {}],
  ['[]', []],
  ['1n', 1n],
  ['a symbol', Symbol('bad')],
  ['a closed fd', CLOSED_FD],
  ['too large', 'TOO_LARGE'],
  ['unknown event bits', 'UNKNOWN_BITS'],
  ['not a function', 'NOT_A_FUNCTION'],
];

// Values that only some kinds tell apart from an ordinary wrong value.
const SPECIAL: Record<string, unknown> = { TOO_LARGE: 65_537, UNKNOWN_BITS: 1 << 20, NOT_A_FUNCTION: 'function' };

function valueOf(raw: unknown): unknown {
  return typeof raw === 'string' && raw in SPECIAL ? SPECIAL[raw] : raw;
}

/** How an argument of each kind answers a value: the error, or 'accepted' for a valid value. */
type Kind = (value: unknown) => Expected;

function integer(min: number, max: number, options: { optional?: boolean; closedFd?: Expected } = {}): Kind {
  return (value) => {
    if (value === undefined && options.optional) return 'accepted';
    if (typeof value !== 'number') return TYPE;
    if (value === CLOSED_FD && options.closedFd !== undefined) return options.closedFd;
    return Number.isInteger(value) && value >= min && value <= max ? 'accepted' : RANGE;
  };
}

function compatFd(closedFd: Expected): Kind {
  return (value) => {
    if (typeof value !== 'number' || (value | 0) !== value) return COMPAT_TYPE;
    if (value < 0) return EBADF;
    return value === CLOSED_FD ? closedFd : 'accepted';
  };
}

const KINDS = {
  /** An fd a syscall uses: a closed one is the kernel's EBADF. */
  fd: integer(0, 2 ** 31 - 1, { closedFd: EBADF }),
  /** An fd that must be registered (modify, remove): a closed one is not. */
  registeredFd: integer(0, 2 ** 31 - 1, { closedFd: ENOENT }),
  /** An fd that is only looked up (has()). */
  fdLookup: integer(0, 2 ** 31 - 1),
  mask: ((value) => {
    if (typeof value !== 'number') return TYPE;
    if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 32 - 1) return RANGE;
    return ((value >>> 0) & ~KNOWN_EVENTS) !== 0 ? BAD_VALUE_RANGE : 'accepted';
  }) as Kind,
  handler: ((value) => (typeof value === 'function' ? 'accepted' : TYPE)) as Kind,
  optionalHandler: ((value) => (value === undefined || typeof value === 'function' ? 'accepted' : TYPE)) as Kind,
  options: ((value) =>
    value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))
      ? 'accepted'
      : TYPE) as Kind,
  requiredOptions: ((value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? 'accepted' : TYPE) as Kind,
  view: ((value) => (ArrayBuffer.isView(value) ? 'accepted' : TYPE)) as Kind,
  views: ((value) => (Array.isArray(value) && value.length === 0 ? 'accepted' : TYPE)) as Kind,
  boolean: ((value) => (typeof value === 'boolean' ? 'accepted' : TYPE)) as Kind,
  optionalBoolean: ((value) => (value === undefined || typeof value === 'boolean' ? 'accepted' : TYPE)) as Kind,
  oneOf: ((value) => (typeof value === 'string' ? BAD_VALUE_TYPE : TYPE)) as Kind,
  optionalOneOf: ((value) =>
    value === undefined ? 'accepted' : typeof value === 'string' ? BAD_VALUE_TYPE : TYPE) as Kind,
  /** A SocketAddress: none of the wrong values is one, and {} lacks its address. */
  address: (() => TYPE) as Kind,
  byteOffset: integer(0, 8, { optional: true }),
  counterInit: integer(0, 2 ** 32 - 1, { optional: true }),
  maxEvents: integer(1, 65_536, { optional: true }),
  counterIncrement: ((value) => {
    if (typeof value === 'bigint') return value >= 1n ? 'accepted' : RANGE;
    if (typeof value !== 'number') return TYPE;
    return Number.isInteger(value) && value >= 1 && value <= Number.MAX_SAFE_INTEGER ? 'accepted' : RANGE;
  }) as Kind,
  milliseconds: ((value) =>
    typeof value !== 'number' ? TYPE : value > 0 && value <= 1e15 ? 'accepted' : RANGE) as Kind,
  optionalMilliseconds: ((value) =>
    value === undefined
      ? 'accepted'
      : typeof value !== 'number'
        ? TYPE
        : value >= 0 && value <= 1e15
          ? 'accepted'
          : RANGE) as Kind,
  lingerSeconds: ((value) => (value === null ? 'accepted' : integer(0, 2 ** 31 - 1)(value))) as Kind,
  positiveSize: integer(1, 2 ** 31 - 1),
  backlog: integer(0, 2 ** 31 - 1, { optional: true }),
  /** epoll@4's fd: any int32 passes its type check, and a negative one reaches the kernel. */
  compatFd: compatFd(EBADF),
  compatRegisteredFd: compatFd(ENOENT),
  compatEvents: ((value) => (typeof value !== 'number' ? COMPAT_TYPE : KINDS.mask(value))) as Kind,
  compatCallback: ((value) => (typeof value === 'function' ? 'accepted' : COMPAT_TYPE)) as Kind,
  pid: integer(1, 2 ** 31 - 1),
  signal: ((value) => {
    if (value === undefined) return 'accepted';
    if (typeof value === 'string') return value in os.constants.signals ? 'accepted' : BAD_VALUE_TYPE;
    return typeof value === 'number' ? integer(0, 64)(value) : TYPE;
  }) as Kind,
  /** A path inotify_add_watch is given: any string passes lib/, and a missing one is the kernel's ENOENT. */
  path: ((value) => (typeof value !== 'string' ? TYPE : fs.existsSync(value) ? 'accepted' : ENOENT)) as Kind,
  watchMask: ((value) => {
    if (typeof value !== 'number') return TYPE;
    if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 32 - 1) return RANGE;
    const allowed =
      IN_ALL_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT;
    return ((value >>> 0) & ~allowed) !== 0 || (value & IN_ALL_EVENTS) === 0 ? BAD_VALUE_RANGE : 'accepted';
  }) as Kind,
  /** A watch descriptor: one the instance does not have is the kernel's EINVAL. */
  wd: integer(1, 2 ** 31 - 1, { closedFd: EINVAL }),
} satisfies Record<string, Kind>;

/** Valid objects the rows call into; made before the battery and closed after it. */
interface Fixtures {
  ep: EpollInstance;
  loopEp: EpollInstance;
  efd: EventFd;
  timer: TimerFd;
  compat: Epoll;
  pipe: [number, number];
  stream: [number, number];
  udp: number;
  buffer: Buffer;
  pidfd: PidFd;
  inotify: Inotify;
}

interface Row {
  name: string;
  kinds: (keyof typeof KINDS)[];
  valid: (f: Fixtures) => unknown[];
  call: (f: Fixtures, args: unknown[]) => unknown;
  /** The valid call changes nothing, so the battery can show that it is accepted. */
  pure?: true;
}

const handler = (): void => undefined;
const V4 = { address: '127.0.0.1', port: 9 };

const ROWS: Row[] = [
  {
    name: 'new EpollInstance(options)',
    kinds: ['options'],
    valid: () => [{}],
    call: (_f, a) => new EpollInstance(a[0] as never).close(),
  },
  {
    name: 'new EpollInstance({ maxEvents })',
    kinds: ['maxEvents'],
    valid: () => [8],
    call: (_f, a) => new EpollInstance({ maxEvents: a[0] as number }).close(),
  },
  {
    name: 'new EpollInstance({ dispatch })',
    kinds: ['optionalOneOf'],
    valid: () => ['loop'],
    call: (_f, a) => new EpollInstance({ dispatch: a[0] as never }).close(),
  },
  {
    name: 'ep.add',
    kinds: ['fd', 'mask', 'handler'],
    valid: (f) => [f.pipe[0], EPOLLIN, handler],
    call: (f, a) => f.ep.add(...(a as [number, number, typeof handler])),
  },
  {
    name: 'ep.add (loop)',
    kinds: ['fd', 'mask', 'handler'],
    valid: (f) => [f.pipe[0], EPOLLIN, handler],
    call: (f, a) => f.loopEp.add(...(a as [number, number, typeof handler])),
  },
  {
    name: 'ep.modify',
    kinds: ['registeredFd', 'mask', 'optionalHandler'],
    valid: (f) => [f.efd.fd, EPOLLIN, handler],
    call: (f, a) => f.ep.modify(...(a as [number, number])),
    pure: true,
  },
  { name: 'ep.remove', kinds: ['registeredFd'], valid: (f) => [f.efd.fd], call: (f, a) => f.ep.remove(a[0] as number) },
  {
    name: 'ep.has',
    kinds: ['fdLookup'],
    valid: (f) => [f.efd.fd],
    call: (f, a) => f.ep.has(a[0] as number),
    pure: true,
  },
  {
    name: 'eventNames',
    kinds: ['mask'],
    valid: () => [EPOLLIN],
    call: (_f, a) => eventNames(a[0] as number),
    pure: true,
  },
  {
    name: 'new EventFd',
    kinds: ['counterInit', 'options'],
    valid: () => [0, {}],
    call: (_f, a) => new EventFd(a[0] as number, a[1] as never).close(),
  },
  {
    name: 'new EventFd(0, { semaphore })',
    kinds: ['optionalBoolean'],
    valid: () => [true],
    call: (_f, a) => new EventFd(0, { semaphore: a[0] as boolean }).close(),
  },
  { name: 'efd.write', kinds: ['counterIncrement'], valid: () => [1], call: (f, a) => f.efd.write(a[0] as number) },
  { name: 'new TimerFd', kinds: ['options'], valid: () => [{}], call: (_f, a) => new TimerFd(a[0] as never).close() },
  {
    name: 'new TimerFd({ clock })',
    kinds: ['optionalOneOf'],
    valid: () => ['monotonic'],
    call: (_f, a) => new TimerFd({ clock: a[0] as never }).close(),
  },
  {
    name: 'timer.start',
    kinds: ['milliseconds', 'optionalMilliseconds'],
    valid: () => [1e9, 0],
    call: (f, a) => f.timer.start(a[0] as number, a[1] as number),
  },
  {
    name: 'io.read',
    kinds: ['fd', 'view', 'byteOffset', 'byteOffset'],
    valid: (f) => [f.pipe[0], f.buffer, 0, 0],
    call: (_f, a) => io.read(...(a as [number, Buffer])),
    pure: true,
  },
  {
    name: 'io.write',
    kinds: ['fd', 'view', 'byteOffset', 'byteOffset'],
    valid: (f) => [f.pipe[1], f.buffer, 0, 0],
    call: (_f, a) => io.write(...(a as [number, Buffer])),
    pure: true,
  },
  { name: 'io.close', kinds: ['fd'], valid: () => [CLOSED_FD + 1], call: (_f, a) => io.close(a[0] as number) },
  {
    name: 'sock.socket',
    kinds: ['oneOf', 'optionalOneOf'],
    valid: () => ['IPv4', 'stream'],
    call: (_f, a) => io.close(sock.socket(...(a as [never, never]))),
  },
  {
    name: 'sock.bind',
    kinds: ['fd', 'address'],
    valid: (f) => [f.udp, V4],
    call: (_f, a) => sock.bind(...(a as [number, never])),
  },
  {
    name: 'sock.listen',
    kinds: ['fd', 'backlog'],
    valid: (f) => [f.stream[0], 1],
    call: (_f, a) => sock.listen(...(a as [number])),
  },
  {
    name: 'sock.connect',
    kinds: ['fd', 'address'],
    valid: (f) => [f.udp, V4],
    call: (_f, a) => sock.connect(...(a as [number, never])),
  },
  { name: 'sock.accept', kinds: ['fd'], valid: (f) => [f.stream[0]], call: (_f, a) => sock.accept(a[0] as number) },
  { name: 'sock.socketError', kinds: ['fd'], valid: (f) => [f.udp], call: (_f, a) => sock.socketError(a[0] as number) },
  {
    name: 'sock.localAddress',
    kinds: ['fd'],
    valid: (f) => [f.udp],
    call: (_f, a) => sock.localAddress(a[0] as number),
    pure: true,
  },
  {
    name: 'sock.peerAddress',
    kinds: ['fd'],
    valid: (f) => [f.stream[0]],
    call: (_f, a) => sock.peerAddress(a[0] as number),
  },
  {
    name: 'sock.listenTcp',
    kinds: ['options'],
    valid: () => [{}],
    call: (_f, a) => io.close(sock.listenTcp(a[0] as never)),
  },
  {
    name: 'sock.listenUnix',
    kinds: ['requiredOptions'],
    valid: () => [{ path: '\0linux-epoll-bad-input' }],
    call: (_f, a) => io.close(sock.listenUnix(a[0] as never)),
  },
  {
    name: 'sock.connectTo',
    kinds: ['address'],
    valid: () => [V4],
    call: (_f, a) => io.close(sock.connectTo(a[0] as never).fd),
  },
  {
    name: 'sock.bindUdp',
    kinds: ['options'],
    valid: () => [{}],
    call: (_f, a) => io.close(sock.bindUdp(a[0] as never)),
  },
  ...(['setNoDelay', 'setKeepAlive', 'setReusePort', 'setReuseAddress'] as const).map((fn): Row => ({
    name: `sock.${fn}`,
    kinds: ['fd', 'boolean'],
    valid: (f) => [f.udp, false],
    call: (_f, a) => sock[fn](...(a as [number, boolean])),
  })),
  ...(['setReceiveBufferSize', 'setSendBufferSize'] as const).map((fn): Row => ({
    name: `sock.${fn}`,
    kinds: ['fd', 'positiveSize'],
    valid: (f) => [f.udp, 4096],
    call: (_f, a) => sock[fn](...(a as [number, number])),
  })),
  ...(['receiveBufferSize', 'sendBufferSize'] as const).map((fn): Row => ({
    name: `sock.${fn}`,
    kinds: ['fd'],
    valid: (f) => [f.udp],
    call: (_f, a) => sock[fn](a[0] as number),
    pure: true,
  })),
  {
    name: 'sock.setLinger',
    kinds: ['fd', 'lingerSeconds'],
    valid: (f) => [f.stream[0], null],
    call: (_f, a) => sock.setLinger(...(a as [number, null])),
  },
  {
    name: 'sock.shutdown',
    kinds: ['fd', 'oneOf'],
    valid: (f) => [f.stream[0], 'read'],
    call: (_f, a) => sock.shutdown(...(a as [number, never])),
  },
  {
    name: 'sock.writev',
    kinds: ['fd', 'views'],
    valid: (f) => [f.stream[0], []],
    call: (_f, a) => sock.writev(...(a as [number, never])),
  },
  {
    name: 'sock.readv',
    kinds: ['fd', 'views'],
    valid: (f) => [f.stream[0], []],
    call: (_f, a) => sock.readv(...(a as [number, never])),
  },
  {
    name: 'sock.send',
    kinds: ['fd', 'view', 'byteOffset', 'byteOffset', 'options'],
    valid: (f) => [f.stream[0], f.buffer, 0, 0, {}],
    call: (_f, a) => sock.send(...(a as [number, Buffer])),
  },
  {
    name: 'sock.recv',
    kinds: ['fd', 'view', 'byteOffset', 'byteOffset', 'options'],
    valid: (f) => [f.stream[0], f.buffer, 0, 0, {}],
    call: (_f, a) => sock.recv(...(a as [number, Buffer])),
  },
  {
    name: 'sock.sendto',
    kinds: ['fd', 'view', 'address', 'byteOffset', 'byteOffset'],
    valid: (f) => [f.udp, f.buffer, V4, 0, 0],
    call: (_f, a) => sock.sendto(...(a as [number, Buffer, never])),
  },
  {
    name: 'sock.recvfrom',
    kinds: ['fd', 'view', 'byteOffset', 'byteOffset'],
    valid: (f) => [f.udp, f.buffer, 0, 0],
    call: (_f, a) => sock.recvfrom(...(a as [number, Buffer])),
    pure: true,
  },
  {
    name: 'PidFd.open',
    kinds: ['pid'],
    valid: () => [process.pid],
    call: (_f, a) => PidFd.open(a[0] as number).close(),
  },
  {
    name: 'pidfd.sendSignal',
    kinds: ['signal'],
    valid: () => [0],
    call: (f, a) => f.pidfd.sendSignal(a[0] as number),
    pure: true,
  },
  { name: 'new Inotify', kinds: ['options'], valid: () => [{}], call: (_f, a) => new Inotify(a[0] as never).close() },
  {
    name: 'new Inotify({ overflow })',
    kinds: ['optionalOneOf'],
    valid: () => ['event'],
    call: (_f, a) => new Inotify({ overflow: a[0] as never }).close(),
  },
  {
    name: 'inotify.watch',
    kinds: ['path', 'watchMask'],
    valid: () => [os.tmpdir(), IN_CREATE],
    call: (f, a) => f.inotify.watch(...(a as [string, number])),
  },
  { name: 'inotify.unwatch', kinds: ['wd'], valid: () => [1], call: (f, a) => f.inotify.unwatch(a[0] as number) },
  {
    name: 'new compat Epoll',
    kinds: ['compatCallback', 'options'],
    valid: () => [handler, {}],
    call: (_f, a) => new Epoll(...(a as [never, never])).close(),
  },
  {
    name: 'compat add',
    kinds: ['compatFd', 'compatEvents'],
    valid: (f) => [f.pipe[1], EPOLLIN],
    call: (f, a) => f.compat.add(...(a as [number, number])),
  },
  {
    name: 'compat modify',
    kinds: ['compatRegisteredFd', 'compatEvents'],
    valid: (f) => [f.efd.fd, EPOLLIN],
    call: (f, a) => f.compat.modify(...(a as [number, number])),
  },
  {
    name: 'compat remove',
    kinds: ['compatRegisteredFd'],
    valid: (f) => [f.efd.fd],
    call: (f, a) => f.compat.remove(a[0] as number),
  },
];

function outcome(fn: () => unknown): Expected {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    const e = error as Error & { code?: unknown };
    return { name: e.name, code: String(e.code) };
  }
}

/** What each instance and fd looks like, to show that a rejected call changed nothing. */
function snapshot(f: Fixtures): string {
  return JSON.stringify([
    f.ep.size,
    f.loopEp.size,
    f.ep.has(f.efd.fd),
    f.efd.closed,
    f.timer.closed,
    f.compat.closed,
    f.pidfd.closed,
    f.inotify.closed,
    openFdCount(),
  ]);
}

describe('bad input', () => {
  let f: Fixtures;
  beforeAll(() => {
    const efd = new EventFd();
    const ep = new EpollInstance({ dispatch: 'thread' });
    const compat = new Epoll(() => undefined, { dispatch: 'loop' });
    // Registered so that modify and remove have something to refuse to change.
    ep.add(efd.fd, EPOLLIN, handler);
    compat.add(efd.fd, EPOLLIN);
    f = {
      ep,
      efd,
      compat,
      loopEp: new EpollInstance({ dispatch: 'loop' }),
      timer: new TimerFd(),
      pipe: io.pipe(),
      stream: io.socketpair(),
      udp: sock.socket('IPv4', 'datagram'),
      buffer: Buffer.alloc(8),
      pidfd: PidFd.open(process.pid),
      inotify: new Inotify(),
    };
    expect(fs.existsSync(`/proc/self/fd/${CLOSED_FD}`)).toBe(false);
  });
  afterAll(() => {
    f.ep.close();
    f.loopEp.close();
    f.compat.close();
    f.efd.close();
    f.timer.close();
    f.pidfd.close();
    f.inotify.close();
    for (const fd of [...f.pipe, ...f.stream, f.udp]) io.close(fd);
  });

  const cases = ROWS.flatMap((row) =>
    row.kinds.flatMap((kind, position) =>
      BAD_VALUES.map(([label, raw]) => ({ row, kind, position, label, value: valueOf(raw) })),
    ),
  )
    .map((c) => ({ ...c, expected: KINDS[c.kind](c.value) }))
    .filter((c) => c.expected !== 'accepted');

  test('the table covers every row and every kind', () => {
    expect(new Set(cases.map((c) => c.row.name)).size).toBe(ROWS.length);
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(Object.keys(KINDS)));
    expect(cases.length).toBeGreaterThan(500);
  });

  test.each(cases.map((c) => [`${c.row.name} argument ${c.position + 1} (${c.kind}) = ${c.label}`, c] as const))(
    '%s',
    (_title, c) => {
      const args = c.row.valid(f);
      args[c.position] = c.value;
      const before = snapshot(f);
      expect(outcome(() => c.row.call(f, args))).toEqual(c.expected);
      expect(snapshot(f)).toBe(before);
    },
  );

  test('the valid argument list of every row whose call changes nothing is accepted, so each rejection is down to the bad value', () => {
    for (const row of ROWS.filter((r) => r.pure)) {
      expect([row.name, outcome(() => row.call(f, row.valid(f)))]).toEqual([row.name, 'accepted']);
    }
  });
});
