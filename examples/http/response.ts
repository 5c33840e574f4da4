// Responses as the bytes that go on the wire: the head and the body in one buffer, for one write.
export interface Response {
  status: number;
  contentType?: string;
  /** Further header lines, each ended by CRLF. */
  headers?: string;
  body?: Uint8Array;
  /** A reply to HEAD: the body's Content-Length, without the body. */
  headOnly?: boolean;
}

/** How the response speaks of the connection: left open (HTTP/1.1's default, or HTTP/1.0 asking), or closed. */
export type Persistence = 'default' | 'keep-alive' | 'close';

const STATUS_TEXT: Record<number, string> = {
  100: 'Continue',
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

const CONNECTION_LINE: Record<Persistence, string> = {
  default: '',
  'keep-alive': 'Connection: keep-alive\r\n',
  close: 'Connection: close\r\n',
};

/** HTTP/1.1 says nothing to keep a connection; HTTP/1.0 must ask and be told. */
export function persistence(keepAlive: boolean, minor: number): Persistence {
  if (!keepAlive) return 'close';
  return minor === 0 ? 'keep-alive' : 'default';
}

/** The interim response a client that sent `Expect: 100-continue` waits for. */
export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

export function encodeResponse(response: Response, connection: Persistence, date: string): Buffer {
  const body = response.body;
  const length = body === undefined ? 0 : body.length;
  const head =
    `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? 'Unknown'}\r\n` +
    `Date: ${date}\r\n` +
    (response.contentType === undefined ? '' : `Content-Type: ${response.contentType}\r\n`) +
    `Content-Length: ${length}\r\n` +
    CONNECTION_LINE[connection] +
    (response.headers ?? '') +
    '\r\n';
  const sent = response.headOnly === true || body === undefined ? 0 : length;
  const bytes = Buffer.allocUnsafe(head.length + sent);
  bytes.write(head, 0, 'latin1');
  if (sent > 0) bytes.set(body!, head.length);
  return bytes;
}
