// RESP2 on the wire: a request parser that finds whole commands (multibulk or inline) in the bytes
// received so far, and a reply builder that appends replies to one reusable buffer. Neither
// allocates per command on the fast path: arguments are byte ranges of the input, numbers are
// parsed and printed digit by digit.

/** Redis's limits: more arguments or a longer bulk string is a protocol error. */
const MAX_ARGS = 1024 * 1024;
const MAX_BULK = 512 * 1024 * 1024;
// An inline command (telnet-style) longer than this without its newline is refused.
const MAX_INLINE = 64 * 1024;

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const MINUS = 45;
const ZERO = 48;

/** A request the stream cannot continue after: reply with the message, then close. */
export class ProtocolError extends Error {}

/**
 * The arguments of the command just parsed, as ranges of `buffer`: argument i is
 * buffer[starts[i], ends[i]). Valid until the next parse.
 */
export class Arguments {
  buffer: Buffer = Buffer.alloc(0);
  count = 0;
  starts: number[] = [];
  ends: number[] = [];

  length(i: number): number {
    return this.ends[i] - this.starts[i];
  }

  /** Argument i as a latin1 string (one char per byte, so any bytes round-trip): a map key. */
  text(i: number): string {
    return this.buffer.toString('latin1', this.starts[i], this.ends[i]);
  }

  /** Argument i as an integer, or NaN when it is not one (as Redis's string2ll). */
  integer(i: number): number {
    return parseInteger(this.buffer, this.starts[i], this.ends[i]);
  }

  /** Does argument i equal upper (an upper-case ASCII word), ignoring case? */
  is(i: number, upper: string): boolean {
    const start = this.starts[i];
    if (this.ends[i] - start !== upper.length) return false;
    for (let k = 0; k < upper.length; k++) {
      if ((this.buffer[start + k] & 0xdf) !== upper.charCodeAt(k)) return false;
    }
    return true;
  }
}

/** An integer from buffer[start, end): optional '-', digits, no leading zeros; NaN otherwise. */
export function parseInteger(buffer: Uint8Array, start: number, end: number): number {
  let at = start;
  const negative = buffer[at] === MINUS;
  if (negative) at++;
  if (at === end || end - at > 19) return NaN;
  if (buffer[at] === ZERO && end - at > 1) return NaN;
  let value = 0;
  for (; at < end; at++) {
    const digit = buffer[at] - ZERO;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  // Past 2^53 a double is not exact; Redis's range is 64-bit, and this engine refuses what it cannot hold.
  if (value > Number.MAX_SAFE_INTEGER) return NaN;
  return negative ? -value : value;
}

/**
 * Finds the next whole command in buffer[start, end) and fills args: the bytes it took (0 when
 * the command is not complete yet, so the caller keeps them for the next read). Empty inline
 * lines are taken with args.count 0. Throws ProtocolError for a stream that cannot go on.
 */
export function parseCommand(buffer: Buffer, start: number, end: number, args: Arguments): number {
  args.buffer = buffer;
  args.count = 0;
  if (start >= end) return 0;
  return buffer[start] === STAR ? parseMultibulk(buffer, start, end, args) : parseInline(buffer, start, end, args);
}

// "*<count>\r\n" then count × "$<length>\r\n<bytes>\r\n".
function parseMultibulk(buffer: Buffer, start: number, end: number, args: Arguments): number {
  const header = readNumberLine(buffer, start + 1, end);
  if (header === null) return 0;
  const count = header.value;
  if (Number.isNaN(count) || count > MAX_ARGS) throw new ProtocolError('Protocol error: invalid multibulk length');
  let at = header.next;
  const { starts, ends } = args;
  for (let i = 0; i < count; i++) {
    if (at >= end) return 0;
    if (buffer[at] !== DOLLAR) {
      throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buffer[at])}'`);
    }
    const line = readNumberLine(buffer, at + 1, end);
    if (line === null) return 0;
    const length = line.value;
    if (Number.isNaN(length) || length < 0 || length > MAX_BULK) {
      throw new ProtocolError('Protocol error: invalid bulk length');
    }
    const dataEnd = line.next + length;
    if (dataEnd + 2 > end) return 0;
    starts[i] = line.next;
    ends[i] = dataEnd;
    at = dataEnd + 2;
  }
  args.count = count < 0 ? 0 : count;
  return at - start;
}

// The result of readNumberLine, reused: it is read at once by the caller.
const numberLine = { value: 0, next: 0 };

// The integer on a line ending in CRLF, from at: its value (NaN if malformed) and where the next
// line starts; null when the line is not complete yet.
function readNumberLine(buffer: Buffer, at: number, end: number): typeof numberLine | null {
  let i = at;
  while (i < end && buffer[i] !== CR) {
    if (i - at > 20) {
      numberLine.value = NaN;
      numberLine.next = i;
      return numberLine;
    }
    i++;
  }
  if (i + 1 >= end) return null;
  numberLine.value = buffer[i + 1] === LF ? parseInteger(buffer, at, i) : NaN;
  numberLine.next = i + 2;
  return numberLine;
}

// A telnet-style line: arguments split at spaces and tabs, up to LF (a CR before it is dropped).
function parseInline(buffer: Buffer, start: number, end: number, args: Arguments): number {
  let newline = start;
  while (newline < end && buffer[newline] !== LF) newline++;
  if (newline === end) {
    if (end - start > MAX_INLINE) throw new ProtocolError('Protocol error: too big inline request');
    return 0;
  }
  const lineEnd = newline > start && buffer[newline - 1] === CR ? newline - 1 : newline;
  let count = 0;
  for (let at = start; at < lineEnd;) {
    while (at < lineEnd && (buffer[at] === 32 || buffer[at] === 9)) at++;
    if (at === lineEnd) break;
    const wordStart = at;
    while (at < lineEnd && buffer[at] !== 32 && buffer[at] !== 9) at++;
    args.starts[count] = wordStart;
    args.ends[count] = at;
    count++;
  }
  args.count = count;
  return newline + 1 - start;
}

const CRLF = Buffer.from('\r\n');

/** Replies appended to one buffer that grows as needed; take() hands them out and starts again. */
export class Reply {
  #buffer = Buffer.allocUnsafe(16 * 1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  get buffer(): Buffer {
    return this.#buffer;
  }

  /** Forgets what was appended (after it was written). */
  reset(): void {
    this.#length = 0;
  }

  /** Bytes as they are: a constant reply such as +OK\r\n. */
  raw(bytes: Buffer, start = 0, end = bytes.length): void {
    this.#room(end - start);
    const buffer = this.#buffer;
    // A loop for short replies: Buffer.copy's native call costs more than it saves there.
    if (end - start > 32) bytes.copy(buffer, this.#length, start, end);
    else for (let i = start, at = this.#length; i < end; i++, at++) buffer[at] = bytes[i];
    this.#length += end - start;
  }

  /** "$<length>\r\n<bytes>\r\n". */
  bulk(bytes: Buffer, start: number, end: number): void {
    this.#room(end - start + 24);
    this.#buffer[this.#length++] = DOLLAR;
    this.#digits(end - start);
    this.raw(bytes, start, end);
    this.raw(CRLF);
  }

  /** A bulk string of latin1 text (one byte per char). */
  bulkText(text: string): void {
    this.#room(text.length + 24);
    this.#buffer[this.#length++] = DOLLAR;
    this.#digits(text.length);
    this.#length += this.#buffer.write(text, this.#length, 'latin1');
    this.raw(CRLF);
  }

  /** ":<n>\r\n". */
  integer(value: number): void {
    this.#room(24);
    this.#buffer[this.#length++] = 58;
    this.#digits(value);
  }

  /** "*<count>\r\n": count elements follow. */
  array(count: number): void {
    this.#room(24);
    this.#buffer[this.#length++] = STAR;
    this.#digits(count);
  }

  /** "-<message>\r\n"; message is ASCII, with no CR or LF. */
  error(message: string): void {
    this.#room(message.length + 3);
    this.#buffer[this.#length++] = MINUS;
    this.#length += this.#buffer.write(message, this.#length, 'latin1');
    this.raw(CRLF);
  }

  // value in decimal, then CRLF.
  #digits(value: number): void {
    const buffer = this.#buffer;
    if (value < 0) {
      buffer[this.#length++] = MINUS;
      value = -value;
    }
    let width = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) width++;
    let at = this.#length + width;
    for (let i = 0; i < width; i++) {
      buffer[--at] = ZERO + (value % 10);
      value = Math.floor(value / 10);
    }
    this.#length += width;
    buffer[this.#length++] = CR;
    buffer[this.#length++] = LF;
  }

  #room(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.#buffer.length));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}
