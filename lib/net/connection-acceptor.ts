// Accepting on an edge-triggered listener: accept until EAGAIN, since the edge is the only notice
// of every connection queued so far, and out of fds shed connections instead of spinning.
import * as fs from 'node:fs';

import type { SystemError } from '../core/errors';
import { binding } from '../core/binding';
import { accept, type AcceptedSocket } from './sock';

// The peer gave up, or a firewall refused it: the next one may be fine.
const RECOVERABLE = new Set(['ECONNABORTED', 'EPROTO', 'EPERM']);
const OUT_OF_FDS = new Set(['EMFILE', 'ENFILE']);
// Short of kernel memory: the connections wait in the backlog, and the next edge tries again.
const OUT_OF_MEMORY = new Set(['ENOBUFS', 'ENOMEM']);

export class Acceptor {
  /** Connections accepted and closed at once because the process was out of fds. */
  shed = 0;
  readonly #listenFd: number;
  // Held open so that, out of fds, one can be freed to accept and drop a pending connection.
  #reserveFd: number | null;

  constructor(listenFd: number) {
    this.#listenFd = listenFd;
    this.#reserveFd = fs.openSync('/dev/null', 'r');
  }

  /**
   * Accepts every pending connection, handing each to open, while listening() says the listener
   * is still open (open may close it). An error open throws does not stop the loop (the rest
   * would wait for an edge that never comes): the first is rethrown at the end.
   */
  acceptAll(open: (accepted: AcceptedSocket) => void, listening: () => boolean): void {
    let failed = false;
    let firstError: unknown;
    while (listening()) {
      const accepted = this.#acceptOne();
      if (accepted === null) break;
      try {
        open(accepted);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
    if (failed) throw firstError;
  }

  close(): void {
    if (this.#reserveFd !== null) fs.closeSync(this.#reserveFd);
    this.#reserveFd = null;
  }

  // The next connection, or null once none is pending (or none can be taken now).
  #acceptOne(): AcceptedSocket | null {
    for (;;) {
      try {
        return accept(this.#listenFd);
      } catch (error) {
        const { code } = error as SystemError;
        if (RECOVERABLE.has(code)) continue;
        if (OUT_OF_FDS.has(code) && this.#shedOne()) continue;
        if (OUT_OF_FDS.has(code) || OUT_OF_MEMORY.has(code)) return null;
        throw error;
      }
    }
  }

  // Out of fds, a queued connection would make the listener ready forever. Free the reserve,
  // accept the connection and close it, so the peer sees a clean close instead of a hang.
  #shedOne(): boolean {
    if (this.#reserveFd === null) return false;
    fs.closeSync(this.#reserveFd);
    this.#reserveFd = null;
    let accepted = null;
    try {
      accepted = accept(this.#listenFd);
    } catch {
      // The connection was aborted, or another thread took the freed fd: nothing to shed now.
    }
    if (accepted !== null) {
      binding.io.close(accepted.fd);
      this.shed++;
    }
    try {
      this.#reserveFd = fs.openSync('/dev/null', 'r');
    } catch {
      // Another thread took the fd; the next edge on the listener tries again.
    }
    return accepted !== null && this.#reserveFd !== null;
  }
}
