// TunDevice: a TUN (IP packets) or TAP (ethernet frames) network interface whose traffic is an fd
// of this process. Each read() takes one whole packet the kernel routed to the interface, and each
// write() hands it one packet as though the interface had received it.
import { binding } from '../core/binding';
import { invalidArgType, invalidArgValue, systemError, type SystemError } from '../core/errors';
import { FdOwner } from '../core/fd-owner';
import { transfer } from '../core/transfer';
import { validateBoolean, validateObject, validateOneOf } from '../core/validate';

const native = binding.tun;
const k = native.constants;
const MODES = ['tun', 'tap'] as const;
// What the kernel's dev_valid_name refuses besides the length: '/' and ':' would break sysfs and
// alias names, whitespace would break the tools that parse interface lists.
const FORBIDDEN = /[/:\s]/;
const encoder = new TextEncoder();

export type TunMode = (typeof MODES)[number];

export interface TunDeviceOptions {
  /**
   * The interface's name, 1 to 15 bytes (IFNAMSIZ - 1) in UTF-8, without NUL, '/', ':' or
   * whitespace; a '%d' in it is a template the kernel fills ('tun%d'). Default: the kernel picks
   * tunN or tapN. An existing TUN/TAP interface of that name is attached to.
   */
  name?: string;
  /** 'tun': IP packets (no link layer). 'tap': ethernet frames. */
  mode: TunMode;
  /** Several fds, each a queue, may attach to the interface if every one asks for it. Default false. */
  multiQueue?: boolean;
  /** Each packet starts with the kernel's 4-byte header: flags and protocol (16 bits each, big-endian). Default false. */
  packetInfo?: boolean;
}

// Why the kernel refuses a TUNSETIFF, which its errno alone does not say.
const HINTS: Record<string, string> = {
  EPERM:
    'creating or attaching a TUN/TAP interface needs CAP_NET_ADMIN in its network namespace (run as root, or grant it: setcap cap_net_admin+ep)',
  EACCES:
    'this user may not open /dev/net/tun (its mode is usually 0600 or 0666, owned by root); creating an interface also needs CAP_NET_ADMIN',
  EBUSY: 'the interface is attached to another fd already; every fd must ask for multiQueue to share it',
  EINVAL:
    'an interface of that name exists with another mode or multiQueue setting, or is no TUN/TAP interface, or the name is not one the kernel takes',
};

function tunError(errno: number, syscall: string, fd?: number): SystemError & { hint?: string } {
  const error: SystemError & { hint?: string } = systemError(errno, syscall, fd);
  const hint = HINTS[error.code];
  if (hint === undefined) return error;
  error.message += `: ${hint}`;
  error.hint = hint;
  return error;
}

interface Request {
  name: Uint8Array;
  mode: TunMode;
  multiQueue: boolean;
  packetInfo: boolean;
}

function validateName(value: unknown): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (typeof value !== 'string') throw invalidArgType('options.name', 'of type string', value);
  const bytes = encoder.encode(value);
  if (bytes.length === 0 || bytes.length >= k.IFNAMSIZ) {
    throw invalidArgValue(RangeError, 'options.name', value, `must be 1 to ${k.IFNAMSIZ - 1} bytes in UTF-8`);
  }
  if (value.includes('\0') || FORBIDDEN.test(value) || value === '.' || value === '..') {
    throw invalidArgValue(
      TypeError,
      'options.name',
      value,
      "must hold no NUL, '/', ':' or whitespace, and not be '.' or '..'",
    );
  }
  return bytes;
}

// Each option is read once, in this order, and only the copies are used: a getter or a Proxy runs
// here, before any syscall, and cannot change a value after it was checked.
function validateRequest(options: unknown): Request {
  const opts = validateObject(options, 'options');
  const name = validateName(opts.name);
  const mode = validateOneOf(opts.mode, 'options.mode', MODES);
  const multiQueue = opts.multiQueue;
  const packetInfo = opts.packetInfo;
  return {
    name,
    mode,
    multiQueue: multiQueue === undefined ? false : validateBoolean(multiQueue, 'options.multiQueue'),
    packetInfo: packetInfo === undefined ? false : validateBoolean(packetInfo, 'options.packetInfo'),
  };
}

function flagsOf(request: Request): number {
  return (
    (request.mode === 'tun' ? k.IFF_TUN : k.IFF_TAP) |
    (request.packetInfo ? 0 : k.IFF_NO_PI) |
    (request.multiQueue ? k.IFF_MULTI_QUEUE : 0)
  );
}

interface Attached {
  owner: FdOwner;
  name: string;
}

// The owner closes the fd if TUNSETIFF fails, and otherwise passes to the TunDevice.
function attach(request: Request): Attached {
  const fd = native.open();
  if (fd < 0) throw tunError(fd, 'open');
  const owner = new FdOwner(fd);
  const nameOut = new Uint8Array(k.IFNAMSIZ);
  const result = native.setIff(fd, request.name, flagsOf(request), nameOut);
  if (result < 0) {
    owner.close();
    throw tunError(result, 'ioctl');
  }
  const end = nameOut.indexOf(0);
  return { owner, name: Buffer.from(nameOut.buffer, 0, end < 0 ? nameOut.length : end).toString('utf8') };
}

// Only open() makes a TunDevice: the constructor's token is this module's.
const token = Symbol('TunDevice');

export class TunDevice {
  /**
   * Opens /dev/net/tun (non-blocking, close-on-exec) and attaches it to the interface options
   * describes, creating it if it does not exist. Needs CAP_NET_ADMIN: the error's `hint` says so.
   * The interface is down and has no address until it is configured (ip link, ip addr).
   */
  static open(options: TunDeviceOptions): TunDevice {
    const request = validateRequest(options);
    return new TunDevice(token, request, attach(request));
  }

  /** The interface's name as the kernel gave it (a '%d' filled in). */
  readonly name: string;
  readonly mode: TunMode;
  readonly multiQueue: boolean;
  readonly packetInfo: boolean;
  readonly #owner: FdOwner;

  private constructor(key: symbol, request: Request, attached: Attached) {
    if (key !== token) throw new TypeError('TunDevice is made by TunDevice.open()');
    this.name = attached.name;
    this.mode = request.mode;
    this.multiQueue = request.multiQueue;
    this.packetInfo = request.packetInfo;
    this.#owner = attached.owner;
  }

  /** The fd; -1 once closed. Watch it for EPOLLIN; close it with close(), never by number. */
  get fd(): number {
    return this.#owner.fd;
  }

  get closed(): boolean {
    return this.#owner.fd < 0;
  }

  /**
   * Reads one packet (a frame in 'tap' mode, after the 4-byte header with packetInfo) into
   * buffer[offset, offset + length): its size, or null if none is queued. What does not fit is
   * dropped: give it the MTU plus the link and packetInfo headers.
   */
  read(buffer: ArrayBufferView, offset?: number, length?: number): number | null {
    return transfer(binding.io.read, 'read', this.#openFd(), buffer, offset, length);
  }

  /** Writes buffer[offset, offset + length) as one whole packet: its size, or null if it would block. */
  write(buffer: ArrayBufferView, offset?: number, length?: number): number | null {
    return transfer(binding.io.write, 'write', this.#openFd(), buffer, offset, length);
  }

  /** Idempotent. remove() it from every EpollInstance first. The interface goes with its last fd. */
  close(): void {
    this.#owner.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #openFd(): number {
    return this.#owner.openFd('TunDevice');
  }
}
