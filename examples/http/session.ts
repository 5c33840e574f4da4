// One HTTP connection's protocol: bytes in, parsed into requests, each answered in order (so
// pipelined requests get their responses in the order they came), and the connection ended after
// a response that closes it or a request the parser refused.
import type { Connection, ConnectionHandler } from '../../lib';
import type { HttpError } from './errors';
import { RequestParser, type ParserHandler, type ParserLimits } from './parser';
import type { HttpRequest } from './request';
import { CONTINUE } from './response';
import type { Router } from './router';

/** Where a session's responses go: a connection (its write queue, and its half-close). */
export type ResponseSink = Pick<Connection, 'write' | 'end'>;

/** The connection layer's handler of one HTTP connection. */
export class HttpSession implements ParserHandler, ConnectionHandler {
  readonly #parser: RequestParser;
  readonly #sink: ResponseSink;
  readonly #router: Router;

  constructor(sink: ResponseSink, router: Router, limits?: ParserLimits) {
    this.#sink = sink;
    this.#router = router;
    this.#parser = new RequestParser(this, limits);
  }

  /** Takes bytes read; returns how many it consumed (the rest come again with the next read). */
  data(buf: Buffer, start: number, end: number): number {
    return this.#parser.execute(buf, start, end);
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
