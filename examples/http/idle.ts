// Connections that stop making progress are closed: without it, a client that opens a connection
// and sends nothing, or sends a head a byte at a time and never ends it (slowloris), or never
// closes its side after the server's FIN, holds an fd and a parser for ever. One timer per server
// counts ticks; a connection remembers the tick of its last progress, which costs one store.

/** What the sweeper watches: the tick of a connection's last progress, and how to drop it. */
export interface Watched {
  lastProgress: number;
  expire(): void;
}

export class IdleSweeper {
  #tick = 0;
  readonly #limit: number;
  readonly #watched = new Set<Watched>();
  readonly #timer: ReturnType<typeof setInterval> | null = null;

  /** timeoutMs 0: never. A connection goes between timeoutMs and timeoutMs plus a quarter of it. */
  constructor(timeoutMs: number) {
    if (timeoutMs === 0) {
      this.#limit = Infinity;
      return;
    }
    const interval = Math.max(10, Math.min(1000, Math.ceil(timeoutMs / 4)));
    this.#limit = Math.ceil(timeoutMs / interval);
    this.#timer = setInterval(() => this.#sweep(), interval);
    // Unref'd, so that the timer alone keeps no process alive (Deno's global returns a number).
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** The current tick: what a connection stores as its lastProgress. */
  get tick(): number {
    return this.#tick;
  }

  watch(watched: Watched): void {
    watched.lastProgress = this.#tick;
    this.#watched.add(watched);
  }

  forget(watched: Watched): void {
    this.#watched.delete(watched);
  }

  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#watched.clear();
  }

  #sweep(): void {
    const tick = ++this.#tick;
    for (const watched of this.#watched) {
      if (tick - watched.lastProgress > this.#limit) {
        this.#watched.delete(watched);
        watched.expire();
      }
    }
  }
}
