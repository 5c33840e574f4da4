// The bytes a connection could not write yet, oldest first, sent with one writev per flush. The
// queue owns its bytes: it copies what it is given, so a caller may reuse its buffer at once.
// Small writes share a chunk, so that many small replies leave in few iovecs.
import { binding } from '../core/binding';

const io = binding.io;
const sock = binding.sock;
const MAX_IOV = sock.constants.MAX_IOV;
// A new chunk holds at least this much, so that a run of small writes fills one chunk.
const CHUNK = 16 * 1024;

interface Chunk {
  buffer: Buffer;
  /** The first unsent byte. */
  start: number;
  /** One past the last byte written into it. */
  end: number;
}

export class WriteQueue {
  #chunks: Chunk[] = [];
  #bytes = 0;
  // The views handed to writev, reused from flush to flush.
  readonly #views: Buffer[] = [];

  /** Bytes waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Copies source[start, end) onto the end of the queue. */
  push(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    const from = source.subarray(start, end);
    const last = this.#chunks[this.#chunks.length - 1];
    if (last !== undefined && last.buffer.length - last.end >= length) {
      last.buffer.set(from, last.end);
      last.end += length;
    } else {
      const buffer = Buffer.allocUnsafe(Math.max(CHUNK, length));
      buffer.set(from, 0);
      this.#chunks.push({ buffer, start: 0, end: length });
    }
    this.#bytes += length;
  }

  /**
   * Writes what waits with one syscall (writev, or write for one chunk): the bytes written, or the
   * native result (-errno, -EAGAIN included) for the caller to judge.
   */
  flush(fd: number): number {
    const chunks = this.#chunks;
    if (chunks.length === 0) return 0;
    let result: number;
    if (chunks.length === 1) {
      const only = chunks[0];
      result = io.write(fd, only.buffer, only.start, only.end - only.start);
    } else {
      const views = this.#views;
      const count = Math.min(chunks.length, MAX_IOV);
      for (let i = 0; i < count; i++) views[i] = chunks[i].buffer.subarray(chunks[i].start, chunks[i].end);
      result = sock.writev(fd, views);
      views.length = 0;
    }
    if (result > 0) this.#consume(result);
    return result;
  }

  /** Drops everything (the connection is gone). */
  clear(): void {
    this.#chunks = [];
    this.#bytes = 0;
  }

  // An emptied chunk is dropped, the last one too: the next push starts a fresh one.
  #consume(written: number): void {
    this.#bytes -= written;
    const chunks = this.#chunks;
    let left = written;
    while (left > 0) {
      const first = chunks[0];
      const size = first.end - first.start;
      if (left < size) {
        first.start += left;
        return;
      }
      left -= size;
      chunks.shift();
    }
  }
}
