// A RESP2 client of our own for the RESP server's tests: commands out as multibulk, replies parsed
// back from however the bytes arrive. An error reply resolves as { error } rather than rejecting.
import * as net from 'node:net';

export type RespValue = string | number | null | { error: string } | RespValue[];

/** Encodes one command as a RESP multibulk request. */
export function encode(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** One reply parsed from buffer at offset: [value, next offset], or null when incomplete. */
export function parseReply(buffer: Buffer, offset: number): [RespValue, number] | null {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return null;
  const line = buffer.toString('latin1', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (buffer[offset]) {
    case 0x2b: // +
      return [line, next];
    case 0x2d: // -
      return [{ error: line }, next];
    case 0x3a: // :
      return [Number(line), next];
    case 0x24: {
      // $
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buffer.length < next + length + 2) return null;
      return [buffer.toString('latin1', next, next + length), next + length + 2];
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (item === null) return null;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buffer.toString('latin1', offset, offset + 20))}`);
  }
}

export class RespClient {
  readonly socket: net.Socket;
  readonly #waiting: ((value: RespValue) => void)[] = [];
  #pending = Buffer.alloc(0);
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.on('error', () => undefined);
  }

  /** Sends one command and resolves with its reply. */
  call(...args: (string | Buffer)[]): Promise<RespValue> {
    return this.send(encode(args));
  }

  /** Sends raw bytes holding one request (or a part of several): resolves with the next reply. */
  send(bytes: Buffer | string): Promise<RespValue> {
    const reply = this.next();
    this.socket.write(bytes);
    return reply;
  }

  /** The next reply not yet claimed. */
  next(): Promise<RespValue> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    let at = 0;
    for (let parsed = parseReply(this.#pending, at); parsed !== null; parsed = parseReply(this.#pending, at)) {
      at = parsed[1];
      const resolve = this.#waiting.shift();
      if (resolve === undefined) throw new Error(`a reply nobody asked for: ${JSON.stringify(parsed[0])}`);
      resolve(parsed[0]);
    }
    this.#pending = this.#pending.subarray(at);
  }
}
