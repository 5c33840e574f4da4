// The fuzzer's hostile-object family: random io and sock calls whose buffers are built as an
// attacker would build them, checked against a model of what the call may touch. A view may have
// byteLength, byteOffset and length redefined on itself, or be a subclass whose getters lie; it may
// sit in a fixed, a resizable, or a 4 GiB ArrayBuffer; a writev/readv array may be plain, have an
// accessor element, or be a Proxy; and user code (an accessor, a trap, an options or address getter,
// a spoofing getter) may detach, shrink or grow a buffer, or hand back a string, on its n-th run.
// The model, from the buffers as they really are once the call returns:
//   - the call succeeds exactly when the range lies within the view (and every vector element is a
//     view over memory it still has), else throws the documented RangeError or TypeError;
//   - it moves exactly the bytes the model says: a read changes only the bytes of its range, a
//     write sends exactly its range's bytes, and memory outside every view (given-away memory too)
//     stays as it was;
//   - user code runs once per element and never through a spoofing getter.
import fc from 'fast-check';

import { io, sock } from '../../lib';

const CALLS = ['read', 'write', 'send', 'recv', 'sendto', 'recvfrom', 'writev', 'readv'] as const;
type HostileCall = (typeof CALLS)[number];
const KINDS = ['Uint8Array', 'Uint16Array', 'Float64Array', 'DataView', 'Buffer'] as const;
type ViewKind = (typeof KINDS)[number];
const SPOOFS = ['byteLength', 'byteOffset', 'length'] as const;
const RANGES = ['start', 'middle', 'end', 'past', 'beyond2e31', 'beyond2e32', 'fraction', 'negative'] as const;
type RangeChoice = (typeof RANGES)[number] | undefined;

export interface ViewSpec {
  kind: ViewKind;
  /** 'huge': a DataView over the whole of one 2^32 + 4096 byte ArrayBuffer. */
  memory: 'fixed' | 'resizable' | 'huge';
  /** Start and size in elements; on a resizable buffer, size 0 makes a length-tracking view. */
  at: number;
  count: number;
  spoof: (typeof SPOOFS)[number][];
  subclass: boolean;
}

export interface HostileCase {
  call: HostileCall;
  views: ViewSpec[];
  wrapper: 'plain' | 'accessor' | 'proxy';
  /** What user code does on its onRead-th run, to views[target % views.length]. */
  act: { what: 'detach' | 'shrink' | 'grow' | 'string'; target: number; onRead: number } | null;
  offset: RangeChoice;
  length: RangeChoice;
}

// Node 18's V8 has no resizable ArrayBuffer (maxByteLength is ignored), so no view there can be one.
const RESIZABLE = typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === 'function';
const viewSpec: fc.Arbitrary<ViewSpec> = fc.record({
  kind: fc.constantFrom(...KINDS),
  memory: RESIZABLE
    ? fc.constantFrom('fixed', 'fixed', 'resizable', 'resizable', 'huge')
    : fc.constantFrom('fixed', 'fixed', 'huge'),
  at: fc.integer({ min: 0, max: 4 }),
  count: fc.integer({ min: 0, max: 6 }),
  spoof: fc.subarray([...SPOOFS]),
  subclass: fc.boolean(),
});
const rangeChoice = fc.option(fc.constantFrom(...RANGES), { nil: undefined, freq: 2 });

export const hostileArbitrary: fc.Arbitrary<HostileCase> = fc.record({
  call: fc.constantFrom(...CALLS),
  views: fc.array(viewSpec, { minLength: 1, maxLength: 3 }),
  wrapper: fc.constantFrom('plain', 'accessor', 'proxy'),
  act: fc.option(
    fc.record({
      what: fc.constantFrom('detach', 'shrink', 'grow', 'string'),
      target: fc.nat(2),
      onRead: fc.integer({ min: 1, max: 2 }),
    }),
    { nil: null },
  ),
  offset: rangeChoice,
  length: rangeChoice,
});

// ---------------------------------------------------------------------------------------------
// The engine's own view of a buffer, for the model: never a property user code could redefine.

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const taName = intrinsic(TypedArrayPrototype, Symbol.toStringTag);
const taByteLength = intrinsic(TypedArrayPrototype, 'byteLength');
const taByteOffset = intrinsic(TypedArrayPrototype, 'byteOffset');
const dvByteLength = intrinsic(DataView.prototype, 'byteLength');
const dvByteOffset = intrinsic(DataView.prototype, 'byteOffset');

function isDetached(buffer: ArrayBuffer): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** [byteOffset, byteLength] as the engine has them now; [0, 0] for a view out of bounds. */
function realRange(view: ArrayBufferView): [number, number] {
  if (taName.call(view) !== undefined) return [taByteOffset.call(view) as number, taByteLength.call(view) as number];
  try {
    return [dvByteOffset.call(view) as number, dvByteLength.call(view) as number];
  } catch {
    return [0, 0];
  }
}

// ---------------------------------------------------------------------------------------------
// Building the hostile objects

const ARENA = 256;
const MARGIN = 16;
const PEER = 0x5a;
const PEER_BYTES = 96;
const MAX_TRANSFER = 0x7ffff000;
const MAX_DATAGRAM = 65507;
const ELEMENT: Record<ViewKind, number> = { Uint8Array: 1, Uint16Array: 2, Float64Array: 8, DataView: 1, Buffer: 1 };
const HUGE = 2 ** 32 + 4096;
// The parts of the huge buffer that are watched: where a 32-bit truncation of an offset would land.
const HUGE_WINDOWS: readonly [number, number][] = [
  [0, 4096],
  [2 ** 31 - 64, 4224],
  [2 ** 32 - 64, 4160],
];
let hugeBuffer: ArrayBuffer | null = null;

// ES2024's resizable ArrayBuffer, which this project's TypeScript lib (ES2022) does not describe.
type ResizableBuffer = ArrayBuffer & { resize(byteLength: number): void };
const Resizable = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableBuffer;

type Ctor = new (buffer: ArrayBuffer, byteOffset?: number, length?: number) => ArrayBufferView;
const BASES: Record<Exclude<ViewKind, 'Buffer'>, Ctor> = { Uint8Array, Uint16Array, Float64Array, DataView };

interface Hooks {
  runs: number;
  spoofReads: number;
  fire: () => 'string' | null;
}

interface Built {
  spec: ViewSpec;
  view: ArrayBufferView;
  buffer: ArrayBuffer;
  /** The buffer's bytes before the call: the whole arena, or the huge buffer's windows. */
  windows: [number, Uint8Array][];
  givenAway: ArrayBuffer | null;
}

// A byte pattern that differs from the peer's byte and from its neighbours, so that a shifted or
// foreign byte shows.
function fillPattern(bytes: Uint8Array, from: number, seed: number): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = ((from + i) * 31 + seed * 7 + 1) & 0x7f;
}

function spoofing(Base: Ctor, hooks: Hooks): Ctor {
  const lie = (value: number) => () => {
    hooks.spoofReads++;
    hooks.fire();
    return value;
  };
  class Spoofed extends Base {}
  for (const [key, value] of [
    ['byteLength', 1 << 20],
    ['byteOffset', 0],
    ['length', 1 << 20],
  ] as const) {
    Object.defineProperty(Spoofed.prototype, key, { get: lie(value), configurable: true });
  }
  return Spoofed;
}

function build(spec: ViewSpec, index: number, hooks: Hooks): Built {
  let buffer: ArrayBuffer;
  let view: ArrayBufferView;
  if (spec.memory === 'huge') {
    buffer = hugeBuffer ??= new ArrayBuffer(HUGE);
    view = new (spec.subclass ? spoofing(DataView, hooks) : DataView)(buffer);
  } else {
    buffer = spec.memory === 'fixed' ? new ArrayBuffer(ARENA) : new Resizable(ARENA, { maxByteLength: 2 * ARENA });
    const byteOffset = MARGIN + spec.at * ELEMENT[spec.kind];
    const tracking = spec.memory === 'resizable' && spec.count === 0;
    if (spec.kind === 'Buffer' && !spec.subclass) {
      view = tracking ? Buffer.from(buffer, byteOffset) : Buffer.from(buffer, byteOffset, spec.count);
    } else {
      const Base = spec.kind === 'Buffer' ? Uint8Array : BASES[spec.kind];
      const Made = spec.subclass ? spoofing(Base, hooks) : Base;
      view = tracking ? new Made(buffer, byteOffset) : new Made(buffer, byteOffset, spec.count);
    }
  }
  for (const key of spec.spoof) Object.defineProperty(view, key, { value: key === 'byteOffset' ? 8 : 1 << 20 });
  const windows: [number, Uint8Array][] =
    spec.memory === 'huge'
      ? HUGE_WINDOWS.map(([at, size]) => [at, new Uint8Array(buffer, at, size)])
      : [[0, new Uint8Array(buffer)]];
  for (const [at, bytes] of windows) fillPattern(bytes, at, index);
  return { spec, view, buffer, windows: windows.map(([at, bytes]) => [at, bytes.slice()]), givenAway: null };
}

function perform(act: NonNullable<HostileCase['act']>, built: Built[]): 'string' | null {
  const target = built[act.target % built.length];
  if (act.what === 'string') return 'string';
  if (target.spec.memory === 'huge' || target.givenAway !== null) return null;
  if (act.what === 'detach') target.givenAway = structuredClone(target.buffer, { transfer: [target.buffer] });
  else if (target.spec.memory === 'resizable')
    (target.buffer as ResizableBuffer).resize(act.what === 'shrink' ? 8 : 2 * ARENA);
  return null;
}

// The user's array for writev/readv; reads[i] counts the user code run for element i.
function wrap(c: HostileCase, views: ArrayBufferView[], hooks: Hooks, reads: number[], returned: unknown[]): unknown[] {
  const hand = (i: number): unknown => {
    reads[i]++;
    const value = hooks.fire() === 'string' ? 'A' : views[i];
    returned[i] = value;
    return value;
  };
  if (c.wrapper === 'plain') {
    views.forEach((v, i) => (returned[i] = v));
    return [...views];
  }
  if (c.wrapper === 'accessor') {
    const last = views.length - 1;
    const array: unknown[] = views.slice(0, last);
    views.slice(0, last).forEach((v, i) => (returned[i] = v));
    Object.defineProperty(array, last, { get: () => hand(last), enumerable: true, configurable: true });
    return array;
  }
  return new Proxy([...views], {
    get: (target, key) => (typeof key === 'string' && /^\d+$/.test(key) ? hand(Number(key)) : Reflect.get(target, key)),
  });
}

function resolve(choice: RangeChoice, room: number): number | undefined {
  switch (choice) {
    case undefined:
      return undefined;
    case 'start':
      return 0;
    case 'middle':
      return Math.floor(room / 2);
    case 'end':
      return room;
    case 'past':
      return room + 1;
    case 'beyond2e31':
      return 2 ** 31 + 8;
    case 'beyond2e32':
      return 2 ** 32 + 8;
    case 'fraction':
      return 0.5;
    case 'negative':
      return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Running one case against the model

interface Outcome {
  result?: number | null;
  error?: { name: string; code: string };
}

function attempt(fn: () => number | null): Outcome {
  try {
    return { result: fn() };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { error: { name: e.name, code: String(e.code) } };
  }
}

/** The family alone, as a property: one random hostile call per run. */
export const hostileProperty = fc.property(hostileArbitrary, (attack) => {
  const problem = checkHostile(attack);
  if (problem !== null) throw new Error(problem);
});

const isSingle = (call: HostileCall) => call !== 'writev' && call !== 'readv';
const isRead = (call: HostileCall) => call === 'read' || call === 'recv' || call === 'recvfrom' || call === 'readv';

/** Runs the case on fresh sockets; returns what broke the model, or null. */
export function checkHostile(c: HostileCase): string | null {
  const udp = c.call === 'sendto' || c.call === 'recvfrom';
  const [mine, peer] = udp ? [sock.bindUdp(), sock.bindUdp()] : io.socketpair();
  try {
    return runCase(c, mine, peer, udp);
  } finally {
    io.close(mine);
    io.close(peer);
  }
}

function runCase(c: HostileCase, mine: number, peer: number, udp: boolean): string | null {
  const hooks: Hooks = {
    runs: 0,
    spoofReads: 0,
    fire: () => (c.act !== null && ++hooks.runs === c.act.onRead ? perform(c.act, built) : null),
  };
  // One view of the huge buffer at most: it is shared, and its windows are watched per view.
  const specs = (isSingle(c.call) ? c.views.slice(0, 1) : c.views).map((spec, i, all) =>
    spec.memory === 'huge' && all.slice(0, i).some((s) => s.memory === 'huge')
      ? { ...spec, memory: 'fixed' as const }
      : spec,
  );
  const built = specs.map((spec, i) => build(spec, i, hooks));
  const views = built.map((b) => b.view);
  const [, sizeBefore] = realRange(views[0]);
  const offset = resolve(c.offset, sizeBefore);
  const length = resolve(c.length, Math.max(0, sizeBefore - (offset ?? 0)));
  if (isRead(c.call))
    udp
      ? sock.sendto(peer, Buffer.alloc(PEER_BYTES, PEER), sock.localAddress(mine))
      : io.write(peer, Buffer.alloc(PEER_BYTES, PEER));
  const to = udp ? sock.localAddress(peer) : null;
  // User code that lib/ runs before the range check: an options getter, an address getter.
  const options = {
    get peek() {
      hooks.fire();
      return undefined;
    },
    get outOfBand() {
      hooks.fire();
      return undefined;
    },
  };
  const address =
    to === null
      ? null
      : {
          address: '127.0.0.1',
          get port() {
            hooks.fire();
            return (to as { port: number }).port;
          },
        };
  const reads = views.map(() => 0);
  const returned: unknown[] = [];
  const array = isSingle(c.call) ? [] : wrap(c, views, hooks, reads, returned);
  const view = views[0];
  const outcome = attempt(() => {
    switch (c.call) {
      case 'read':
        return io.read(mine, view, offset, length);
      case 'write':
        return io.write(mine, view, offset, length);
      case 'send':
        return sock.send(mine, view, offset, length, options);
      case 'recv':
        return sock.recv(mine, view, offset, length, options);
      case 'sendto':
        return sock.sendto(mine, view, address as never, offset, length);
      case 'recvfrom':
        return sock.recvfrom(mine, view, offset, length)?.bytes ?? null;
      case 'writev':
        return sock.writev(mine, array as ArrayBufferView[]);
      case 'readv':
        return sock.readv(mine, array as ArrayBufferView[]);
    }
  });
  try {
    return judge(c, built, outcome, { offset, length, reads, returned, spoofReads: hooks.spoofReads, mine, peer, udp });
  } finally {
    // The huge buffer is shared by every case: its windows go back to their pattern.
    for (const b of built)
      if (b.spec.memory === 'huge')
        for (const [at, bytes] of b.windows) new Uint8Array(b.buffer, at, bytes.length).set(bytes);
  }
}

interface Seen {
  offset: number | undefined;
  length: number | undefined;
  reads: number[];
  returned: unknown[];
  spoofReads: number;
  mine: number;
  peer: number;
  udp: boolean;
}

// The error the model expects, from the buffers as they are now (user code ran before the check).
function expectedError(c: HostileCase, built: Built[], seen: Seen): { name: string; code: string } | null {
  if (!isSingle(c.call)) {
    for (let i = 0; i < built.length; i++) {
      const value = seen.returned[i];
      if (!ArrayBuffer.isView(value)) return { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
      if (isDetached(built[i].buffer)) return { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };
    }
    return null;
  }
  if (isDetached(built[0].buffer)) return { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };
  const [, size] = realRange(built[0].view);
  const { offset, length } = seen;
  const exact = (n: number | undefined, max: number) => n === undefined || (Number.isInteger(n) && n >= 0 && n <= max);
  if (!exact(offset, size) || !exact(length, size - (offset ?? 0)))
    return { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
  if (c.call === 'sendto' && (length ?? size - (offset ?? 0)) > MAX_DATAGRAM)
    return { name: 'Error', code: 'EMSGSIZE' };
  return null;
}

// The byte ranges [buffer, from, size) the call was allowed to use, in order.
function allowedRanges(c: HostileCase, built: Built[], seen: Seen): { built: Built; from: number; size: number }[] {
  return built.map((b) => {
    const [start, size] = realRange(b.view);
    if (!isSingle(c.call)) return { built: b, from: start, size };
    const offset = seen.offset ?? 0;
    return { built: b, from: start + offset, size: Math.min(seen.length ?? size - offset, MAX_TRANSFER) };
  });
}

function readPeer(fd: number, udp: boolean): Buffer {
  const chunk = Buffer.alloc(LIMIT);
  const n = udp ? (sock.recvfrom(fd, chunk)?.bytes ?? null) : io.read(fd, chunk);
  return chunk.subarray(0, n ?? 0);
}

// Each element's user code runs exactly once: the proxy's trap for every element, the accessor's.
function expectedReads(c: HostileCase, i: number, count: number): number {
  if (isSingle(c.call) || c.wrapper === 'plain') return 0;
  return c.wrapper === 'proxy' || i === count - 1 ? 1 : 0;
}

function judge(c: HostileCase, built: Built[], outcome: Outcome, seen: Seen): string | null {
  const what = `${c.call} ${JSON.stringify(c)}`;
  if (seen.spoofReads > 0) return `${what}: a spoofing getter ran ${seen.spoofReads} times`;
  const runs = seen.reads.findIndex((n, i) => n !== expectedReads(c, i, seen.reads.length));
  if (runs >= 0) return `${what}: user code for element ${runs} ran ${seen.reads[runs]} times`;
  const expected = expectedError(c, built, seen);
  if (expected !== null || outcome.error !== undefined) {
    if (expected?.code !== outcome.error?.code || expected?.name !== outcome.error?.name)
      return `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(outcome)}`;
  }
  const ranges = expected === null ? allowedRanges(c, built, seen) : [];
  const capacity = ranges.reduce((sum, r) => sum + r.size, 0);
  const moved = typeof outcome.result === 'number' ? outcome.result : 0;
  if (moved > capacity) return `${what}: moved ${moved} bytes, more than the ${capacity} the views hold`;
  let left = isRead(c.call) ? moved : 0;
  for (const b of built) {
    const problem = memoryProblem(
      b,
      ranges.filter((r) => r.built === b),
      () => {
        const take = Math.min(left, ranges.find((r) => r.built === b)?.size ?? 0);
        left -= take;
        return take;
      },
    );
    if (problem !== null) return `${what}: ${problem}`;
  }
  if (isRead(c.call)) {
    const want = expected === null ? Math.min(PEER_BYTES, capacity) : 0;
    if (moved !== want) return `${what}: read ${moved} bytes, model says ${want}`;
    // A datagram is consumed whole, however little of it was read.
    const queued = readPeer(seen.mine, seen.udp).length;
    const wantQueued = seen.udp && expected === null ? 0 : PEER_BYTES - moved;
    return queued === wantQueued
      ? null
      : `${what}: ${queued} bytes left queued after reading ${moved}, model says ${wantQueued}`;
  }
  const fromPeer = readPeer(seen.peer, seen.udp);
  const sent = Buffer.concat(ranges.map((r) => Buffer.from(snapshotBytes(r.built, r.from, r.size)))).subarray(0, moved);
  if (!fromPeer.equals(sent))
    return `${what}: sent ${fromPeer.length} bytes that are not the ${moved} bytes of its range`;
  if (expected === null && capacity <= 4096 && moved !== capacity)
    return `${what}: wrote ${moved} of ${capacity} bytes`;
  return null;
}

// The bytes a range held before the call (its first LIMIT): the huge buffer is zero outside its
// watched windows, and so is a resizable one where it grew.
const LIMIT = 1 << 20;
function snapshotBytes(b: Built, from: number, size: number): Uint8Array {
  const out = new Uint8Array(Math.min(size, LIMIT));
  for (const [at, bytes] of b.windows) {
    const start = Math.max(from, at);
    const end = Math.min(from + out.length, at + bytes.length);
    if (start < end) out.set(bytes.subarray(start - at, end - at), start - from);
  }
  return out;
}

// Every byte outside the ranges read into is as it was; those read into hold the peer's bytes.
function memoryProblem(b: Built, ranges: { from: number; size: number }[], share: () => number): string | null {
  const take = ranges.length === 0 ? 0 : share();
  const written = ranges.length === 0 ? null : { from: ranges[0].from, to: ranges[0].from + take };
  const now = b.givenAway ?? b.buffer;
  for (const [at, before] of b.windows) {
    const current = new Uint8Array(now, at, Math.min(before.length, now.byteLength - at));
    for (let i = 0; i < current.length; i++) {
      const p = at + i;
      const inside = written !== null && p >= written.from && p < written.to;
      const want = inside ? PEER : before[i];
      if (current[i] !== want)
        return `byte ${p} of ${b.spec.memory} view ${b.givenAway ? '(given away) ' : ''}is ${current[i]}, model says ${want}`;
    }
  }
  return null;
}
