// GpioChip: one /dev/gpiochipN, open. It describes its lines, requests them, and watches their
// info: a watched line's changes (requested, released, reconfigured, by anyone) arrive as records
// on the chip's own fd, which is then readable (EPOLLIN).
import * as fs from 'node:fs';

import { binding } from '../core/binding';
import { checkOrNull, invalidArgType, invalidArgValue } from '../core/errors';
import { copyArray, validateInteger, validateOptions } from '../core/validate';
import { checkIoctl, gpioError } from './errors';
import { encodeConfig, type LineConfig } from './line-config';
import { parseLineInfo, type LineInfo } from './line-info';
import { makeLineRequest, type LineRequest } from './line-request';
import { GpioFd, openFd } from './gpio-fd';
import { layout, RecordReader, uapi } from './records';

const native = binding.gpio;
const { O_RDWR, O_NONBLOCK } = fs.constants;
// The kernel's per-chip buffer of info changes holds 32; a read takes up to this many.
const CHANGES_PER_READ = 32;
// The kernel keeps at most 16 events per line by default, and 1024 per request in all.
const MAX_EVENT_BUFFER = uapi.LINES_MAX * 16;

export interface ChipInfo {
  /** The kernel's name of the chip: 'gpiochip0'. */
  name: string;
  /** The driver's label: 'pinctrl-rp1' on a Raspberry Pi 5. */
  label: string;
  lines: number;
}

export interface LineRequestOptions extends LineConfig {
  /** Offsets on the chip, or line names (as lineInfo() reports them), 1 to 64 of them, each once. */
  lines: readonly (number | string)[];
  /** Who holds the lines, as other processes see it: up to 31 bytes. Default 'linux-epoll'. */
  consumer?: string;
  /** The events the kernel buffers for the request, 0 (its default: 16 per line) to 1024. */
  eventBufferSize?: number;
}

export interface InfoChange {
  type: 'requested' | 'released' | 'config';
  /** CLOCK_MONOTONIC nanoseconds. */
  timestampNs: bigint;
  /** The line's info after the change. */
  info: LineInfo;
}

const CHANGE_TYPES: Record<number, InfoChange['type']> = {
  [uapi.CHANGED_REQUESTED]: 'requested',
  [uapi.CHANGED_RELEASED]: 'released',
  [uapi.CHANGED_CONFIG]: 'config',
};

function validateConsumer(value: unknown): string {
  if (value === undefined) return 'linux-epoll';
  if (typeof value !== 'string') throw invalidArgType('options.consumer', 'of type string', value);
  if (Buffer.byteLength(value) >= uapi.MAX_NAME_SIZE || value.includes('\0')) {
    throw invalidArgValue(
      RangeError,
      'options.consumer',
      value,
      `must be at most ${uapi.MAX_NAME_SIZE - 1} bytes, with no NUL`,
    );
  }
  return value;
}

export class GpioChip extends GpioFd<InfoChange> implements ChipInfo {
  readonly path: string;
  readonly name: string;
  readonly label: string;
  readonly lines: number;
  readonly #lineRecord = new RecordReader(layout.lineInfoSize);
  readonly #changeRecord = new RecordReader(CHANGES_PER_READ * layout.changedSize);

  /** Opens a chip by its path (/dev/gpiochip0); see openChip() for names and labels. */
  constructor(path: string) {
    if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
    // Node opens every file close-on-exec. Non-blocking: the fd also carries info changes.
    const fd = fs.openSync(path, O_RDWR | O_NONBLOCK);
    super(fd);
    const record = new RecordReader(layout.chipInfoSize);
    const result = native.chipInfo(fd, record.bytes);
    if (result < 0) {
      this.close();
      throw gpioError(result, 'GPIO_GET_CHIPINFO_IOCTL', fd);
    }
    this.path = path;
    this.name = record.string(layout.chipInfoName);
    this.label = record.string(layout.chipInfoLabel);
    this.lines = record.u32(layout.chipInfoLines);
  }

  lineInfo(offset: number): LineInfo {
    return this.#lineInfoCall(native.lineInfo, 'GPIO_V2_GET_LINEINFO_IOCTL', offset);
  }

  /** The offset of the line so named, or null. Names are unique on a chip only by convention: the first wins. */
  findLine(name: string): number | null {
    if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
    for (let offset = 0; offset < this.lines; offset++) if (this.lineInfo(offset).name === name) return offset;
    return null;
  }

  /** Requests lines: EBUSY if any is held already, by anyone. */
  requestLines(options: LineRequestOptions): LineRequest {
    const fd = openFd(this);
    const opts = validateOptions(options);
    const { lines: names, consumer: c, eventBufferSize: size } = opts;
    const consumer = validateConsumer(c);
    const offsets = this.#offsets(copyArray(names, 'options.lines', uapi.LINES_MAX));
    const eventBufferSize =
      size === undefined ? 0 : validateInteger(size, 'options.eventBufferSize', 0, MAX_EVENT_BUFFER);
    const config = encodeConfig(opts, offsets.length);
    const requestFd = checkIoctl(
      native.requestLines(fd, Uint32Array.from(offsets), consumer, config, eventBufferSize),
      'GPIO_V2_GET_LINE_IOCTL',
      fd,
    );
    const capacity = eventBufferSize === 0 ? Math.min(16 * offsets.length, MAX_EVENT_BUFFER) : eventBufferSize;
    return makeLineRequest(requestFd, offsets, capacity);
  }

  /** The line's info now; from then on its changes are records on this chip's fd (readInfoChanges()). */
  watchLineInfo(offset: number): LineInfo {
    return this.#lineInfoCall(native.watchLineInfo, 'GPIO_V2_GET_LINEINFO_WATCH_IOCTL', offset);
  }

  /** Stops watching the line: EBUSY if it was not watched. */
  unwatchLineInfo(offset: number): void {
    const fd = openFd(this);
    const line = validateInteger(offset, 'offset', 0, 0xffffffff);
    checkIoctl(native.unwatchLineInfo(fd, line), 'GPIO_GET_LINEINFO_UNWATCH_IOCTL', fd);
  }

  /** The changes of watched lines waiting, oldest first, from one read; null when none. */
  readInfoChanges(): InfoChange[] | null {
    const fd = openFd(this);
    const record = this.#changeRecord;
    const read = checkOrNull(binding.io.read(fd, record.bytes, 0, record.bytes.length), 'read', fd);
    if (read === null) return null;
    const changes: InfoChange[] = [];
    for (let at = 0; at + layout.changedSize <= read; at += layout.changedSize) {
      changes.push({
        type: CHANGE_TYPES[record.u32(at + layout.changedType)] ?? 'config',
        timestampNs: record.u64(at + layout.changedTimestamp),
        info: parseLineInfo(record, at + layout.changedInfo),
      });
    }
    return changes;
  }

  /** The changes of watched lines one by one, for `for await`; one iterator at a time, ended by close(). */
  infoChanges(): AsyncIterableIterator<InfoChange> {
    return this.iterate('infoChanges', () => this.readInfoChanges());
  }

  #lineInfoCall(
    call: (fd: number, offset: number, out: Uint8Array) => number,
    ioctl: string,
    offset: number,
  ): LineInfo {
    const fd = openFd(this);
    const line = validateInteger(offset, 'offset', 0, 0xffffffff);
    checkIoctl(call(fd, line, this.#lineRecord.bytes), ioctl, fd);
    return parseLineInfo(this.#lineRecord);
  }

  // Names resolved to offsets; every line at most once (the kernel would answer a repeat with EBUSY).
  #offsets(lines: unknown[]): number[] {
    if (lines.length === 0) throw invalidArgValue(RangeError, 'options.lines', lines, 'must name at least one line');
    const offsets = lines.map((line, i) => {
      if (typeof line === 'string') {
        const offset = this.findLine(line);
        if (offset === null) throw invalidArgValue(Error, `options.lines[${i}]`, line, `names no line of ${this.name}`);
        return offset;
      }
      return validateInteger(line, `options.lines[${i}]`, 0, this.lines - 1);
    });
    const repeated = offsets.findIndex((offset, i) => offsets.indexOf(offset) !== i);
    if (repeated >= 0) throw invalidArgValue(TypeError, 'options.lines', lines, `has line ${offsets[repeated]} twice`);
    return offsets;
  }
}
