// The RESP server's keys and values, looked up by the bytes of the request itself: a key is hashed
// and compared where it lies in the read buffer, so a GET builds no string and allocates nothing.
// Keys are copied once, when first set.
import type { Arguments } from './resp-protocol';

export interface Entry {
  readonly key: Buffer;
  /** The value is bytes[0, length): kept when a SET of the same size or smaller replaces it. */
  bytes: Buffer;
  length: number;
  /** Date.now() at which the key expires; 0 for never. */
  expiresAt: number;
  /** The next entry whose key has the same hash. */
  next: Entry | null;
}

// How often, and how many keys at most, the sweep of expired keys looks at.
const SWEEP_MS = 1000;
const SWEEP_KEYS = 1000;

// FNV-1a over the key's bytes.
function hashOf(buffer: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buffer[i], 0x01000193);
  return hash | 0;
}

function sameKey(key: Buffer, buffer: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== buffer[start + i]) return false;
  return true;
}

/** Copies source[start, end) to target at 0: a loop for the few bytes most values have. */
export function copyBytes(source: Buffer, start: number, end: number, target: Buffer): void {
  if (end - start > 32) source.copy(target, 0, start, end);
  else for (let i = start; i < end; i++) target[i - start] = source[i];
}

/** Every connection's keys: one keyspace per server (per worker thread, with --workers). */
export class Keyspace {
  // Chains of entries by key hash.
  #buckets = new Map<number, Entry>();
  #size = 0;
  // The entries with an expiry, swept now and then so that keys nobody reads again do not stay.
  readonly #volatile = new Set<Entry>();
  // Started by the first key with an expiry.
  #sweeper: NodeJS.Timeout | null = null;

  get size(): number {
    return this.#size;
  }

  /** The live entry of argument i's key, dropping it first if it has expired. */
  get(args: Arguments, i: number): Entry | undefined {
    const entry = this.#find(args.buffer, args.starts[i], args.ends[i]);
    if (entry === undefined || entry.expiresAt === 0 || entry.expiresAt > Date.now()) return entry;
    this.#remove(entry);
    return undefined;
  }

  /** Stores value[start, end) under argument i's key, reusing the old value's buffer when it is big enough. */
  set(args: Arguments, i: number, value: Buffer, start: number, end: number, expiresAt: number): void {
    const length = end - start;
    const { buffer } = args;
    const keyStart = args.starts[i];
    const keyEnd = args.ends[i];
    let entry = this.#find(buffer, keyStart, keyEnd);
    if (entry === undefined) {
      const key = Buffer.allocUnsafe(keyEnd - keyStart);
      copyBytes(buffer, keyStart, keyEnd, key);
      const hash = hashOf(buffer, keyStart, keyEnd);
      entry = { key, bytes: Buffer.allocUnsafe(length), length, expiresAt: 0, next: this.#buckets.get(hash) ?? null };
      this.#buckets.set(hash, entry);
      this.#size++;
    } else if (entry.bytes.length < length) {
      entry.bytes = Buffer.allocUnsafe(length);
    }
    copyBytes(value, start, end, entry.bytes);
    entry.length = length;
    this.expireAt(entry, expiresAt);
  }

  expireAt(entry: Entry, expiresAt: number): void {
    if (expiresAt === entry.expiresAt) return;
    entry.expiresAt = expiresAt;
    if (expiresAt === 0) return void this.#volatile.delete(entry);
    this.#volatile.add(entry);
    if (this.#sweeper !== null) return;
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#sweeper.unref();
  }

  /** Deletes argument i's key: whether it was there (and live). */
  delete(args: Arguments, i: number): boolean {
    const entry = this.get(args, i);
    if (entry !== undefined) this.#remove(entry);
    return entry !== undefined;
  }

  clear(): void {
    this.#buckets = new Map();
    this.#size = 0;
    this.#volatile.clear();
  }

  close(): void {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
  }

  #find(buffer: Uint8Array, start: number, end: number): Entry | undefined {
    let entry: Entry | null | undefined = this.#buckets.get(hashOf(buffer, start, end));
    while (entry !== undefined && entry !== null && !sameKey(entry.key, buffer, start, end)) entry = entry.next;
    return entry ?? undefined;
  }

  #remove(entry: Entry): void {
    const hash = hashOf(entry.key, 0, entry.key.length);
    let at = this.#buckets.get(hash)!;
    if (at === entry) {
      if (entry.next === null) this.#buckets.delete(hash);
      else this.#buckets.set(hash, entry.next);
    } else {
      while (at.next !== entry) at = at.next!;
      at.next = entry.next;
    }
    this.#volatile.delete(entry);
    this.#size--;
  }

  #sweep(): void {
    let looked = 0;
    for (const entry of this.#volatile) {
      if (++looked > SWEEP_KEYS) return;
      if (entry.expiresAt <= Date.now()) this.#remove(entry);
    }
  }
}
