// struct gpio_v2_line_info as a plain object: what a line is, who holds it, how it is configured.
import { layout, uapi, type RecordReader } from './records';

export type Direction = 'input' | 'output';
export type Bias = 'as-is' | 'pull-up' | 'pull-down' | 'disabled';
export type Drive = 'push-pull' | 'open-drain' | 'open-source';
export type Edge = 'none' | 'rising' | 'falling' | 'both';
export type EventClock = 'monotonic' | 'realtime' | 'hte';

export interface LineInfo {
  offset: number;
  /** '' when the chip names no line here. */
  name: string;
  /** The holder's label; '' when free, or held without one. */
  consumer: string;
  /** Requested by someone (any process, or the kernel): a request of it gets EBUSY. */
  used: boolean;
  direction: Direction;
  activeLow: boolean;
  bias: Bias;
  drive: Drive;
  edge: Edge;
  eventClock: EventClock;
  /** 0 when not debounced. */
  debounceUs: number;
}

function has(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}

function bias(flags: number): Bias {
  if (has(flags, uapi.FLAG_BIAS_PULL_UP)) return 'pull-up';
  if (has(flags, uapi.FLAG_BIAS_PULL_DOWN)) return 'pull-down';
  return has(flags, uapi.FLAG_BIAS_DISABLED) ? 'disabled' : 'as-is';
}

function drive(flags: number): Drive {
  if (has(flags, uapi.FLAG_OPEN_DRAIN)) return 'open-drain';
  return has(flags, uapi.FLAG_OPEN_SOURCE) ? 'open-source' : 'push-pull';
}

function edge(flags: number): Edge {
  const rising = has(flags, uapi.FLAG_EDGE_RISING);
  const falling = has(flags, uapi.FLAG_EDGE_FALLING);
  if (rising) return falling ? 'both' : 'rising';
  return falling ? 'falling' : 'none';
}

function eventClock(flags: number): EventClock {
  if (has(flags, uapi.FLAG_EVENT_CLOCK_REALTIME)) return 'realtime';
  return has(flags, uapi.FLAG_EVENT_CLOCK_HTE) ? 'hte' : 'monotonic';
}

// The kernel reports a debounce period as an attribute, only when one is set.
function debounceUs(record: RecordReader, at: number): number {
  const count = Math.min(record.u32(at + layout.lineInfoNumAttrs), uapi.NUM_ATTRS_MAX);
  for (let i = 0; i < count; i++) {
    const attr = at + layout.lineInfoAttrs + i * layout.attrSize;
    if (record.u32(attr + layout.attrId) === uapi.ATTR_ID_DEBOUNCE) return record.u32(attr + layout.attrValue);
  }
  return 0;
}

/** The struct gpio_v2_line_info at byte `at` of record. */
export function parseLineInfo(record: RecordReader, at = 0): LineInfo {
  const flags = record.flags(at + layout.lineInfoFlags);
  return {
    offset: record.u32(at + layout.lineInfoOffset),
    name: record.string(at + layout.lineInfoName),
    consumer: record.string(at + layout.lineInfoConsumer),
    used: has(flags, uapi.FLAG_USED),
    direction: has(flags, uapi.FLAG_OUTPUT) ? 'output' : 'input',
    activeLow: has(flags, uapi.FLAG_ACTIVE_LOW),
    bias: bias(flags),
    drive: drive(flags),
    edge: edge(flags),
    eventClock: eventClock(flags),
    debounceUs: debounceUs(record, at),
  };
}
