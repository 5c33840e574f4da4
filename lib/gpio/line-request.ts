// LineRequest: lines of one chip held by this process, as one fd. Values are read and set for all
// its lines at once; edges arrive as records on the fd, which is readable (EPOLLIN) while any wait.
import { binding } from '../core/binding';
import { checkOrNull, invalidArgValue } from '../core/errors';
import { copyArray } from '../core/validate';
import { checkIoctl } from './errors';
import { encodeConfig, valueBits, type LineConfig, type LineValue } from './line-config';
import { EventSequence, type LineEvent } from './line-events';
import { GpioFd, openFd } from './gpio-fd';
import { layout, RecordReader } from './records';

const native = binding.gpio;
// [bits, mask], reused: no JS runs between filling it and the ioctl.
const words = new BigUint64Array(2);
const CREATE = Symbol('LineRequest');

export class LineRequest extends GpioFd<LineEvent> {
  /** The lines' offsets on their chip, in request order: values and bits follow this order. */
  readonly offsets: readonly number[];
  readonly #record: RecordReader;
  readonly #sequence = new EventSequence();
  readonly #all: bigint;

  /** Made by GpioChip.requestLines(). */
  constructor(token: symbol, fd: number, offsets: readonly number[], eventCapacity: number) {
    if (token !== CREATE) throw new TypeError('LineRequest is made by GpioChip.requestLines()');
    super(fd);
    this.offsets = Object.freeze([...offsets]);
    this.#record = new RecordReader(eventCapacity * layout.eventSize);
    this.#all = (1n << BigInt(offsets.length)) - 1n;
  }

  /** Events the kernel dropped so far because its buffer was full (seen as gaps in seqno). */
  get droppedEvents(): number {
    return this.#sequence.dropped;
  }

  /** The logical value of every line, in request order. */
  getValues(): (0 | 1)[] {
    const fd = openFd(this);
    words[0] = 0n;
    words[1] = this.#all;
    checkIoctl(native.getValues(fd, words), 'GPIO_V2_LINE_GET_VALUES_IOCTL', fd);
    const bits = words[0];
    return this.offsets.map((_, i) => Number((bits >> BigInt(i)) & 1n) as 0 | 1);
  }

  /** Drives output lines: values in request order, 0/1/boolean; an undefined entry leaves its line. */
  setValues(values: readonly (LineValue | undefined)[]): void {
    const fd = openFd(this);
    const { bits, mask } = valueBits(copyArray(values, 'values', this.offsets.length), 'values');
    if (mask === 0n) throw invalidArgValue(TypeError, 'values', values, 'must set at least one line');
    words[0] = bits;
    words[1] = mask;
    checkIoctl(native.setValues(fd, words), 'GPIO_V2_LINE_SET_VALUES_IOCTL', fd);
  }

  /** Replaces the whole config of every line (options left out take their defaults), without releasing them. */
  reconfigure(config: LineConfig): void {
    const fd = openFd(this);
    const encoded = encodeConfig(config, this.offsets.length, 'config');
    checkIoctl(native.setConfig(fd, encoded), 'GPIO_V2_LINE_SET_CONFIG_IOCTL', fd);
  }

  /** The edge events waiting, oldest first, from one read of as many as the kernel buffers; null when none. */
  readEvents(): LineEvent[] | null {
    const fd = openFd(this);
    const bytes = this.#record.bytes;
    const read = checkOrNull(binding.io.read(fd, bytes, 0, bytes.length), 'read', fd);
    return read === null ? null : this.#sequence.parse(this.#record, Math.floor(read / layout.eventSize));
  }

  /**
   * The edge events one by one, for `for await`. Events wait in the kernel's buffer between next()
   * calls. One iterator at a time; it ends when the request closes or the loop breaks.
   */
  events(): AsyncIterableIterator<LineEvent> {
    return this.iterate('events', () => this.readEvents());
  }
}

/** For GpioChip only. */
export function makeLineRequest(fd: number, offsets: readonly number[], eventCapacity: number): LineRequest {
  return new LineRequest(CREATE, fd, offsets, eventCapacity);
}
