// One accepted stream socket, edge-triggered: reads into a buffer the layer owns and hands the
// unconsumed bytes to the protocol's data handler, writes at once when the kernel takes them and
// queues the rest for EPOLLOUT, pauses reading above the high-water mark, and closes in order.
// docs/SERVERS.md describes the life of a connection.
import * as os from 'node:os';

import { binding } from '../core/binding';
import { invalidArgType, outOfRange, systemError, type CodedError } from '../core/errors';
import { validateLength, validateOffset, viewByteLength, bytesOf } from '../core/views';
import { EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDHUP } from '../epoll/constants';
import type { EpollInstance } from '../epoll/epoll-instance';
import type { SocketAddress } from './sock';
import { WriteQueue } from './write-queue';

const io = binding.io;
const sock = binding.sock;
const { SHUT_WR, SOL_SOCKET, SO_ERROR } = sock.constants;
const { EAGAIN } = os.constants.errno;

/**
 * The buffer data() reads from: a Node Buffer at run time, typed as one where Node's types are
 * loaded (@types/node), else as the Uint8Array it extends, so the package's types need neither.
 */
export type ReadBuffer = typeof globalThis extends { Buffer: { allocUnsafe(size: number): infer B } } ? B : Uint8Array;

/** What a protocol does with a connection. Only data is required. */
export interface ConnectionHandler {
  /**
   * Bytes arrived. buffer[start, end) holds every byte not consumed yet, oldest first. Return how
   * many of them were consumed (0 to end - start); the rest stay, and the next call sees them
   * again, followed by what arrived since (only then: consume every whole message you can). The
   * buffer is the layer's, valid only during the call.
   */
  data(buffer: ReadBuffer, start: number, end: number, connection: Connection): number;
  /** The peer sent FIN, after its last byte reached data. Default: connection.end(). */
  end?(connection: Connection): void;
  /** write() returned false, and everything queued has now been written. */
  drain?(connection: Connection): void;
  /** The connection is closed, once: error is null for an orderly close. */
  close?(connection: Connection, error: Error | null): void;
}

/** Counters a server keeps over all of its connections. */
export interface ConnectionStats {
  accepted: number;
  /** Connections accepted and closed at once because the process was out of fds. */
  shed: number;
  /** Connections now open. */
  open: number;
  /** Writes the kernel took only part of (or none), finished on EPOLLOUT. */
  partialWrites: number;
  /** Times a connection stopped reading because its queue reached the high-water mark. */
  backpressure: number;
  bytesRead: number;
  bytesWritten: number;
}

/** What the server shares with each of its connections (internal). */
export interface ConnectionContext {
  readonly epoll: EpollInstance;
  readonly stats: ConnectionStats;
  /** Where reads land while a connection keeps no partial message: one for all connections. */
  readonly scratch: ReadBuffer;
  readonly highWaterMark: number;
  readonly maxReadBuffer: number;
  /** Stop reading at a short read (see DrainPolicy). */
  readonly stopAtShortRead: boolean;
  /** EPOLLOUT always in the mask, instead of only while output waits. */
  readonly alwaysOut: boolean;
  /** The server forgets a connection that closed. */
  forget(connection: Connection): void;
}

// Every connection's events, edge-triggered; EPOLLOUT joins them as the context says.
const EVENTS = EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLET;
// With either reported, a short read does not prove the receive queue empty: read to EAGAIN
// (the urgent mark stops a read early; a FIN already reported must be read to its 0).
const READ_TO_EAGAIN = EPOLLPRI | EPOLLRDHUP;
// A connection's own buffer starts at this size, and a read gets at least this much room.
const MIN_ROOM = 16 * 1024;

function readBufferFull(limit: number): CodedError {
  const error = new Error(`a partial message filled the read buffer (maxReadBuffer: ${limit} bytes)`);
  return Object.assign(error, { code: 'ERR_READ_BUFFER_FULL' });
}

function writeAfterEnd(): CodedError {
  return Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
}

export class Connection {
  /** The socket. The connection closes it: never close it yourself. */
  readonly fd: number;
  /** The peer, as accept reported it. */
  readonly remoteAddress: SocketAddress;
  #bytesRead = 0;
  #bytesWritten = 0;
  readonly #context: ConnectionContext;
  #handler: ConnectionHandler | null = null;
  readonly #queue = new WriteQueue();
  // The one write made inside a handler while nothing was queued, held (not copied) until the
  // handler returns, when it is written at once: the common reply costs one syscall, no copy.
  #held: ArrayBufferView | null = null;
  #heldStart = 0;
  #heldEnd = 0;
  // This connection's handlers on the stack: writes are gathered, reads wait.
  #depth = 0;
  // The unconsumed bytes of a partial message: own[ownStart, ownEnd).
  #own: ReadBuffer | null = null;
  #ownStart = 0;
  #ownEnd = 0;
  #paused = false;
  #resumeScheduled: NodeJS.Immediate | null = null;
  // The kernel refused bytes: wait for EPOLLOUT before trying again.
  #blocked = false;
  #outArmed = false;
  #needDrain = false;
  #readEnded = false;
  #ending = false;
  #writeShut = false;
  #closed = false;
  #closeError: Error | null = null;
  readonly #onEvents = (events: number): void => this.#serve(events);

  /** @internal The server makes connections. */
  constructor(fd: number, remoteAddress: SocketAddress, context: ConnectionContext) {
    this.fd = fd;
    this.remoteAddress = remoteAddress;
    this.#context = context;
  }

  /** @internal Registers the socket and serves what arrived before the registration. */
  start(handler: ConnectionHandler): void {
    this.#handler = handler;
    // Destroyed from onConnection itself (by destroy() or server.close()): the handler hears of it now.
    if (this.#closed) return handler.close?.(this, this.#closeError);
    this.#outArmed = this.#context.alwaysOut;
    this.#context.epoll.add(this.fd, EVENTS | (this.#outArmed ? EPOLLOUT : 0), this.#onEvents);
    // An edge that came before the registration is not repeated.
    this.#serve(EPOLLIN);
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Bytes written by write() that the kernel has not taken yet. */
  get bufferedBytes(): number {
    return this.#queue.bytes + (this.#held === null ? 0 : this.#heldEnd - this.#heldStart);
  }

  /** false once end() or destroy() was called, or the connection closed. */
  get writable(): boolean {
    return !this.#ending && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Sends data[offset, offset + length) (a string as UTF-8): at once if the kernel takes it, else
   * queued and sent on EPOLLOUT. Returns false once the queue has reached the high-water mark
   * (reading is paused until it drains; the handler's drain() says when). Inside this connection's
   * handler, the bytes may be held until the handler returns: do not change them before. After
   * the connection closed, the bytes are dropped and false is returned. Throws after end().
   */
  write(data: ArrayBufferView | string, offset?: number, length?: number): boolean {
    if (this.#ending) throw writeAfterEnd();
    let view: ArrayBufferView;
    let start: number;
    let end: number;
    if (typeof data === 'string') {
      view = Buffer.from(data);
      start = 0;
      end = view.byteLength;
    } else {
      const size = viewByteLength(data, 'data');
      view = data;
      start = validateOffset(size, offset);
      end = start + validateLength(size, start, length);
    }
    if (this.#closed) return false;
    if (start === end) return this.#queue.bytes < this.#context.highWaterMark;
    if (this.#held === null && this.#queue.bytes === 0) {
      if (this.#depth > 0) {
        this.#held = view;
        this.#heldStart = start;
        this.#heldEnd = end;
        return true;
      }
      this.#writeNow(view, start, end);
    } else {
      this.#releaseHeld();
      this.#queue.push(bytesOf(view), start, end);
      if (this.#depth === 0 && !this.#blocked) this.#flush();
    }
    return this.#belowHighWater();
  }

  /**
   * Half-closes: data (if given) and everything queued is sent, then FIN. The connection closes
   * once the peer has ended too; until then its bytes still reach data().
   */
  end(data?: ArrayBufferView | string): void {
    if (this.#closed || this.#ending) return;
    if (data !== undefined) this.write(data);
    this.#ending = true;
    if (this.#depth === 0) this.#finishEnd();
  }

  /** Closes at once, dropping whatever is queued; close() gets error (default null). Idempotent. */
  destroy(error: Error | null = null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#held = null;
    this.#queue.clear();
    this.#own = null;
    if (this.#resumeScheduled !== null) clearImmediate(this.#resumeScheduled);
    const context = this.#context;
    context.forget(this);
    if (!context.epoll.closed && context.epoll.has(this.fd)) context.epoll.remove(this.fd);
    io.close(this.fd);
    context.stats.open--;
    this.#handler?.close?.(this, error);
  }

  /** Stops reading: the peer's bytes wait in the kernel, and then the peer waits. */
  pause(): void {
    this.#paused = true;
  }

  /** Reads again, from the next turn of the event loop (never inside a handler's call). */
  resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    // Later, not now: the caller may be any connection's handler, still reading the shared buffer.
    this.#resumeScheduled ??= setImmediate(() => {
      this.#resumeScheduled = null;
      this.#serve(EPOLLIN | READ_TO_EAGAIN);
    });
  }

  #serve(events: number): void {
    if (this.#closed) return;
    if ((events & EPOLLOUT) !== 0) this.#blocked = false;
    if ((events & (EPOLLERR | EPOLLHUP)) !== 0) return this.#hangUp(events);
    if (this.#queue.bytes > 0 && !this.#blocked && !this.#flush()) return;
    this.#readAll((events & READ_TO_EAGAIN) !== 0, false);
  }

  // An error or a hang-up in both directions: deliver what is left to read, then close.
  #hangUp(events: number): void {
    this.#readAll(true, true);
    if (this.#closed) return;
    const errno = (events & EPOLLERR) !== 0 ? sock.getIntOption(this.fd, SOL_SOCKET, SO_ERROR) : 0;
    this.destroy(errno > 0 ? systemError(-errno, 'getsockopt', this.fd) : null);
  }

  // Reads until drained, handing each read to the handler. Once output backs up to the
  // high-water mark reading stops: the peer must read before it may send more.
  #readAll(toEagain: boolean, regardless: boolean): void {
    const context = this.#context;
    while (!this.#closed && !this.#readEnded && (regardless || this.#readable())) {
      const keeping = this.#ownEnd > this.#ownStart;
      const buffer = keeping ? this.#roomInOwn() : context.scratch;
      if (buffer === null) return;
      const at = keeping ? this.#ownEnd : 0;
      const room = buffer.length - at;
      const count = io.read(this.fd, buffer, at, room);
      if (count < 0) {
        if (count !== -EAGAIN) this.destroy(systemError(count, 'read', this.fd));
        return;
      }
      if (count === 0) return this.#peerEnded();
      this.#bytesRead += count;
      context.stats.bytesRead += count;
      if (keeping) this.#deliverOwn(count);
      else this.#deliverScratch(count);
      if (count < room && context.stopAtShortRead && !toEagain) return;
    }
  }

  #readable(): boolean {
    if (this.#paused) return false;
    if (this.#belowHighWater()) return true;
    this.#context.stats.backpressure++;
    return false;
  }

  #belowHighWater(): boolean {
    if (this.#queue.bytes < this.#context.highWaterMark) return true;
    this.#needDrain = true;
    return false;
  }

  #deliverScratch(count: number): void {
    const scratch = this.#context.scratch;
    const consumed = this.#deliver(scratch, 0, count);
    if (consumed === count || this.#closed) return;
    const left = count - consumed;
    let own = this.#own;
    if (own === null || own.length < left) own = this.#own = Buffer.allocUnsafe(Math.max(MIN_ROOM, 2 * left));
    scratch.copy(own, 0, consumed, count);
    this.#ownStart = 0;
    this.#ownEnd = left;
  }

  #deliverOwn(count: number): void {
    this.#ownEnd += count;
    const consumed = this.#deliver(this.#own!, this.#ownStart, this.#ownEnd);
    if (this.#closed) return;
    this.#ownStart += consumed;
    if (this.#ownStart === this.#ownEnd) {
      this.#ownStart = this.#ownEnd = 0;
      // A large message's buffer goes with it; a small one is kept for the next partial message.
      if (this.#own!.length > this.#context.scratch.length) this.#own = null;
    }
  }

  // The connection's own buffer with room after ownEnd: compacted, then grown up to the limit.
  // null (the connection destroyed) when a partial message fills the largest buffer allowed.
  #roomInOwn(): ReadBuffer | null {
    let own = this.#own!;
    if (own.length - this.#ownEnd >= MIN_ROOM) return own;
    const kept = this.#ownEnd - this.#ownStart;
    const limit = this.#context.maxReadBuffer;
    if (kept + MIN_ROOM > own.length && own.length < limit) {
      const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(2 * own.length, kept + MIN_ROOM)));
      own.copy(grown, 0, this.#ownStart, this.#ownEnd);
      own = this.#own = grown;
    } else if (this.#ownStart > 0) {
      own.copyWithin(0, this.#ownStart, this.#ownEnd);
    } else if (kept >= limit) {
      this.destroy(readBufferFull(limit));
      return null;
    }
    this.#ownStart = 0;
    this.#ownEnd = kept;
    return own;
  }

  // Calls the data handler: what it consumed, checked. Writes it makes go out when it returns.
  #deliver(buffer: ReadBuffer, start: number, end: number): number {
    const handler = this.#handler!;
    this.#depth++;
    let consumed: unknown;
    try {
      consumed = handler.data(buffer, start, end, this);
    } catch (error) {
      this.#depth--;
      this.destroy(error as Error);
      throw error;
    }
    this.#depth--;
    if (typeof consumed !== 'number' || !Number.isInteger(consumed) || consumed < 0 || consumed > end - start) {
      const error =
        typeof consumed === 'number'
          ? outOfRange("the data handler's result", `an integer >= 0 && <= ${end - start}`, consumed)
          : invalidArgType("the data handler's result", 'of type number', consumed);
      this.destroy(error);
      throw error;
    }
    if (this.#depth === 0) this.#afterHandler();
    return consumed;
  }

  // Runs a handler other than data with writes gathered the same way.
  #call(run: () => void): void {
    this.#depth++;
    try {
      run();
    } catch (error) {
      this.#depth--;
      this.destroy(error as Error);
      throw error;
    }
    this.#depth--;
    if (this.#depth === 0) this.#afterHandler();
  }

  #afterHandler(): void {
    if (this.#closed) return;
    const held = this.#held;
    if (held !== null) {
      this.#held = null;
      this.#writeNow(held, this.#heldStart, this.#heldEnd);
    } else if (this.#queue.bytes > 0 && !this.#blocked) {
      this.#flush();
    }
    if (!this.#closed && this.#queue.bytes === 0) this.#emptied();
  }

  // One syscall for bytes nothing is queued before; what the kernel does not take is queued.
  #writeNow(view: ArrayBufferView, start: number, end: number): void {
    const result = io.write(this.fd, view, start, end - start);
    if (result < 0 && result !== -EAGAIN) return this.destroy(systemError(result, 'write', this.fd));
    const written = result < 0 ? 0 : result;
    this.#wrote(written);
    if (start + written === end) return;
    this.#queue.push(bytesOf(view), start + written, end);
    this.#context.stats.partialWrites++;
    this.#waitForOut();
  }

  // The held write goes into the queue, behind which a new write must wait.
  #releaseHeld(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    this.#queue.push(bytesOf(held), this.#heldStart, this.#heldEnd);
  }

  // Writes the queue with one writev: true once it is empty.
  #flush(): boolean {
    const result = this.#queue.flush(this.fd);
    if (result < 0 && result !== -EAGAIN) {
      this.destroy(systemError(result, 'writev', this.fd));
      return false;
    }
    if (result > 0) this.#wrote(result);
    if (this.#queue.bytes > 0) {
      this.#context.stats.partialWrites++;
      this.#waitForOut();
      return false;
    }
    if (this.#depth === 0) this.#emptied();
    return !this.#closed;
  }

  #wrote(bytes: number): void {
    this.#bytesWritten += bytes;
    this.#context.stats.bytesWritten += bytes;
  }

  #waitForOut(): void {
    this.#blocked = true;
    if (this.#outArmed) return;
    this.#outArmed = true;
    this.#context.epoll.modify(this.fd, EVENTS | EPOLLOUT);
  }

  // The queue is empty: disarm EPOLLOUT, tell a waiting writer, and finish an end().
  #emptied(): void {
    if (this.#outArmed && !this.#context.alwaysOut) {
      this.#outArmed = false;
      this.#context.epoll.modify(this.fd, EVENTS);
    }
    if (this.#needDrain) {
      this.#needDrain = false;
      const { drain } = this.#handler!;
      if (drain !== undefined) this.#call(() => drain.call(this.#handler, this));
    }
    if (this.#ending) this.#finishEnd();
  }

  #peerEnded(): void {
    this.#readEnded = true;
    const { end } = this.#handler!;
    if (end === undefined) this.end();
    else this.#call(() => end.call(this.#handler, this));
    if (this.#writeShut && !this.#closed) this.destroy();
  }

  // end() was called: once nothing waits to be written, FIN (and close, if the peer ended too).
  #finishEnd(): void {
    if (this.#closed || this.#writeShut || this.#held !== null || this.#queue.bytes > 0) return;
    this.#writeShut = true;
    if (this.#readEnded) return this.destroy();
    const result = sock.shutdown(this.fd, SHUT_WR);
    if (result < 0) this.destroy(systemError(result, 'shutdown', this.fd));
  }
}
