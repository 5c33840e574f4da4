// Regression tests for issue 11's memory-safety defects, each named after the bug. Every hostile
// call runs in a child process, so that a crash (the old code wrote past buffers) is a failure
// showing its signal rather than the end of the test run. Each child reports what it saw as JSON;
// the assertions are here. Each was run against the code before the fix and failed there.
import * as path from 'node:path';

import { PACKAGE, runScript } from '../support/child';

// Helpers every child script gets: the package, the raw binding, a way to record a call's outcome.
const PRELUDE = `
const { io, sock } = LINUX_EPOLL;
const { binding } = require(${JSON.stringify(path.join(path.dirname(PACKAGE), 'core/binding.js'))});
function attempt(fn) {
  try { return { result: fn() }; } catch (e) { return { name: e.name, code: e.code }; }
}
function drain(fd) {
  const chunks = [];
  const chunk = Buffer.alloc(1 << 16);
  for (let n; (n = io.read(fd, chunk)) !== null && n > 0; ) chunks.push(Buffer.from(chunk.subarray(0, n)));
  return Buffer.concat(chunks);
}
// A view of 'size' bytes at 'at' inside an arena of sentinel bytes: what lies outside must stay.
function arena(total, sentinel = 0xee) { return new Uint8Array(total).fill(sentinel); }
function outside(bytes, ...ranges) {
  return bytes.some((b, i) => b !== 0xee && !ranges.some(([at, size]) => i >= at && i < at + size));
}
function report(value) { process.stdout.write(JSON.stringify(value) + '\\n'); }
`;

// Runs a hostile script in a child and returns what it reported; the child must exit cleanly.
async function inChild(source: string, args: string[] = []): Promise<Record<string, any>> {
  const result = await runScript(PRELUDE + source, { args, timeoutMs: 20000 });
  expect({ signal: result.signal, code: result.code, stderr: result.stderr }).toEqual({
    signal: null,
    code: 0,
    stderr: '',
  });
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

const OUT_OF_RANGE = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
// Resizable ArrayBuffers came with V8 11 (Node 20): on Node 18 `maxByteLength` is ignored and the
// buffer has no resize(), so the attack cannot be mounted there, and the tests assert exactly that.
const RESIZABLE = typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === 'function';
const NOT_RESIZABLE = { resizable: false };

describe('memory safety (issue 11): lengths and offsets trusted from JS', () => {
  test('io.read into a view whose byteLength is spoofed by defineProperty writes only within the view', async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const bytes = arena(70000);
      const view = new Uint8Array(bytes.buffer, 0, 16);
      Object.defineProperty(view, 'byteLength', { value: 65536 });
      io.write(w, Buffer.alloc(65536, 0x41));
      const ranged = attempt(() => io.read(r, view, 0, 65536));
      const overwritten = outside(bytes, [0, 16]);
      // The whole view, with nothing said: exactly its 16 real bytes.
      const whole = attempt(() => io.read(r, view));
      // The issue's crash: a lone 16-byte view and a 64 KiB read.
      const lone = new Uint8Array(16);
      Object.defineProperty(lone, 'byteLength', { value: 65536 });
      const loneRead = attempt(() => io.read(r, lone, 0, 65536));
      report({ ranged, overwritten, whole, loneRead });
    `);
    expect(seen).toEqual({ ranged: OUT_OF_RANGE, overwritten: false, whole: { result: 16 }, loneRead: OUT_OF_RANGE });
  });

  test('io.write from a view whose byteLength a subclass getter spoofs sends nothing past the view', async () => {
    const seen = await inChild(`
      class Spoofed extends Uint8Array { get byteLength() { return 4096; } }
      const [r, w] = io.pipe();
      const secret = new Uint8Array(8192).fill(0x53);
      const view = new Spoofed(secret.buffer, 0, 8).fill(0x41);
      const ranged = attempt(() => io.write(w, view, 0, 4096));
      const afterRanged = drain(r).length;
      const whole = attempt(() => io.write(w, view));
      report({ ranged, afterRanged, whole, sent: drain(r).toString('latin1') });
    `);
    expect(seen).toEqual({ ranged: OUT_OF_RANGE, afterRanged: 0, whole: { result: 8 }, sent: 'AAAAAAAA' });
  });

  test('sock.send, recv, sendto and recvfrom bound the range by the view itself, not a spoofed byteLength (DataView too)', async () => {
    const seen = await inChild(`
      function spoof(view) { Object.defineProperty(view, 'byteLength', { value: 4096 }); return view; }
      const [a, b] = io.socketpair();
      const secret = new Uint8Array(8192).fill(0x53);
      const sendView = spoof(new DataView(secret.buffer, 0, 8));
      const send = attempt(() => sock.send(a, sendView, 0, 4096));
      const sendWhole = attempt(() => sock.send(a, sendView));
      const bytes = arena(8192);
      const recvView = spoof(new Uint8Array(bytes.buffer, 0, 4));
      io.write(a, Buffer.alloc(4096, 0x41));
      const recv = attempt(() => sock.recv(b, recvView, 0, 4096));
      const recvOverwritten = outside(bytes, [0, 4]);
      const u1 = sock.bindUdp(), u2 = sock.bindUdp();
      const to = sock.localAddress(u2);
      const sendto = attempt(() => sock.sendto(u1, sendView, to, 0, 4096));
      const sendtoWhole = attempt(() => sock.sendto(u1, sendView, to));
      const datagram = arena(8192);
      const fromView = spoof(new Uint8Array(datagram.buffer, 0, 4));
      sock.sendto(u1, Buffer.alloc(4096, 0x42), to);
      const recvfrom = attempt(() => sock.recvfrom(u2, fromView, 0, 4096));
      const recvfromOverwritten = outside(datagram, [0, 4]);
      report({ send, sendWhole, recv, recvOverwritten, sendto, sendtoWhole, recvfrom, recvfromOverwritten });
    `);
    expect(seen).toEqual({
      send: OUT_OF_RANGE,
      sendWhole: { result: 8 },
      recv: OUT_OF_RANGE,
      recvOverwritten: false,
      sendto: OUT_OF_RANGE,
      sendtoWhole: { result: 8 },
      recvfrom: OUT_OF_RANGE,
      recvfromOverwritten: false,
    });
  });

  test("byteOffset, length and byteLength spoofed on the view, and byteLength redefined on %TypedArray%.prototype, leave the range the view's own", async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const bytes = arena(70000);
      const view = new Uint8Array(bytes.buffer, 100, 16);
      for (const [key, value] of [['byteOffset', 0], ['length', 65536], ['byteLength', 65536]]) {
        Object.defineProperty(view, key, { value });
      }
      io.write(w, Buffer.alloc(65536, 0x41));
      const own = attempt(() => io.read(r, view));
      const ownOutside = outside(bytes, [100, 16]);
      // Redefined after the package loaded: lib/ captured the intrinsic getter at load.
      const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
      Object.defineProperty(TypedArrayPrototype, 'byteLength', { get() { return 65536; } });
      const plain = new Uint8Array(bytes.buffer, 200, 8);
      const intrinsic = attempt(() => io.read(r, plain));
      report({ own, ownOutside, intrinsic, intrinsicOutside: outside(bytes, [100, 16], [200, 8]) });
    `);
    expect(seen).toEqual({ own: { result: 16 }, ownOutside: false, intrinsic: { result: 8 }, intrinsicOutside: false });
  });

  test('a byteLength getter that shrinks a resizable buffer cannot make io.read write past its end', async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const rab = new ArrayBuffer(64, { maxByteLength: 64 });
      let calls = 0;
      class Shrinking extends Uint8Array { get byteLength() { calls++; rab.resize(16); return 64; } }
      const view = new Shrinking(rab);
      io.write(w, Buffer.alloc(64, 0x41));
      const read = attempt(() => io.read(r, view, 0, 64));
      report({ read, calls, fits: read.result === undefined || read.result <= rab.byteLength });
    `);
    expect(seen).toEqual({ read: { result: 64 }, calls: 0, fits: true });
  });
});

describe('memory safety (issue 11): offsets and lengths at or above 2^31', () => {
  // new ArrayBuffer(2 ** 32 + 64) reserves 4 GiB that the kernel never commits: only the pages
  // touched here are backed by memory.
  test('io.write at 2**32 + 8 sends the bytes at that offset, and io.read at 2**31 + 8 lands there', async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const ab = new ArrayBuffer(2 ** 32 + 64);
      const view = new DataView(ab);
      new Uint8Array(ab, 2 ** 32 + 8, 8).set(Buffer.from('MARKER!!'));
      const wrote = attempt(() => io.write(w, view, 2 ** 32 + 8, 8));
      const sent = drain(r).toString('latin1');
      io.write(w, Buffer.from('landing!'));
      const read = attempt(() => io.read(r, view, 2 ** 31 + 8, 8));
      const landed = Buffer.from(new Uint8Array(ab, 2 ** 31 + 8, 8)).toString('latin1');
      const low = new Uint8Array(ab, 0, 64).every((b) => b === 0);
      report({ wrote, sent, read, landed, low });
    `);
    expect(seen).toEqual({
      wrote: { result: 8 },
      sent: 'MARKER!!',
      read: { result: 8 },
      landed: 'landing!',
      low: true,
    });
  });

  test('sock.send and sock.recv at offsets past 2**32 use those offsets', async () => {
    const seen = await inChild(`
      const [a, b] = io.socketpair();
      const ab = new ArrayBuffer(2 ** 32 + 64);
      const view = new Uint16Array(ab);
      new Uint8Array(ab, 2 ** 32 + 16, 6).set(Buffer.from('MARKER'));
      const sent = attempt(() => sock.send(a, view, 2 ** 32 + 16, 6));
      const received = attempt(() => sock.recv(b, view, 2 ** 32 + 40, 6));
      report({ sent, received, landed: Buffer.from(new Uint8Array(ab, 2 ** 32 + 40, 6)).toString('latin1'), low: new Uint8Array(ab, 0, 64).every((x) => x === 0) });
    `);
    expect(seen).toEqual({ sent: { result: 6 }, received: { result: 6 }, landed: 'MARKER', low: true });
  });

  // lib/ caps a length at MAX_RW_COUNT before it crosses; a caller of the binding itself got its
  // length truncated to 32 bits.
  test("a length past 2**32 given to the binding is capped at one syscall's limit, not wrapped to a small number", async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const ab = new ArrayBuffer(2 ** 32 + 64);
      const wrote = binding.io.write(w, new DataView(ab), 0, 2 ** 32 + 64);
      report({ wrote, pipeHolds: drain(r).length });
    `);
    // The pipe takes what fits (64 KiB by default); a length wrapped to 64 would have written 64.
    expect(seen.wrote).toBe(seen.pipeHolds);
    expect(seen.pipeHolds).toBeGreaterThan(64);
  });
});

describe('memory safety (issue 11): user code in the middle of a native call', () => {
  // A getter on buffers[1] that detaches buffers[0] on a given read, giving its memory to a clone.
  const DETACHING = `
    function detachingBuffers(onRead) {
      const ab0 = new ArrayBuffer(32);
      const v1 = new Uint8Array(32);
      const state = { reads: 0, givenAway: null };
      const buffers = [new Uint8Array(ab0)];
      Object.defineProperty(buffers, 1, { enumerable: true, get() {
        if (++state.reads === onRead) state.givenAway = new Uint8Array(structuredClone(ab0, { transfer: [ab0] }));
        return v1;
      } });
      return { buffers, state };
    }
  `;

  test('readv with an accessor element that detaches an earlier buffer writes nothing into the memory given away', async () => {
    const seen = await inChild(`${DETACHING}
      const [r, w] = io.pipe();
      // On its second read: the old code read each element in lib/ and then again in native code.
      const { buffers, state } = detachingBuffers(2);
      io.write(w, Buffer.alloc(64, 0x41));
      const read = attempt(() => sock.readv(r, buffers));
      report({ read, reads: state.reads, givenAwayWritten: state.givenAway !== null && state.givenAway.some((b) => b !== 0) });
    `);
    expect(seen).toEqual({ read: { result: 64 }, reads: 1, givenAwayWritten: false });
  });

  test("readv refuses a buffer that a later element's getter detached, instead of silently skipping it", async () => {
    const seen = await inChild(`${DETACHING}
      const [r, w] = io.pipe();
      const { buffers, state } = detachingBuffers(1);
      io.write(w, Buffer.alloc(64, 0x41));
      const read = attempt(() => sock.readv(r, buffers));
      report({ read, reads: state.reads, unread: drain(r).length });
    `);
    expect(seen).toEqual({ read: { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }, reads: 1, unread: 64 });
  });

  test('a Proxy of an array runs its traps only while lib/ copies it, so readv never writes into a buffer its trap detached', async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const ab0 = new ArrayBuffer(32);
      const target = [new Uint8Array(ab0), new Uint8Array(32)];
      let elementReads = 0, givenAway = null;
      const buffers = new Proxy(target, { get(t, key) {
        if (key === '1' && ++elementReads === 2) givenAway = new Uint8Array(structuredClone(ab0, { transfer: [ab0] }));
        return t[key];
      } });
      io.write(w, Buffer.alloc(64, 0x41));
      const read = attempt(() => sock.readv(r, buffers));
      report({ read, elementReads, givenAwayWritten: givenAway !== null && givenAway.some((b) => b !== 0) });
    `);
    expect(seen).toEqual({ read: { result: 64 }, elementReads: 1, givenAwayWritten: false });
  });

  test("writev(['A', 'hello']) through a getter that alternates a Buffer and a string is a TypeError, not a silent partial write", async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      let reads = 0;
      const buffers = [];
      Object.defineProperty(buffers, 0, { enumerable: true, get() { return reads++ % 2 === 0 ? 'A' : Buffer.from('A'); } });
      buffers[1] = Buffer.from('hello');
      const wrote = attempt(() => sock.writev(w, buffers));
      report({ wrote, reads, sent: drain(r).toString() });
    `);
    expect(seen).toEqual({ wrote: { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, reads: 1, sent: '' });
  });

  test('readv with a getter that shrinks an earlier resizable buffer cannot read past its end', async () => {
    const seen = await inChild(`
      const [r, w] = io.pipe();
      const rab = new ArrayBuffer(16, { maxByteLength: 64 });
      if (typeof rab.resize !== 'function') {
        report({ resizable: false });
      } else {
        const v1 = new Uint8Array(8);
        let reads = 0;
        const buffers = [new Uint8Array(rab)];
        // Grows the buffer on odd reads and shrinks it on even ones.
        Object.defineProperty(buffers, 1, { enumerable: true, get() { rab.resize(++reads % 2 === 1 ? 64 : 16); return v1; } });
        io.write(w, Buffer.alloc(100, 0x41));
        const read = attempt(() => sock.readv(r, buffers));
        report({ read, reads, fits: read.result <= rab.byteLength + v1.byteLength });
      }
    `);
    expect(seen).toEqual(RESIZABLE ? { read: { result: 72 }, reads: 1, fits: true } : NOT_RESIZABLE);
  });
});

describe('memory safety (issue 11): the native binding called without lib/', () => {
  test('a Poller asked for a negative, fractional or huge maxEvents is refused with a RangeError, not a V8 abort', async () => {
    const seen = await inChild(`
      const { Poller } = binding.epoll;
      const sizes = [-1, 0, 1.5, Poller.maxEvents + 1, 2 ** 31, 2 ** 40, NaN];
      const refused = sizes.map((size) => attempt(() => new Poller(size, false, () => {}, false)).name);
      const ok = new Poller(Poller.maxEvents, false, () => {}, false);
      report({ refused, largest: ok.buffer.byteLength / binding.epoll.Poller.eventLayout.stride / 4 });
      ok.close();
    `);
    expect(seen).toEqual({ refused: Array(7).fill('RangeError'), largest: 65536 });
  });

  test('every native function refuses a buffer, range or address that lib/ would never pass, touching nothing', async () => {
    const seen = await inChild(`
      const k = binding.sock.constants;
      const [r, w] = io.pipe();
      io.write(w, Buffer.alloc(65536, 0x41));
      const bytes = arena(70000);
      const small = new Uint8Array(bytes.buffer, 0, 16);
      const listener = sock.listenTcp();
      const client = sock.connectTo(sock.localAddress(listener)).fd;
      const udp = sock.socket('IPv6', 'datagram');
      const fdsBefore = require('fs').readdirSync('/proc/self/fd').length;
      const answers = {
        readPastView: binding.io.read(r, small, 0, 65536),
        readOffsetPastView: binding.io.read(r, small, 17, 0),
        readFractionalOffset: binding.io.read(r, small, 1.5, 1),
        readNegativeOffset: binding.io.read(r, small, -1, 1),
        readWrappingOffset: binding.io.read(r, small, 2 ** 32, 1),
        readNaNLength: binding.io.read(r, small, 0, NaN),
        readStringLength: binding.io.read(r, small, 0, '16'),
        readNoView: binding.io.read(r, { byteLength: 16 }, 0, 16),
        writePastView: binding.io.write(w, small, 8, 4096),
        sendPastView: binding.sock.send(client, small, 0, 4096, 0),
        recvPastView: binding.sock.recv(client, small, 0, 4096, 0),
        writevNonView: binding.sock.writev(w, [Buffer.from('x'), 'A'], 2),
        writevTooMany: binding.sock.writev(w, new Array(1025).fill(small)),
        readvProxy: binding.sock.readv(r, new Proxy([small], {})),
        acceptSmallRecord: binding.sock.accept(listener, new Uint8Array(4)),
        localAddressSmallRecord: binding.sock.localAddress(listener, new Uint8Array(4)),
        recvfromSmallRecord: binding.sock.recvfrom(udp, small, 0, 16, new Uint8Array(4)),
        pipeShortOut: binding.io.pipe(new Int32Array(1)),
        socketpairWrongOut: binding.io.socketpair(new Uint8Array(8)),
        bindShortIPv6: binding.sock.bind(udp, k.AF_INET6, new Uint8Array(1), 0, 0),
        bindUnknownFamily: binding.sock.bind(udp, 12345, new Uint8Array(4), 0, 0),
        connectLongUnixPath: binding.sock.connect(client, k.AF_UNIX, new Uint8Array(200).fill(0x61), 0, 0),
      };
      report({ answers, outside: outside(bytes, [0, 16]), fdsLeaked: require('fs').readdirSync('/proc/self/fd').length - fdsBefore });
    `);
    const { EFAULT, EINVAL, EAFNOSUPPORT } = require('node:os').constants.errno;
    expect(seen).toEqual({
      answers: {
        readPastView: -EFAULT,
        readOffsetPastView: -EFAULT,
        readFractionalOffset: -EFAULT,
        readNegativeOffset: -EFAULT,
        readWrappingOffset: -EFAULT,
        readNaNLength: -EFAULT,
        readStringLength: -EFAULT,
        readNoView: -EFAULT,
        writePastView: -EFAULT,
        sendPastView: -EFAULT,
        recvPastView: -EFAULT,
        writevNonView: -EFAULT,
        writevTooMany: -EINVAL,
        readvProxy: -EFAULT,
        acceptSmallRecord: -EFAULT,
        localAddressSmallRecord: -EFAULT,
        recvfromSmallRecord: -EFAULT,
        pipeShortOut: -EFAULT,
        socketpairWrongOut: -EFAULT,
        bindShortIPv6: -EINVAL,
        bindUnknownFamily: -EAFNOSUPPORT,
        connectLongUnixPath: -EINVAL,
      },
      outside: false,
      fdsLeaked: 0,
    });
  });
});
