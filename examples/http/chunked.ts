// The chunked transfer coding (RFC 9112 §7.1), decoded one byte at a time so that a body can stop
// at any byte boundary and go on with the next read. Strict, because a framing two parsers read
// differently is how requests are smuggled: sizes are 1*HEXDIG, whitespace only before ';', every
// line ends in CRLF, and the data must end exactly where its size says.
import type { BodyBuffer } from './body';
import { CLASS, CR, FIELD, HEX, LF, TOKEN, hexValue, isWhitespace } from './chars';
import { HttpError, badRequest } from './errors';

const SIZE_START = 0;
const SIZE = 1;
const SIZE_BWS = 2;
const EXTENSION = 3;
const SIZE_LF = 4;
const DATA = 5;
const DATA_CR = 6;
const DATA_LF = 7;
const TRAILER_START = 8;
const TRAILER_NAME = 9;
const TRAILER_VALUE = 10;
const TRAILER_LF = 11;
const END_LF = 12;
const DONE = 13;

const COLON = 0x3a;
const SEMICOLON = 0x3b;
// A chunk line's extensions are parsed and thrown away: bound them, as the head is bounded.
const MAX_EXTENSION = 4096;

export class ChunkedDecoder {
  #state = SIZE_START;
  #size = 0;
  #extension = 0;
  #trailer = 0;
  error: HttpError | null = null;

  constructor(
    private readonly maxBody: number,
    private readonly maxTrailer: number,
  ) {}

  get done(): boolean {
    return this.#state === DONE;
  }

  reset(): void {
    this.#state = SIZE_START;
    this.#size = 0;
    this.#extension = 0;
    this.#trailer = 0;
    this.error = null;
  }

  /**
   * Decodes buf[start, end) into body; returns how many bytes it consumed. It stops after the
   * last CRLF of the message (done), or at the first byte it refuses (error), or at end.
   */
  decode(buf: Buffer, start: number, end: number, body: BodyBuffer): number {
    let i = start;
    while (i < end && this.#state !== DONE) {
      if (this.#state === DATA) {
        const count = Math.min(this.#size, end - i);
        body.append(buf, i, i + count);
        this.#size -= count;
        i += count;
        if (this.#size === 0) this.#state = DATA_CR;
        continue;
      }
      const error = this.#step(buf[i], body.length);
      if (error !== null) {
        this.error = error;
        return i - start;
      }
      i++;
    }
    return i - start;
  }

  // One byte of framing: the next state, or why the byte is refused.
  #step(c: number, bodyLength: number): HttpError | null {
    switch (this.#state) {
      case SIZE_START:
        if ((CLASS[c] & HEX) === 0) return badRequest('invalid chunk size');
        this.#size = hexValue(c);
        this.#state = SIZE;
        return this.#checkSize(bodyLength);
      case SIZE:
        if ((CLASS[c] & HEX) !== 0) {
          this.#size = this.#size * 16 + hexValue(c);
          return this.#checkSize(bodyLength);
        }
        return this.#afterSize(c);
      case SIZE_BWS:
        if (isWhitespace(c)) return null;
        if (c !== SEMICOLON) return badRequest('invalid chunk size');
        this.#state = EXTENSION;
        return null;
      case EXTENSION:
        if (c === CR) this.#state = SIZE_LF;
        else if ((CLASS[c] & FIELD) === 0) return badRequest('invalid byte in a chunk extension');
        else if (++this.#extension > MAX_EXTENSION) return badRequest('chunk extension too long');
        return null;
      case SIZE_LF:
        if (c !== LF) return badRequest('chunk size line not ended by CRLF');
        this.#extension = 0;
        this.#state = this.#size === 0 ? TRAILER_START : DATA;
        return null;
      case DATA_CR:
        if (c !== CR) return badRequest('chunk data longer than its size');
        this.#state = DATA_LF;
        return null;
      case DATA_LF:
        if (c !== LF) return badRequest('chunk data not ended by CRLF');
        this.#state = SIZE_START;
        return null;
      default:
        return this.#trailerStep(c);
    }
  }

  #afterSize(c: number): HttpError | null {
    if (c === CR) this.#state = SIZE_LF;
    else if (c === SEMICOLON) this.#state = EXTENSION;
    else if (isWhitespace(c)) this.#state = SIZE_BWS;
    else return badRequest('invalid chunk size');
    return null;
  }

  #checkSize(bodyLength: number): HttpError | null {
    return this.#size > this.maxBody - bodyLength ? new HttpError(413, 'body too large') : null;
  }

  // The trailer section: header fields, validated as the head's are, then dropped.
  #trailerStep(c: number): HttpError | null {
    if (++this.#trailer > this.maxTrailer) return new HttpError(431, 'trailer section too large');
    switch (this.#state) {
      case TRAILER_START:
        if (c === CR) this.#state = END_LF;
        else if ((CLASS[c] & TOKEN) !== 0) this.#state = TRAILER_NAME;
        else return badRequest(isWhitespace(c) ? 'obsolete line folding' : 'invalid trailer field');
        return null;
      case TRAILER_NAME:
        if (c === COLON) this.#state = TRAILER_VALUE;
        else if ((CLASS[c] & TOKEN) === 0) return badRequest('invalid trailer field');
        return null;
      case TRAILER_VALUE:
        if (c === CR) this.#state = TRAILER_LF;
        else if ((CLASS[c] & FIELD) === 0) return badRequest('invalid byte in a trailer field');
        return null;
      case TRAILER_LF:
        if (c !== LF) return badRequest('trailer field not ended by CRLF');
        this.#state = TRAILER_START;
        return null;
      default: // END_LF: the empty line that ends the message
        if (c !== LF) return badRequest('chunked body not ended by CRLF');
        this.#state = DONE;
        return null;
    }
  }
}
