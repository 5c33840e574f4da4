// A request body that arrives over several reads, gathered into one buffer of the parser's own:
// the caller's read buffer is reused once the bytes are consumed.

const FIRST_CAPACITY = 16 * 1024;
// A body buffer past this is dropped after its request, so that one large upload does not pin its
// memory for the life of a keep-alive connection.
const KEEP_CAPACITY = 64 * 1024;

export class BodyBuffer {
  #bytes: Buffer | null = null;
  length = 0;

  /** Appends buf[start, end); grows by doubling, as bytes arrive, never ahead of them. */
  append(buf: Uint8Array, start: number, end: number): void {
    const count = end - start;
    if (count === 0) return;
    const needed = this.length + count;
    let bytes = this.#bytes;
    if (bytes === null || bytes.length < needed) {
      let capacity = Math.max(FIRST_CAPACITY, bytes === null ? 0 : bytes.length * 2);
      while (capacity < needed) capacity *= 2;
      const grown = Buffer.allocUnsafe(capacity);
      if (bytes !== null) bytes.copy(grown, 0, 0, this.length);
      this.#bytes = bytes = grown;
    }
    bytes.set(buf.subarray(start, end), this.length);
    this.length = needed;
  }

  /** The bytes so far; valid until the next append or reset. */
  view(): Buffer {
    return this.#bytes === null ? EMPTY : this.#bytes.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
    if (this.#bytes !== null && this.#bytes.length > KEEP_CAPACITY) this.#bytes = null;
  }
}

const EMPTY = Buffer.alloc(0);
