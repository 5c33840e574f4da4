// The Gpio class of linux-epoll/onoff: the API of the `onoff` package (version 6) on the GPIO
// character device instead of sysfs. A GPIO number is a line offset on one chip (the `chip`
// option, else the default of ./default-chip). docs/MIGRATING.md ("From onoff") lists each
// difference and why. lib/onoff.ts is the entry that loads it.
import * as fs from 'node:fs';

import { invalidArgType, invalidArgValue } from '../core/errors';
import { validateBoolean, validateInteger, validateOneOf, validateOptions } from '../core/validate';
import { openChip } from '../gpio/chips';
import { validateLineValue, type LineConfig } from '../gpio/line-config';
import type { LineEvent } from '../gpio/line-events';
import type { LineRequest } from '../gpio/line-request';
import { ReadableWatch } from '../gpio/readiness';
import { defaultChip } from './default-chip';

export type High = 1;
export type Low = 0;
export type BinaryValue = High | Low;
export type Direction = 'in' | 'out';
export type Edge = 'none' | 'rising' | 'falling' | 'both';
export type ValueCallback = (err: Error | null | undefined, value?: BinaryValue) => void;

export interface Options {
  /** Milliseconds an input must stay stable before its edge is reported (the kernel debounces). */
  debounceTimeout?: number;
  activeLow?: boolean;
  /** false: a line that is already an output keeps its direction and level. Default true. */
  reconfigureDirection?: boolean;
  /** An extension: the chip (path, name or label) whose line offsets the numbers are. */
  chip?: string;
}

const DIRECTIONS: readonly (Direction | 'high' | 'low')[] = ['in', 'out', 'high', 'low'];
const EDGES: readonly Edge[] = ['none', 'rising', 'falling', 'both'];
const CONSUMER = 'onoff';

interface State {
  direction: Direction;
  edge: Edge;
  activeLow: boolean;
  debounceUs: number;
}

function config(state: State, level?: BinaryValue): LineConfig {
  const { direction, edge, activeLow, debounceUs } = state;
  if (direction === 'out') return { direction: 'output', activeLow, values: level === undefined ? undefined : [level] };
  return { direction: 'input', activeLow, edge, debounceUs: edge === 'none' ? 0 : debounceUs };
}

// sysfs's 'high' and 'low' are physical levels, whatever active_low says; values are logical.
function initialLevel(direction: 'out' | 'high' | 'low', activeLow: boolean): BinaryValue {
  const high = direction === 'high';
  return (high !== activeLow ? 1 : 0) as BinaryValue;
}

function later(callback: ValueCallback, err: Error | null, value?: BinaryValue): void {
  process.nextTick(() => callback(err, value));
}

// onoff's callback-or-promise shape: a callback gets (err, value) on a later tick; without one, a promise.
function settle<T extends BinaryValue | undefined>(
  run: () => T,
  callback: ValueCallback | undefined,
): Promise<T> | undefined {
  if (callback !== undefined) {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    try {
      later(callback, null, run());
    } catch (error) {
      later(callback, error as Error);
    }
    return undefined;
  }
  return new Promise((resolve) => resolve(run()));
}

export class Gpio {
  static readonly HIGH: High = 1;
  static readonly LOW: Low = 0;

  readonly #gpio: number;
  #request: LineRequest | null;
  readonly #state: State;
  #listeners: ValueCallback[] = [];
  #watch: ReadableWatch | null = null;

  constructor(gpio: number, direction: Direction | 'high' | 'low', edge?: Edge | Options, options?: Options) {
    if (typeof edge === 'object' && edge !== null && options === undefined) {
      options = edge;
      edge = undefined;
    }
    const opts = validateOptions(options);
    this.#gpio = validateInteger(gpio, 'gpio', 0, 0xffffffff);
    const requested = validateOneOf(direction, 'direction', DIRECTIONS);
    const edgeName = edge === undefined ? 'none' : validateOneOf(edge, 'edge', EDGES);
    const { debounceTimeout, activeLow, reconfigureDirection, chip } = opts;
    const debounceMs =
      debounceTimeout === undefined ? 0 : validateInteger(debounceTimeout, 'options.debounceTimeout', 0, 4294967);
    const low = activeLow === undefined ? false : validateBoolean(activeLow, 'options.activeLow');
    const reconfigure =
      reconfigureDirection === undefined ? true : validateBoolean(reconfigureDirection, 'options.reconfigureDirection');
    if (chip !== undefined && typeof chip !== 'string') throw invalidArgType('options.chip', 'of type string', chip);
    const output = requested !== 'in';
    // As onoff does: an edge is set only on an input.
    this.#state = {
      direction: output ? 'out' : 'in',
      edge: output ? 'none' : edgeName,
      activeLow: low,
      debounceUs: debounceMs * 1000,
    };
    this.#request = this.#requestLine(chip ?? defaultChip(), requested, reconfigure);
  }

  /** Whether the default chip exists and this process may open it. */
  static get accessible(): boolean {
    try {
      fs.accessSync(defaultChip(), fs.constants.R_OK | fs.constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  read(callback?: ValueCallback): Promise<BinaryValue> | undefined {
    return settle(() => this.readSync(), callback);
  }

  readSync(): BinaryValue {
    return this.#open().getValues()[0];
  }

  write(value: BinaryValue, callback?: (err?: Error | null) => void): Promise<void> | undefined {
    return settle(
      () => {
        this.writeSync(value);
        return undefined;
      },
      callback as ValueCallback | undefined,
    );
  }

  /** value: 0, 1, true or false. */
  writeSync(value: BinaryValue): void {
    const request = this.#open();
    request.setValues([Number(validateLineValue(value, 'value')) as BinaryValue]);
  }

  /** callback(null, value) on each edge the edge setting selects, value being the level it reached. */
  watch(callback: ValueCallback): void {
    const request = this.#open();
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    this.#listeners.push(callback);
    if (this.#watch === null) this.#watch = new ReadableWatch(request.fd, () => this.#onReadable(request), false);
  }

  /** Removes callback, or every callback when none is given. */
  unwatch(callback?: ValueCallback): void {
    this.#listeners = typeof callback === 'function' ? this.#listeners.filter((listener) => listener !== callback) : [];
    if (this.#listeners.length === 0) {
      this.#watch?.stop();
      this.#watch = null;
    }
  }

  unwatchAll(): void {
    this.unwatch();
  }

  direction(): Direction {
    this.#open();
    return this.#state.direction;
  }

  setDirection(direction: Direction | 'high' | 'low'): void {
    const request = this.#open();
    const requested = validateOneOf(direction, 'direction', DIRECTIONS);
    const next: State = { ...this.#state, direction: requested === 'in' ? 'in' : 'out' };
    request.reconfigure(config(next, requested === 'in' ? undefined : initialLevel(requested, next.activeLow)));
    this.#state.direction = next.direction;
  }

  edge(): Edge {
    this.#open();
    return this.#state.edge;
  }

  /** An edge other than 'none' needs an input: on an output the kernel has none to report. */
  setEdge(edge: Edge): void {
    const request = this.#open();
    const next: State = { ...this.#state, edge: validateOneOf(edge, 'edge', EDGES) };
    if (next.direction === 'out' && next.edge !== 'none') {
      throw invalidArgValue(TypeError, 'edge', edge, "needs direction 'in'");
    }
    if (next.direction === 'in') request.reconfigure(config(next));
    this.#state.edge = next.edge;
  }

  activeLow(): boolean {
    this.#open();
    return this.#state.activeLow;
  }

  /** Outputs keep their physical level, as with sysfs's active_low. */
  setActiveLow(invert: boolean): void {
    const request = this.#open();
    const next: State = { ...this.#state, activeLow: !!invert };
    const level =
      next.direction === 'out'
        ? ((request.getValues()[0] ^ (next.activeLow !== this.#state.activeLow ? 1 : 0)) as BinaryValue)
        : undefined;
    request.reconfigure(config(next, level));
    this.#state.activeLow = next.activeLow;
  }

  /** Releases the line. The object is unusable afterwards. */
  unexport(): void {
    this.unwatchAll();
    this.#request?.close();
    this.#request = null;
  }

  #requestLine(chipId: string, requested: Direction | 'high' | 'low', reconfigure: boolean): LineRequest {
    const chip = openChip(chipId);
    try {
      const keep = !reconfigure && requested !== 'in' && chip.lineInfo(this.#gpio).direction === 'output';
      const lineConfig: LineConfig = keep
        ? { direction: 'as-is', activeLow: this.#state.activeLow }
        : config(this.#state, requested === 'in' ? undefined : initialLevel(requested, this.#state.activeLow));
      return chip.requestLines({ lines: [this.#gpio], consumer: CONSUMER, ...lineConfig });
    } finally {
      chip.close();
    }
  }

  #onReadable(request: LineRequest): void {
    let events: LineEvent[] | null;
    try {
      events = request.readEvents();
    } catch (error) {
      // Reported once: a failing fd stays readable, and would report it forever.
      this.#watch?.stop();
      this.#watch = null;
      for (const listener of this.#listeners.slice()) listener(error as Error);
      return;
    }
    for (const event of events ?? []) {
      const value: BinaryValue = event.edge === 'rising' ? 1 : 0;
      for (const listener of this.#listeners.slice()) listener(null, value);
    }
  }

  #open(): LineRequest {
    if (this.#request === null) {
      throw Object.assign(new Error(`GPIO ${this.#gpio} was unexported`), { code: 'ERR_GPIO_UNEXPORTED' });
    }
    return this.#request;
  }
}
