// A line config as the user writes it, checked and turned into the words native fills
// struct gpio_v2_line_config from: flags, then (id, value, mask) per attribute. One config applies
// to every line of a request; the kernel's rules on combining flags are checked here first, so a
// mistake gets a message naming the option instead of the kernel's bare EINVAL.
import { invalidArgType, invalidArgValue } from '../core/errors';
import { copyArray, validateBoolean, validateInteger, validateOneOf, validateOptions } from '../core/validate';
import type { Bias, Drive, Edge } from './line-info';
import { uapi } from './records';

export type RequestDirection = 'input' | 'output' | 'as-is';
export type LineValue = 0 | 1 | boolean;

export interface LineConfig {
  /** Default 'input'. 'as-is' leaves the line's direction (and an output's level) as it is. */
  direction?: RequestDirection;
  /** Values and edges are then logical: active (1) is the low level. Default false. */
  activeLow?: boolean;
  /** Default 'as-is'. Needs direction 'input' or 'output'. */
  bias?: Bias;
  /** Default 'push-pull'; the others need direction 'output'. */
  drive?: Drive;
  /** Which edges are reported as events. Default 'none'; others need direction 'input'. */
  edge?: Edge;
  /** Edges are reported once the line is stable this long, in µs (0 to 2^32-1). Default 0 (off). Needs direction 'input'. */
  debounceUs?: number;
  /** The clock of event timestamps. Default 'monotonic' (CLOCK_MONOTONIC). */
  eventClock?: 'monotonic' | 'realtime';
  /** The initial output values, one per line in request order. Needs direction 'output'. Default all 0. */
  values?: readonly LineValue[];
}

const DIRECTIONS: readonly RequestDirection[] = ['input', 'output', 'as-is'];
const BIASES: readonly Bias[] = ['as-is', 'pull-up', 'pull-down', 'disabled'];
const DRIVES: readonly Drive[] = ['push-pull', 'open-drain', 'open-source'];
const EDGES: readonly Edge[] = ['none', 'rising', 'falling', 'both'];
const CLOCKS: readonly ('monotonic' | 'realtime')[] = ['monotonic', 'realtime'];

const DIRECTION_FLAGS: Record<RequestDirection, number> = {
  input: uapi.FLAG_INPUT,
  output: uapi.FLAG_OUTPUT,
  'as-is': 0,
};
const BIAS_FLAGS: Record<Bias, number> = {
  'as-is': 0,
  'pull-up': uapi.FLAG_BIAS_PULL_UP,
  'pull-down': uapi.FLAG_BIAS_PULL_DOWN,
  disabled: uapi.FLAG_BIAS_DISABLED,
};
const DRIVE_FLAGS: Record<Drive, number> = {
  'push-pull': 0,
  'open-drain': uapi.FLAG_OPEN_DRAIN,
  'open-source': uapi.FLAG_OPEN_SOURCE,
};
const EDGE_FLAGS: Record<Edge, number> = {
  none: 0,
  rising: uapi.FLAG_EDGE_RISING,
  falling: uapi.FLAG_EDGE_FALLING,
  both: uapi.FLAG_EDGE_RISING | uapi.FLAG_EDGE_FALLING,
};

function optional<T>(value: unknown, fallback: T, validate: (value: unknown) => T): T {
  return value === undefined ? fallback : validate(value);
}

/** A line value: 0, 1, true or false, as a bit. */
export function validateLineValue(value: unknown, name: string): 0n | 1n {
  if (value === 0 || value === false) return 0n;
  if (value === 1 || value === true) return 1n;
  if (typeof value === 'number' || typeof value === 'boolean')
    throw invalidArgValue(RangeError, name, value, 'must be 0 or 1');
  throw invalidArgType(name, '0, 1 or a boolean', value);
}

/** The bits of values (one per line, in request order) and the mask of the lines they cover. */
export function valueBits(values: readonly unknown[], name: string): { bits: bigint; mask: bigint } {
  let bits = 0n;
  let mask = 0n;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === undefined) continue;
    bits |= validateLineValue(values[i], `${name}[${i}]`) << BigInt(i);
    mask |= 1n << BigInt(i);
  }
  return { bits, mask };
}

function needs(condition: boolean, name: string, value: unknown, direction: string): void {
  if (!condition) throw invalidArgValue(TypeError, name, value, `needs direction ${direction}`);
}

/** The config's words for a request of lineCount lines. Reads each option of `options` once. */
export function encodeConfig(options: unknown, lineCount: number, name = 'options'): BigUint64Array {
  const opts = validateOptions(options, name);
  const { direction: d, activeLow: a, bias: b, drive: r, edge: e, debounceUs: u, eventClock: c, values: v } = opts;
  const direction = optional(d, 'input', (x) => validateOneOf(x, `${name}.direction`, DIRECTIONS));
  const activeLow = optional(a, false, (x) => validateBoolean(x, `${name}.activeLow`));
  const bias = optional(b, 'as-is', (x) => validateOneOf(x, `${name}.bias`, BIASES));
  const drive = optional(r, 'push-pull', (x) => validateOneOf(x, `${name}.drive`, DRIVES));
  const edge = optional(e, 'none', (x) => validateOneOf(x, `${name}.edge`, EDGES));
  const debounceUs = optional(u, 0, (x) => validateInteger(x, `${name}.debounceUs`, 0, 0xffffffff));
  const eventClock = optional(c, 'monotonic', (x) => validateOneOf(x, `${name}.eventClock`, CLOCKS));
  const values = v === undefined ? undefined : copyArray(v, `${name}.values`, lineCount);
  needs(bias === 'as-is' || direction !== 'as-is', `${name}.bias`, bias, "'input' or 'output'");
  needs(drive === 'push-pull' || direction === 'output', `${name}.drive`, drive, "'output'");
  needs(edge === 'none' || direction === 'input', `${name}.edge`, edge, "'input'");
  needs(debounceUs === 0 || direction === 'input', `${name}.debounceUs`, debounceUs, "'input'");
  needs(values === undefined || direction === 'output', `${name}.values`, v, "'output'");
  const flags =
    DIRECTION_FLAGS[direction] |
    (activeLow ? uapi.FLAG_ACTIVE_LOW : 0) |
    BIAS_FLAGS[bias] |
    DRIVE_FLAGS[drive] |
    EDGE_FLAGS[edge] |
    (eventClock === 'realtime' ? uapi.FLAG_EVENT_CLOCK_REALTIME : 0);
  const all = (1n << BigInt(lineCount)) - 1n;
  const words = [BigInt(flags)];
  if (values !== undefined) {
    const { bits, mask } = valueBits(values, `${name}.values`);
    words.push(BigInt(uapi.ATTR_ID_OUTPUT_VALUES), bits, mask);
  }
  if (debounceUs > 0) words.push(BigInt(uapi.ATTR_ID_DEBOUNCE), BigInt(debounceUs), all);
  return BigUint64Array.from(words);
}
