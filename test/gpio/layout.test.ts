// The struct layouts lib/gpio parses, as native/gpio/gpio_layout.cc reads them from <linux/gpio.h>
// with sizeof and offsetof, against the uAPI's frozen ABI (the same on every architecture, as the
// header pads explicitly), and the parsers on records built at those offsets.
import * as os from 'node:os';

import { binding } from '../../lib/core/binding';
import { EventSequence } from '../../lib/gpio/line-events';
import { parseLineInfo } from '../../lib/gpio/line-info';
import { RecordReader } from '../../lib/gpio/records';

const { layout, constants: k } = binding.gpio;
const LE = os.endianness() === 'LE';

test('the structs have the sizes and offsets of the v2 ABI', () => {
  expect(layout).toEqual({
    chipInfoSize: 68,
    chipInfoName: 0,
    chipInfoLabel: 32,
    chipInfoLines: 64,
    lineInfoSize: 256,
    lineInfoName: 0,
    lineInfoConsumer: 32,
    lineInfoOffset: 64,
    lineInfoNumAttrs: 68,
    lineInfoFlags: 72,
    lineInfoAttrs: 80,
    attrSize: 16,
    attrId: 0,
    attrValue: 8,
    changedSize: 288,
    changedInfo: 0,
    changedTimestamp: 256,
    changedType: 264,
    eventSize: 48,
    eventTimestamp: 0,
    eventId: 8,
    eventOffset: 12,
    eventSeqno: 16,
    eventLineSeqno: 20,
    requestSize: 592,
    configSize: 272,
  });
  expect(binding.gpio.configWords).toBe(1 + 3 * k.NUM_ATTRS_MAX);
});

test('the constants are the header values, and every flag fits in 32 bits (lib reads the low word)', () => {
  expect(k).toMatchObject({
    MAX_NAME_SIZE: 32,
    LINES_MAX: 64,
    NUM_ATTRS_MAX: 10,
    FLAG_USED: 1,
    FLAG_EVENT_CLOCK_HTE: 4096,
  });
  for (const [name, value] of Object.entries(k)) if (name.startsWith('FLAG_')) expect(value).toBeLessThan(2 ** 32);
});

function writeString(view: DataView, at: number, text: string): void {
  Buffer.from(text).forEach((byte, i) => view.setUint8(at + i, byte));
}

function lineInfoRecord(flags: number, debounceUs = 0): RecordReader {
  const record = new RecordReader(layout.lineInfoSize);
  const view = new DataView(record.bytes.buffer);
  writeString(view, layout.lineInfoName, 'BUTTON');
  // A full field, with no NUL: the string ends at the field's end.
  writeString(view, layout.lineInfoConsumer, 'c'.repeat(32));
  view.setUint32(layout.lineInfoOffset, 7, LE);
  view.setBigUint64(layout.lineInfoFlags, BigInt(flags), LE);
  if (debounceUs > 0) {
    view.setUint32(layout.lineInfoNumAttrs, 2, LE);
    view.setUint32(layout.lineInfoAttrs + layout.attrId, k.ATTR_ID_FLAGS, LE);
    view.setUint32(layout.lineInfoAttrs + layout.attrSize + layout.attrId, k.ATTR_ID_DEBOUNCE, LE);
    view.setUint32(layout.lineInfoAttrs + layout.attrSize + layout.attrValue, debounceUs, LE);
  }
  return record;
}

test('a line info record parses into names, flags and the debounce attribute', () => {
  const flags = k.FLAG_USED | k.FLAG_INPUT | k.FLAG_ACTIVE_LOW | k.FLAG_EDGE_RISING | k.FLAG_EDGE_FALLING;
  expect(parseLineInfo(lineInfoRecord(flags | k.FLAG_BIAS_PULL_UP | k.FLAG_EVENT_CLOCK_REALTIME, 5000))).toEqual({
    offset: 7,
    name: 'BUTTON',
    consumer: 'c'.repeat(32),
    used: true,
    direction: 'input',
    activeLow: true,
    bias: 'pull-up',
    drive: 'push-pull',
    edge: 'both',
    eventClock: 'realtime',
    debounceUs: 5000,
  });
  expect(parseLineInfo(lineInfoRecord(k.FLAG_OUTPUT | k.FLAG_OPEN_DRAIN | k.FLAG_BIAS_DISABLED))).toMatchObject({
    used: false,
    direction: 'output',
    drive: 'open-drain',
    bias: 'disabled',
    edge: 'none',
    eventClock: 'monotonic',
    debounceUs: 0,
  });
  expect(parseLineInfo(lineInfoRecord(k.FLAG_EDGE_FALLING | k.FLAG_BIAS_PULL_DOWN | k.FLAG_OPEN_SOURCE))).toMatchObject(
    { edge: 'falling', bias: 'pull-down', drive: 'open-source' },
  );
});

test('a hostile attribute count is bounded by the array the struct has', () => {
  const record = lineInfoRecord(k.FLAG_INPUT);
  new DataView(record.bytes.buffer).setUint32(layout.lineInfoNumAttrs, 0xffffffff, LE);
  expect(parseLineInfo(record).debounceUs).toBe(0);
});

function eventRecords(seqnos: number[]): RecordReader {
  const record = new RecordReader(seqnos.length * layout.eventSize);
  const view = new DataView(record.bytes.buffer);
  seqnos.forEach((seqno, i) => {
    const at = i * layout.eventSize;
    view.setBigUint64(at + layout.eventTimestamp, 2n ** 63n + BigInt(i), LE);
    view.setUint32(at + layout.eventId, i % 2 === 0 ? k.EVENT_RISING_EDGE : k.EVENT_FALLING_EDGE, LE);
    view.setUint32(at + layout.eventOffset, 3, LE);
    view.setUint32(at + layout.eventSeqno, seqno, LE);
    view.setUint32(at + layout.eventLineSeqno, i + 1, LE);
  });
  return record;
}

test('events parse in order, with 64-bit timestamps, and seqno gaps count as dropped', () => {
  const sequence = new EventSequence();
  const events = sequence.parse(eventRecords([1, 2, 5, 6]), 4);
  expect(events.map((e) => [e.edge, e.seqno, e.lineSeqno, e.dropped])).toEqual([
    ['rising', 1, 1, 0],
    ['falling', 2, 2, 0],
    ['rising', 5, 3, 2],
    ['falling', 6, 4, 0],
  ]);
  expect(events[3]).toMatchObject({ offset: 3, timestampNs: 2n ** 63n + 3n });
  expect(sequence.dropped).toBe(2);
  // A gap across two reads counts too.
  expect(sequence.parse(eventRecords([10]), 1)[0].dropped).toBe(3);
  expect(sequence.dropped).toBe(5);
});

test('the 32-bit seqno wraps without a false gap', () => {
  const sequence = new EventSequence();
  sequence.parse(eventRecords([0xffffffff]), 1);
  const [first] = sequence.parse(eventRecords([0]), 1);
  expect(first.dropped).toBe(0);
  expect(sequence.dropped).toBe(0xffffffff - 1);
});

// The binary is built against headers as old as 5.10's, which lack these two: their ABI bits are
// written out natively, and must be the kernel's (<linux/gpio.h>: _BITULL(11) and _BITULL(12)).
test('the event-clock flags newer than the oldest headers have their ABI bits', () => {
  expect([k.FLAG_EVENT_CLOCK_REALTIME, k.FLAG_EVENT_CLOCK_HTE]).toEqual([2 ** 11, 2 ** 12]);
});
