// The Date header (RFC 9110 §6.6.1), formatted once a second rather than once a response.

export class HttpDate {
  #second = -1;
  #value = '';

  constructor(private readonly clock: () => number = Date.now) {}

  /** Now as an IMF-fixdate ("Wed, 02 Dec 2026 02:28:11 GMT"); the same string all second long. */
  get value(): string {
    const second = Math.floor(this.clock() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#value = new Date(second * 1000).toUTCString();
    }
    return this.#value;
  }
}
