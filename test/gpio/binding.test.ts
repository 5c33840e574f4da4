// The GPIO binding called directly, as a caller that bypasses lib/ could: every view is bounded by
// what Node-API reports (-EFAULT), every value of the wrong shape is refused before the ioctl
// (-EINVAL), and only well-formed calls reach the kernel, which answers an fd that is no GPIO chip
// with ENOTTY. The eventfd here stands for any fd that is not one.
import * as os from 'node:os';

import { EventFd } from '../../lib';
import { binding } from '../../lib/core/binding';

const native = binding.gpio;
const { EFAULT, EINVAL, ENOTTY } = os.constants.errno;
let efd: EventFd;
beforeEach(() => {
  efd = new EventFd();
});
afterEach(() => efd.close());

function detached(): Uint8Array {
  const buffer = new ArrayBuffer(1024);
  const view = new Uint8Array(buffer);
  (structuredClone as (value: unknown, options: unknown) => unknown)(buffer, { transfer: [buffer] });
  return view;
}

// Resizable ArrayBuffers came with V8 11 (Node 20): on Node 18 there is no shrunk view to pass.
const RESIZABLE = typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === 'function';

function shrunk(): Uint8Array[] {
  if (!RESIZABLE) return [];
  const Resizable = ArrayBuffer as unknown as new (
    size: number,
    options: object,
  ) => ArrayBuffer & { resize(size: number): void };
  const buffer = new Resizable(1024, { maxByteLength: 1024 });
  const view = new Uint8Array(buffer);
  buffer.resize(8);
  return [view];
}

test('records go only into views at least their struct long', () => {
  const small = new Uint8Array(native.layout.chipInfoSize - 1);
  expect(native.chipInfo(efd.fd, small)).toBe(-EFAULT);
  expect(native.chipInfo(efd.fd, detached())).toBe(-EFAULT);
  for (const view of shrunk()) expect(native.chipInfo(efd.fd, view)).toBe(-EFAULT);
  expect(native.chipInfo(efd.fd, {} as Uint8Array)).toBe(-EFAULT);
  expect(native.chipInfo(efd.fd, new Uint8Array(native.layout.chipInfoSize))).toBe(-ENOTTY);
  // An overridden byteLength is not what Node-API reports.
  const liar = new Uint8Array(8);
  Object.defineProperty(liar, 'byteLength', { value: 1 << 20 });
  expect(native.lineInfo(efd.fd, 0, liar)).toBe(-EFAULT);
  expect(native.watchLineInfo(efd.fd, 0, new Uint8Array(native.layout.lineInfoSize - 1))).toBe(-EFAULT);
  expect(native.lineInfo(efd.fd, 0, new Uint8Array(native.layout.lineInfoSize))).toBe(-ENOTTY);
  expect(native.getValues(efd.fd, new BigUint64Array(1))).toBe(-EFAULT);
  expect(native.setValues(efd.fd, detached() as unknown as BigUint64Array)).toBe(-EFAULT);
  expect(native.getValues(efd.fd, new BigUint64Array(2))).toBe(-ENOTTY);
});

test.each([
  ['-1', -1],
  ['2**32', 2 ** 32],
  ['1.5', 1.5],
  ['NaN', NaN],
  ['a string', '1'],
  ['a bigint', 1n],
])('a line offset of %s is refused', (_, offset) => {
  const out = new Uint8Array(native.layout.lineInfoSize);
  expect(native.lineInfo(efd.fd, offset as number, out)).toBe(-EINVAL);
  expect(native.watchLineInfo(efd.fd, offset as number, out)).toBe(-EINVAL);
  expect(native.unwatchLineInfo(efd.fd, offset as number)).toBe(-EINVAL);
});

test('2^32 - 1 is an offset, for the kernel to judge', () => {
  expect(native.unwatchLineInfo(efd.fd, 2 ** 32 - 1)).toBe(-ENOTTY);
});

const config = new BigUint64Array([0n]);
const offsets = new Uint32Array([0]);

test.each([
  ['no offsets', [null, new Uint32Array(0), 'c', config, 0]],
  ['65 offsets', [null, new Uint32Array(65), 'c', config, 0]],
  ['offsets of an odd byte count', [null, new Uint8Array(6), 'c', config, 0]],
  ['offsets that are no view', [null, [0], 'c', config, 0]],
  ['detached offsets', [null, detached(), 'c', config, 0]],
  ['a consumer that is no string', [null, offsets, 7, config, 0]],
  ['an empty config', [null, offsets, 'c', new BigUint64Array(0), 0]],
  ['a config with half an attribute', [null, offsets, 'c', new BigUint64Array(3), 0]],
  ['a config of 11 attributes', [null, offsets, 'c', new BigUint64Array(34), 0]],
  ['a config of odd bytes', [null, offsets, 'c', new Uint8Array(12), 0]],
  ['a negative event buffer size', [null, offsets, 'c', config, -1]],
  ['an event buffer size past 2^32', [null, offsets, 'c', config, 2 ** 32]],
])('requestLines refuses %s before the ioctl', (_, args) => {
  const [, ...rest] = args as [unknown, ...unknown[]];
  const call = native.requestLines as (...a: unknown[]) => number;
  expect(call(efd.fd, ...rest)).toBe(-EINVAL);
});

test('well-formed requests reach the kernel: 64 lines, 10 attributes, a long consumer cut to 31 bytes', () => {
  expect(native.requestLines(efd.fd, new Uint32Array(64), 'x'.repeat(100), new BigUint64Array(31), 1024)).toBe(-ENOTTY);
  expect(native.requestLines(efd.fd, offsets, 'c', config, 0)).toBe(-ENOTTY);
});

test('setConfig refuses configs of the wrong shape, and passes good ones to the kernel', () => {
  expect(native.setConfig(efd.fd, new BigUint64Array(2))).toBe(-EINVAL);
  expect(native.setConfig(efd.fd, detached() as unknown as BigUint64Array)).toBe(-EINVAL);
  expect(native.setConfig(efd.fd, new BigUint64Array(4))).toBe(-ENOTTY);
});

test('a view whose byteOffset is not aligned is read byte by byte, not refused', () => {
  const bytes = new Uint8Array(1 + 16);
  const unaligned = new DataView(bytes.buffer, 1, 16);
  expect(native.getValues(efd.fd, unaligned as unknown as BigUint64Array)).toBe(-ENOTTY);
  const config4 = new DataView(new ArrayBuffer(1 + 32), 1, 32);
  expect(native.setConfig(efd.fd, config4 as unknown as BigUint64Array)).toBe(-ENOTTY);
});
