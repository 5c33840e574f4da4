// A parsed request as the parser hands it over: strings for what every request needs (method,
// target), and the header fields as offsets into the bytes they came in, turned into strings
// only when asked for, so that a request no route looks into costs no string per field.
import { equalsLower } from './chars';

/**
 * One request. The parser reuses this object and the bytes it points into: it is valid only during
 * the request callback. Copy what must outlive it (Buffer.from(request.body), request.headers()).
 */
export class HttpRequest {
  method = '';
  target = '';
  /** The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x). */
  minor = 1;
  /** Whether the connection stays open after the response, by version and Connection header. */
  keepAlive = true;
  /** The whole body, de-chunked; empty when the request had none. */
  body: Buffer = EMPTY;
  /** Field count; fields[4i .. 4i+3] = name start, name end, value start, value end in source. */
  fieldCount = 0;
  readonly fields: Int32Array;
  source: Buffer = EMPTY;
  base = 0;

  constructor(maxFields: number) {
    this.fields = new Int32Array(maxFields * 4);
  }

  /** The value of the first field called name (lowercase), or undefined. */
  header(name: string): string | undefined {
    const { fields, source, base } = this;
    for (let i = 0; i < this.fieldCount * 4; i += 4) {
      if (equalsLower(source, base + fields[i], base + fields[i + 1], name)) {
        return source.toString('latin1', base + fields[i + 2], base + fields[i + 3]);
      }
    }
    return undefined;
  }

  /** Every field in order, names lowercased. */
  headers(): [string, string][] {
    const { fields, source, base } = this;
    const all: [string, string][] = [];
    for (let i = 0; i < this.fieldCount * 4; i += 4) {
      all.push([
        source.toString('latin1', base + fields[i], base + fields[i + 1]).toLowerCase(),
        source.toString('latin1', base + fields[i + 2], base + fields[i + 3]),
      ]);
    }
    return all;
  }
}

const EMPTY = Buffer.alloc(0);
