// Driving examples/http's RequestParser as a connection would: bytes arrive in pieces, what the
// parser leaves unconsumed is presented again with the next piece, and the read buffer is
// overwritten after each call, so that a parser keeping a pointer into it is caught.
import type { ParserLimits } from '../../examples/http/limits';
import { RequestParser } from '../../examples/http/parser';

export type ParseEvent =
  | {
      type: 'request';
      method: string;
      target: string;
      minor: number;
      keepAlive: boolean;
      headers: [string, string][];
      body: string;
    }
  | { type: 'continue' }
  | { type: 'error'; status: number; message: string };

/** Every event of parsing input cut at the given offsets, each copied out while it was valid. */
export function parseInPieces(input: Buffer, cuts: number[] = [], limits?: ParserLimits): ParseEvent[] {
  const events: ParseEvent[] = [];
  const parser = new RequestParser(
    {
      request: (r) =>
        events.push({
          type: 'request',
          method: r.method,
          target: r.target,
          minor: r.minor,
          keepAlive: r.keepAlive,
          headers: r.headers(),
          body: r.body.toString('latin1'),
        }),
      continue: () => events.push({ type: 'continue' }),
      error: (e) => events.push({ type: 'error', status: e.status, message: e.message }),
    },
    limits,
  );
  let pending = Buffer.alloc(0);
  const bounds = [...cuts.filter((c) => c > 0 && c < input.length).sort((a, b) => a - b), input.length];
  let from = 0;
  for (const to of bounds) {
    // A fresh buffer with slack on both sides, as a connection's buffer with bytes before and after.
    const bytes = Buffer.concat([pending, input.subarray(from, to)]);
    const buffer = Buffer.alloc(bytes.length + 16, 0xee);
    bytes.copy(buffer, 7);
    const consumed = parser.execute(buffer, 7, 7 + bytes.length);
    if (consumed < 0 || consumed > bytes.length) throw new Error(`consumed ${consumed} of ${bytes.length}`);
    pending = Buffer.from(bytes.subarray(consumed));
    buffer.fill(0xee);
    from = to;
  }
  return events;
}

export function requestEvent(
  fields: Partial<Extract<ParseEvent, { type: 'request' }>> & { headers: [string, string][] },
): ParseEvent {
  return { type: 'request', method: 'GET', target: '/', minor: 1, keepAlive: true, body: '', ...fields };
}

export function raw(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
