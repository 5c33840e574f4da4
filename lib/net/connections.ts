// sock.connections(): the accept loop as an async iterator, awaiting readiness of the listener
// whenever the backlog is empty.
import type { EpollInstance } from '../epoll/epoll-instance';
import type { AwaitOptions } from '../epoll/readiness';
import { accept, type AcceptedSocket } from './sock';
import type { SystemError } from '../core/errors';

// The connection went away in the backlog: accept(2) says to take the next one.
const SKIPPED = new Set(['ECONNABORTED', 'EPROTO']);

/**
 * Each connection accepted on listenFd (non-blocking, close-on-exec), until break, return() or
 * options.signal (AbortError). Any other accept failure (EMFILE, ...) ends it by throwing.
 */
export async function* connections(
  ep: EpollInstance,
  listenFd: number,
  options?: Pick<AwaitOptions, 'signal'>,
): AsyncGenerator<AcceptedSocket, void, undefined> {
  const wait = { signal: options?.signal };
  for (;;) {
    let accepted: AcceptedSocket | null;
    try {
      accepted = accept(listenFd);
    } catch (error) {
      if (SKIPPED.has((error as SystemError).code)) continue;
      throw error;
    }
    if (accepted === null) await ep.readable(listenFd, wait);
    else yield accepted;
  }
}
