// An incremental HTTP/1.1 request parser (RFC 9112) over a connection's read buffer: it consumes
// whole requests, calls back with each, and leaves a partial head unconsumed, so that the caller
// presents it again with more bytes after it. It refuses whatever two parsers could frame
// differently (the ways requests are smuggled) rather than guessing: bare LF or CR, obs-fold,
// whitespace before a colon, Content-Length with Transfer-Encoding, two Content-Lengths, any
// transfer coding but chunked, and malformed chunk sizes. Every refusal ends the connection.
import { BodyBuffer } from './body';
import { ChunkedDecoder } from './chunked';
import { CLASS, CR, FIELD, LF, SP, TARGET, TOKEN, equalsLower, isWhitespace } from './chars';
import { HttpError, badRequest } from './errors';
import { resolveLimits, type ParserLimits } from './limits';
import { HttpRequest } from './request';

export interface ParserHandler {
  /** A whole request; valid only during the call (see HttpRequest). */
  request(request: HttpRequest): void;
  /** A head asked for `Expect: 100-continue` and its body is still to come. */
  continue(): void;
  /** The request is refused; the parser takes no more input. */
  error(error: HttpError): void;
}

const HEAD = 0;
const LENGTH_BODY = 1;
const CHUNKED_BODY = 2;
const STOPPED = 3;

const COLON = 0x3a;
const COMMA = 0x2c;
const KNOWN_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'];

export class RequestParser {
  readonly #handler: ParserHandler;
  readonly #maxHead: number;
  readonly #maxHeaders: number;
  readonly #maxBody: number;
  readonly #request: HttpRequest;
  readonly #body = new BodyBuffer();
  readonly #chunked: ChunkedDecoder;
  #state = HEAD;
  // Within the head being parsed, as offsets from its first byte: where the current line starts,
  // how far that line was searched for its LF, and whether the request line is done.
  #lineStart = 0;
  #scanned = 0;
  #requestLineDone = false;
  // What the fields said, checked when the head is complete.
  #contentLength = -1;
  #transferEncoding = false;
  #hosts = 0;
  #close = false;
  #keepAlive = false;
  #expectContinue = false;
  #remaining = 0;
  #headLength = 0;
  // The head, copied out of the caller's buffer when its body is still to come.
  #headCopy: Buffer | null = null;

  constructor(handler: ParserHandler, limits?: ParserLimits) {
    this.#handler = handler;
    const { maxHeadBytes, maxHeaders, maxBodyBytes } = resolveLimits(limits);
    this.#maxHead = maxHeadBytes;
    this.#maxHeaders = maxHeaders;
    this.#maxBody = maxBodyBytes;
    this.#request = new HttpRequest(this.#maxHeaders);
    this.#chunked = new ChunkedDecoder(this.#maxBody, this.#maxHead);
  }

  /** Whether the parser takes no more input: after an error, a request that closes, or stop(). */
  get stopped(): boolean {
    return this.#state === STOPPED;
  }

  /** Takes no more input: no further callback comes. */
  stop(): void {
    this.#state = STOPPED;
  }

  /**
   * Parses buf[start, end), calling back for each request in it. Returns how many bytes it
   * consumed; the caller presents the rest again, followed by the next bytes read. Once stopped,
   * it consumes everything and calls nothing.
   */
  execute(buf: Buffer, start: number, end: number): number {
    let p = start;
    let headHere = false;
    while (p < end && this.#state !== STOPPED) {
      if (this.#state === HEAD) {
        if (!this.#parseHead(buf, p, end)) break;
        headHere = true;
        p += this.#headLength;
        this.#startBody();
      } else if (this.#state === LENGTH_BODY) {
        p += this.#lengthBody(buf, p, end);
      } else {
        p += this.#chunkedBody(buf, p, end);
      }
    }
    if (this.#state === STOPPED) return end - start;
    if (headHere && this.#state !== HEAD) this.#keepHead();
    return p - start;
  }

  // The head that starts at buf[start]: true once it is complete and valid (#headLength set).
  #parseHead(buf: Buffer, start: number, end: number): boolean {
    const limit = Math.min(end, start + this.#maxHead);
    for (;;) {
      let i = start + this.#scanned;
      while (i < limit && buf[i] !== LF) i++;
      if (i === limit) {
        if (limit === start + this.#maxHead) return this.#fail(new HttpError(431, 'request head too large'));
        this.#scanned = i - start;
        return false;
      }
      const lineStart = start + this.#lineStart;
      if (i === lineStart || buf[i - 1] !== CR) return this.#fail(badRequest('line not ended by CRLF'));
      const lineEnd = i - 1;
      const next = i + 1 - start;
      if (!this.#requestLineDone) {
        // RFC 9112 §2.2: empty lines before the request line are skipped.
        if (lineEnd !== lineStart && !this.#requestLine(buf, lineStart, lineEnd)) return false;
        this.#requestLineDone = lineEnd !== lineStart;
      } else if (lineEnd === lineStart) {
        this.#headLength = next;
        return this.#endHead(buf, start);
      } else if (!this.#field(buf, lineStart, lineEnd, start)) {
        return false;
      }
      this.#lineStart = this.#scanned = next;
    }
  }

  #requestLine(buf: Buffer, start: number, end: number): boolean {
    let i = start;
    while (i < end && (CLASS[buf[i]] & TOKEN) !== 0) i++;
    if (i === start || i === end || buf[i] !== SP) return this.#fail(badRequest('malformed request line'));
    const request = this.#request;
    request.method = methodName(buf, start, i);
    const targetStart = ++i;
    while (i < end && (CLASS[buf[i]] & TARGET) !== 0) i++;
    if (i === targetStart || i === end || buf[i] !== SP) return this.#fail(badRequest('malformed request line'));
    // A connection tends to ask for the same target again (a load generator, a poller, a browser's
    // keep-alive): the string of the last one is kept while the bytes match, and costs nothing.
    if (!sameAscii(buf, targetStart, request.target, i - targetStart)) {
      request.target = buf.toString('latin1', targetStart, i);
    }
    i++;
    if (end - i !== 8 || !isVersion(buf, i)) return this.#fail(badRequest('malformed HTTP version'));
    if (buf[i + 5] !== 0x31) return this.#fail(new HttpError(505, 'HTTP version not supported'));
    // A later 1.x is answered as 1.1, its highest minor version the server speaks (RFC 9110 §6.2).
    request.minor = buf[i + 7] === 0x30 ? 0 : 1;
    return true;
  }

  // One field line, buf[start, end) without its CRLF; offsets are kept relative to the head.
  #field(buf: Buffer, start: number, end: number, head: number): boolean {
    let i = start;
    while (i < end && (CLASS[buf[i]] & TOKEN) !== 0) i++;
    if (i === start) {
      return this.#fail(badRequest(isWhitespace(buf[start]) ? 'obsolete line folding' : 'malformed header field'));
    }
    if (i === end || buf[i] !== COLON) return this.#fail(badRequest('malformed header field'));
    const nameEnd = i++;
    while (i < end && isWhitespace(buf[i])) i++;
    const valueStart = i;
    while (i < end && (CLASS[buf[i]] & FIELD) !== 0) i++;
    if (i !== end) return this.#fail(badRequest('invalid byte in a header field'));
    let valueEnd = end;
    while (valueEnd > valueStart && isWhitespace(buf[valueEnd - 1])) valueEnd--;
    const request = this.#request;
    if (request.fieldCount === this.#maxHeaders) return this.#fail(new HttpError(431, 'too many header fields'));
    const at = request.fieldCount++ * 4;
    request.fields[at] = start - head;
    request.fields[at + 1] = nameEnd - head;
    request.fields[at + 2] = valueStart - head;
    request.fields[at + 3] = valueEnd - head;
    return this.#framingField(buf, start, nameEnd, valueStart, valueEnd);
  }

  // The fields that decide how the message is framed and whether the connection lives on.
  #framingField(buf: Buffer, name: number, nameEnd: number, value: number, valueEnd: number): boolean {
    switch (nameEnd - name) {
      case 4:
        if (equalsLower(buf, name, nameEnd, 'host') && ++this.#hosts > 1) {
          return this.#fail(badRequest('more than one Host'));
        }
        return true;
      case 6:
        if (equalsLower(buf, name, nameEnd, 'expect')) {
          this.#expectContinue = equalsLower(buf, value, valueEnd, '100-continue');
        }
        return true;
      case 10:
        if (equalsLower(buf, name, nameEnd, 'connection')) this.#connectionTokens(buf, value, valueEnd);
        return true;
      case 14:
        return equalsLower(buf, name, nameEnd, 'content-length') ? this.#length(buf, value, valueEnd) : true;
      case 17:
        return equalsLower(buf, name, nameEnd, 'transfer-encoding') ? this.#coding(buf, value, valueEnd) : true;
      default:
        return true;
    }
  }

  #length(buf: Buffer, start: number, end: number): boolean {
    if (this.#contentLength !== -1) return this.#fail(badRequest('more than one Content-Length'));
    if (start === end) return this.#fail(badRequest('invalid Content-Length'));
    let length = 0;
    for (let i = start; i < end; i++) {
      const digit = buf[i] - 0x30;
      if (digit < 0 || digit > 9) return this.#fail(badRequest('invalid Content-Length'));
      // Past the limit the exact value no longer matters, and it must not outgrow a double.
      if (length <= this.#maxBody) length = length * 10 + digit;
    }
    if (length > this.#maxBody) return this.#fail(new HttpError(413, 'body too large'));
    this.#contentLength = length;
    return true;
  }

  #coding(buf: Buffer, start: number, end: number): boolean {
    if (this.#transferEncoding) return this.#fail(badRequest('more than one Transfer-Encoding'));
    this.#transferEncoding = true;
    if (equalsLower(buf, start, end, 'chunked')) return true;
    let last = end;
    while (last > start && buf[last - 1] !== COMMA) last--;
    let tokenStart = last;
    while (tokenStart < end && isWhitespace(buf[tokenStart])) tokenStart++;
    // RFC 9112 §6.1: chunked must come last, or the body's end is unknown (400); a coding
    // before it would have to be undone, which this server does not do (501).
    if (last > start && equalsLower(buf, tokenStart, end, 'chunked')) {
      return this.#fail(new HttpError(501, 'transfer coding not supported'));
    }
    return this.#fail(badRequest('chunked is not the final transfer coding'));
  }

  #connectionTokens(buf: Buffer, start: number, end: number): void {
    for (let token = start; token <= end;) {
      let comma = token;
      while (comma < end && buf[comma] !== COMMA) comma++;
      let a = token;
      let b = comma;
      while (a < b && isWhitespace(buf[a])) a++;
      while (b > a && isWhitespace(buf[b - 1])) b--;
      if (equalsLower(buf, a, b, 'close')) this.#close = true;
      else if (equalsLower(buf, a, b, 'keep-alive')) this.#keepAlive = true;
      token = comma + 1;
    }
  }

  #endHead(buf: Buffer, start: number): boolean {
    const request = this.#request;
    if (this.#transferEncoding && this.#contentLength !== -1) {
      return this.#fail(badRequest('both Content-Length and Transfer-Encoding'));
    }
    // RFC 9112 §6.1: an HTTP/1.0 peer may not know chunked, so its framing cannot be trusted.
    if (this.#transferEncoding && request.minor === 0) return this.#fail(badRequest('Transfer-Encoding in HTTP/1.0'));
    if (request.minor === 1 && this.#hosts === 0) return this.#fail(badRequest('no Host'));
    request.keepAlive = !this.#close && (request.minor === 1 || this.#keepAlive);
    request.source = buf;
    request.base = start;
    return true;
  }

  #startBody(): void {
    if (this.#transferEncoding) {
      this.#state = CHUNKED_BODY;
      this.#chunked.reset();
    } else if (this.#contentLength > 0) {
      this.#state = LENGTH_BODY;
      this.#remaining = this.#contentLength;
    } else {
      return this.#deliver(EMPTY);
    }
    if (this.#expectContinue && this.#request.minor === 1) this.#handler.continue();
  }

  #lengthBody(buf: Buffer, start: number, end: number): number {
    const count = Math.min(end - start, this.#remaining);
    this.#remaining -= count;
    if (this.#remaining === 0 && this.#body.length === 0) {
      this.#deliver(buf.subarray(start, start + count));
    } else {
      this.#body.append(buf, start, start + count);
      if (this.#remaining === 0) this.#deliver(this.#body.view());
    }
    return count;
  }

  #chunkedBody(buf: Buffer, start: number, end: number): number {
    const decoder = this.#chunked;
    const count = decoder.decode(buf, start, end, this.#body);
    if (decoder.error !== null) this.#fail(decoder.error);
    else if (decoder.done) this.#deliver(this.#body.view());
    return count;
  }

  // The head lies in the caller's buffer, which is reused once consumed: its body is to come in
  // later reads, so the request's fields must point into a copy of the parser's own.
  #keepHead(): void {
    const request = this.#request;
    const length = this.#headLength;
    if (this.#headCopy === null || this.#headCopy.length < length) this.#headCopy = Buffer.allocUnsafe(this.#maxHead);
    request.source.copy(this.#headCopy, 0, request.base, request.base + length);
    request.source = this.#headCopy;
    request.base = 0;
  }

  #deliver(body: Buffer): void {
    const request = this.#request;
    request.body = body;
    this.#state = request.keepAlive ? HEAD : STOPPED;
    try {
      this.#handler.request(request);
    } finally {
      this.#resetMessage();
    }
  }

  #fail(error: HttpError): false {
    this.#state = STOPPED;
    this.#handler.error(error);
    return false;
  }

  #resetMessage(): void {
    const request = this.#request;
    request.fieldCount = 0;
    request.body = EMPTY;
    this.#body.reset();
    this.#lineStart = this.#scanned = 0;
    this.#requestLineDone = false;
    this.#contentLength = -1;
    this.#transferEncoding = false;
    this.#hosts = 0;
    this.#close = this.#keepAlive = this.#expectContinue = false;
  }
}

const EMPTY = Buffer.alloc(0);

// Common methods as constant strings, so that most requests cost no string for their method.
function methodName(buf: Buffer, start: number, end: number): string {
  for (const method of KNOWN_METHODS) {
    if (sameAscii(buf, start, method, end - start)) return method;
  }
  return buf.toString('latin1', start, end);
}

// Whether buf[start, start + length) holds text's characters (length: text's by default).
function sameAscii(buf: Buffer, start: number, text: string, length = text.length): boolean {
  if (length !== text.length) return false;
  for (let i = 0; i < length; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

// "HTTP/" DIGIT "." DIGIT at buf[at].
function isVersion(buf: Buffer, at: number): boolean {
  const digit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  return sameAscii(buf, at, 'HTTP/') && digit(buf[at + 5]) && buf[at + 6] === 0x2e && digit(buf[at + 7]);
}
