// How the parser refuses a request: the status to answer with, and why. After one the connection
// cannot be trusted to frame another request, so the server answers and closes.

export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    /** 400, 413, 431, 501 or 505. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}
