// Raw HTTP over node:net for the HTTP server's tests: bytes written exactly as given (malformed
// ones too), and the responses split by their own framing, so that a test sees every byte the
// server sent and whether it closed the connection.
import * as net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lowercased names; a repeated name keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
}

/** The responses in bytes, framed by Content-Length; throws on bytes that are not one. */
export function splitResponses(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error(`a partial response: ${JSON.stringify(bytes.subarray(at).toString('latin1'))}`);
    const [statusLine, ...lines] = bytes.toString('latin1', at, headEnd).split('\r\n');
    const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]+$/.exec(statusLine);
    if (match === null) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(match[1]);
    const length = status === 100 ? 0 : Number(headers['content-length']);
    if (!Number.isInteger(length)) throw new Error(`no Content-Length in ${JSON.stringify(lines)}`);
    const bodyStart = headEnd + 4;
    responses.push({ status, headers, body: bytes.subarray(bodyStart, bodyStart + length) });
    at = bodyStart + length;
  }
  return responses;
}

/**
 * Writes each piece in its own turn of the event loop, and resolves with the responses once the
 * server has closed the connection (sent FIN). The client never closes first, unless halfClose
 * says to send FIN after the last piece, as a client that is done: a server that should close and
 * does not fails the test by its timeout.
 */
export function exchange(
  port: number,
  pieces: (string | Buffer)[],
  { halfClose = false } = {},
): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      try {
        resolve(splitResponses(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    const writeFrom = (i: number): void => {
      if (i === pieces.length) {
        if (halfClose) socket.end();
        return;
      }
      socket.write(typeof pieces[i] === 'string' ? Buffer.from(pieces[i] as string, 'latin1') : pieces[i]);
      setImmediate(() => writeFrom(i + 1));
    };
    socket.on('connect', () => writeFrom(0));
  });
}
