// The server's routes: a fixed text (the one load generators hit, answered from bytes encoded
// once a second) and an echo of the request body. Anything else is 404, or 405 with Allow.
import type { HttpError } from './errors';
import type { HttpRequest } from './request';
import { encodeResponse, persistence, type Persistence, type Response } from './response';

export const HELLO = Buffer.from('Hello, World!');

const TEXT = 'text/plain';
const NOT_FOUND: Response = { status: 404, contentType: TEXT, body: Buffer.from('not found\n') };

/** Where the Date header comes from: an HttpDate, kept current by its timer. */
export interface DateSource {
  readonly value: string;
}

interface Route {
  allow: string;
  respond(request: HttpRequest): Response;
}

const ROUTES = new Map<string, Route>();
const hello: Route = {
  allow: 'GET, HEAD',
  respond: (request) => ({ status: 200, contentType: TEXT, body: HELLO, headOnly: request.method === 'HEAD' }),
};
ROUTES.set('/', hello);
ROUTES.set('/plaintext', hello);
ROUTES.set('/echo', {
  allow: 'POST, PUT',
  respond: (request) => ({
    status: 200,
    contentType: request.header('content-type') ?? 'application/octet-stream',
    body: request.body,
  }),
});

export class Router {
  readonly #date: DateSource;
  // The hot path: GET / on a kept-alive HTTP/1.1 connection, encoded again only when the Date changes.
  #helloDate = '';
  #hello: Buffer = Buffer.alloc(0);

  constructor(date: DateSource) {
    this.#date = date;
  }

  /** The whole response to request, as bytes that nothing writes to again: they may be queued as they are. */
  respond(request: HttpRequest): Buffer {
    const connection = persistence(request.keepAlive, request.minor);
    const query = request.target.indexOf('?');
    const path = query === -1 ? request.target : request.target.slice(0, query);
    const route = ROUTES.get(path);
    if (route === hello && request.method === 'GET' && connection === 'default') return this.#cachedHello();
    if (route === undefined) return this.#encode(NOT_FOUND, connection);
    if (!route.allow.split(', ').includes(request.method)) {
      const body = Buffer.from(`${request.method} is not allowed here\n`);
      const refused = { status: 405, contentType: TEXT, headers: `Allow: ${route.allow}\r\n`, body };
      return this.#encode(refused, connection);
    }
    return this.#encode(route.respond(request), connection);
  }

  /** The answer to a request the parser refused; the connection closes after it. */
  refuse(error: HttpError): Buffer {
    return this.#encode({ status: error.status, contentType: TEXT, body: Buffer.from(`${error.message}\n`) }, 'close');
  }

  #cachedHello(): Buffer {
    const date = this.#date.value;
    if (date !== this.#helloDate) {
      this.#hello = encodeResponse({ status: 200, contentType: TEXT, body: HELLO }, 'default', date);
      this.#helloDate = date;
    }
    return this.#hello;
  }

  #encode(response: Response, connection: Persistence): Buffer {
    return encodeResponse(response, connection, this.#date.value);
  }
}
