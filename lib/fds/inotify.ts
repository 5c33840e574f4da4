// Inotify: the kernel's file-change events on a pollable fd. One read() takes every event queued (up
// to 64 KiB of them) in one crossing, and lib/ parses them from its own buffer. The kernel's limits
// are not hidden: a full queue (IN_Q_OVERFLOW) throws unless the caller asked to see it as an event.
import { binding } from '../core/binding';
import { check, checkOrNull, invalidArgType, invalidArgValue, queueOverflowError } from '../core/errors';
import { validateEventMask, validateInteger, validateOneOf, validateOptions } from '../core/validate';
import {
  IN_ALL_EVENTS,
  IN_DONT_FOLLOW,
  IN_EXCL_UNLINK,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONESHOT,
  IN_ONLYDIR,
  IN_Q_OVERFLOW,
} from './inotify-constants';
import { FdObject, objectFd as openFd } from '../core/fd-owner';

const native = binding.inotify;
const layout = native.eventLayout;

// What watch() takes: the events, and the flags that shape the watch. IN_ISDIR, IN_UNMOUNT,
// IN_Q_OVERFLOW and IN_IGNORED only ever come back.
const WATCH_BITS =
  (IN_ALL_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT) >>> 0;
const MAX_WD = 0x7fffffff;
// Linux's PATH_MAX, with the NUL.
const MAX_PATH_BYTES = 4096;

// One buffer for every instance of this thread: a read is parsed before the next can start.
const READ_BYTES = 64 * 1024;
const bytes = Buffer.from(new ArrayBuffer(READ_BYTES));
// The kernel writes host byte order and keeps each header 4-byte aligned (names are padded).
const signedWords = new Int32Array(bytes.buffer);
const words = new Uint32Array(bytes.buffer);

/** One inotify event, as the kernel queued it. */
export interface InotifyEvent {
  /** The watch it is for, as watch() returned it; -1 for IN_Q_OVERFLOW. */
  wd: number;
  /** The IN_* bits: what happened, and IN_ISDIR when it happened to a directory. */
  mask: number;
  /** Ties an IN_MOVED_FROM to its IN_MOVED_TO (see pairRenames()); 0 otherwise. */
  cookie: number;
  /** The entry's name within a watched directory, decoded as UTF-8; '' for the watched path itself. */
  name: string;
}

/** An IN_MOVED_FROM and the IN_MOVED_TO with its cookie: one rename within what is watched. */
export interface InotifyRename {
  cookie: number;
  from: InotifyEvent;
  to: InotifyEvent;
}

export interface InotifyOptions {
  /**
   * What read() does when the kernel's queue overflowed (events were lost; fs.inotify.max_queued_events):
   * 'throw' (the default) throws ERR_INOTIFY_OVERFLOW, whose `events` holds everything that read
   * took, the IN_Q_OVERFLOW event included; 'event' returns it among the other events.
   */
  overflow?: 'throw' | 'event';
}

const OVERFLOW_MODES: readonly ('throw' | 'event')[] = ['throw', 'event'];

function eventAt(offset: number): InotifyEvent {
  const word = offset >>> 2;
  const start = offset + layout.headerBytes;
  const end = start + words[word + (layout.len >>> 2)];
  // The name is NUL-padded to keep the next header aligned.
  const nul = end === start ? start : bytes.indexOf(0, start);
  return {
    wd: signedWords[word + (layout.wd >>> 2)],
    mask: words[word + (layout.mask >>> 2)],
    cookie: words[word + (layout.cookie >>> 2)],
    name: bytes.toString('utf8', start, nul < 0 || nul > end ? end : nul),
  };
}

function parseEvents(length: number): InotifyEvent[] {
  const events: InotifyEvent[] = [];
  for (let offset = 0; offset + layout.headerBytes <= length;) {
    const event = eventAt(offset);
    offset += layout.headerBytes + words[(offset >>> 2) + (layout.len >>> 2)];
    if (offset > length) break;
    events.push(event);
  }
  return events;
}

function pathBytes(path: unknown): Uint8Array {
  if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
  const encoded = Buffer.from(`${path}\0`, 'utf8');
  if (path.length === 0 || path.includes('\0') || encoded.length > MAX_PATH_BYTES) {
    throw invalidArgValue(
      TypeError,
      'path',
      path,
      `must be a non-empty path of less than ${MAX_PATH_BYTES} bytes without NUL bytes`,
    );
  }
  return new Uint8Array(encoded);
}

export class Inotify extends FdObject {
  readonly #throwOnOverflow: boolean;

  /** A non-blocking, close-on-exec inotify instance. EMFILE carries a hint (fs.inotify.max_user_instances). */
  constructor(options?: InotifyOptions) {
    const opts = validateOptions(options);
    const overflow =
      opts.overflow === undefined ? 'throw' : validateOneOf(opts.overflow, 'options.overflow', OVERFLOW_MODES);
    super(check(native.inotifyInit(), 'inotify_init1'));
    this.#throwOnOverflow = overflow === 'throw';
  }

  /**
   * Watches path (a string) for the IN_* events in mask, with any of IN_ONLYDIR, IN_DONT_FOLLOW,
   * IN_EXCL_UNLINK, IN_MASK_CREATE, IN_MASK_ADD and IN_ONESHOT: the watch descriptor, the same one
   * again for a path already watched. ENOSPC carries a hint (fs.inotify.max_user_watches).
   */
  watch(path: string, mask: number): number {
    const fd = openFd(this);
    const bits = validateEventMask(mask, WATCH_BITS, 'mask');
    if ((bits & IN_ALL_EVENTS) === 0) throw invalidArgValue(RangeError, 'mask', mask, 'has no event bits');
    return check(native.inotifyAddWatch(fd, pathBytes(path), bits), 'inotify_add_watch', fd);
  }

  /** Stops watch wd; the kernel then queues IN_IGNORED for it. EINVAL for a wd it does not know. */
  unwatch(wd: number): void {
    const fd = openFd(this);
    check(native.inotifyRmWatch(fd, validateInteger(wd, 'wd', 1, MAX_WD)), 'inotify_rm_watch', fd);
  }

  /** Every event queued (up to 64 KiB of them), oldest first, or null when there is none. See options.overflow. */
  read(): InotifyEvent[] | null {
    const fd = openFd(this);
    const length = checkOrNull(binding.io.read(fd, bytes, 0, READ_BYTES), 'read', fd);
    if (length === null) return null;
    const events = parseEvents(length);
    if (this.#throwOnOverflow && events.some((event) => (event.mask & IN_Q_OVERFLOW) !== 0)) {
      throw queueOverflowError(events);
    }
    return events;
  }
}

/**
 * events in order, with each IN_MOVED_FROM whose IN_MOVED_TO follows in the same array replaced by
 * one InotifyRename (where the IN_MOVED_FROM was) and the IN_MOVED_TO left out. An IN_MOVED_FROM
 * left alone moved out of what is watched, or its IN_MOVED_TO is in the next read (the kernel
 * queues the two together, but a read can end between them).
 */
export function pairRenames(events: readonly InotifyEvent[]): (InotifyEvent | InotifyRename)[] {
  if (!Array.isArray(events)) throw invalidArgType('events', 'an instance of Array', events);
  const paired: (InotifyEvent | InotifyRename)[] = [];
  const movedFrom = new Map<number, number>();
  for (const event of events) {
    const at = event.mask & IN_MOVED_TO ? movedFrom.get(event.cookie) : undefined;
    if (at !== undefined) {
      movedFrom.delete(event.cookie);
      paired[at] = { cookie: event.cookie, from: paired[at] as InotifyEvent, to: event };
      continue;
    }
    if (event.mask & IN_MOVED_FROM) movedFrom.set(event.cookie, paired.length);
    paired.push(event);
  }
  return paired;
}
