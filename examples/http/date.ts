// The Date header (RFC 9110 §6.6.1), formatted once a second by a timer rather than per response:
// reading the clock for each response cost more than the rest of a small request's parsing. Like
// nginx's cached time, it lags when the event loop is busy, by as long as the loop is.
export class HttpDate {
  /** Now as an IMF-fixdate ("Wed, 02 Dec 2026 02:28:11 GMT"); the same string all second long. */
  value = '';
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
    this.#refresh();
  }

  /** Stops the timer; value stays as it was. */
  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  readonly #refresh = (): void => {
    const now = this.#clock();
    const intoSecond = now % 1000;
    this.value = new Date(now - intoSecond).toUTCString();
    this.#timer = setTimeout(this.#refresh, 1000 - intoSecond);
    // Unref'd, so that a server left open does not keep its process alive for the timer's sake.
    // (Deno's global setTimeout returns a number, which has no unref.)
    (this.#timer as { unref?: () => void }).unref?.();
  };
}
