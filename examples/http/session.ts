// One HTTP connection's protocol: bytes in, parsed into requests, each answered in order (so
// pipelined requests get their responses in the order they came), and the connection ended after
// a response that closes it or a request the parser refused.
import type { Connection, ConnectionHandler } from '../../lib';
import type { HttpError } from './errors';
import type { IdleSweeper, Watched } from './idle';
import type { ParserLimits } from './limits';
import { RequestParser, type ParserHandler } from './parser';
import type { HttpRequest } from './request';
import { CONTINUE } from './response';
import type { Router } from './router';

/** Where a session's responses go: a connection (its write queue, its half-close, its end). */
export type ResponseSink = Pick<Connection, 'write' | 'end' | 'destroy'>;

/** The connection layer's handler of one HTTP connection. */
export class HttpSession implements ParserHandler, ConnectionHandler, Watched {
  readonly #parser: RequestParser;
  readonly #sink: ResponseSink;
  readonly #router: Router;
  readonly #sweeper: IdleSweeper;
  lastProgress = 0;

  constructor(sink: ResponseSink, router: Router, sweeper: IdleSweeper, limits?: ParserLimits) {
    this.#sink = sink;
    this.#router = router;
    this.#sweeper = sweeper;
    this.#parser = new RequestParser(this, limits);
    sweeper.watch(this);
  }

  /** Takes bytes read; returns how many it consumed (the rest come again with the next read). */
  data(buf: Buffer, start: number, end: number): number {
    const consumed = this.#parser.execute(buf, start, end);
    // A head is consumed only once complete: bytes of one still coming are no progress.
    if (consumed > 0) this.lastProgress = this.#sweeper.tick;
    return consumed;
  }

  close(): void {
    this.#sweeper.forget(this);
  }

  expire(): void {
    this.#sink.destroy();
  }

  request(request: HttpRequest): void {
    this.#sink.write(this.#router.respond(request));
    if (!request.keepAlive) this.#sink.end();
  }

  continue(): void {
    this.#sink.write(CONTINUE);
  }

  error(error: HttpError): void {
    this.#sink.write(this.#router.refuse(error));
    this.#sink.end();
  }
}
