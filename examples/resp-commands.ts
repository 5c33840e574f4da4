// The Redis commands the RESP server answers, on an in-memory keyspace of strings, with replies and
// error messages worded as Redis 7 words them. A RespSession turns a connection's bytes into
// replies; it knows nothing of sockets, so the same engine runs on linux-epoll and on node:net.
import { Keyspace, type Entry } from './resp-keyspace';
import { Arguments, ProtocolError, Reply, parseCommand } from './resp-protocol';

export { Keyspace };

const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const OVERFLOW = 'ERR increment or decrement would overflow';
// The integers INCR may produce: exactly representable, so that no increment is silently lost.
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

const OK = Buffer.from('+OK\r\n');
const PONG = Buffer.from('+PONG\r\n');
const NIL = Buffer.from('$-1\r\n');
const EMPTY_ARRAY = Buffer.from('*0\r\n');

type Command = (session: RespSession, args: Arguments) => void;

interface CommandSpec {
  name: string;
  /** Redis's arity: n means exactly n arguments with the name, -n at least n. */
  arity: number;
  run: Command;
}

// A number from a command name's bytes, case folded, for the table lookup: no string is built.
function nameHash(buffer: Uint8Array, start: number, end: number): number {
  let hash = end - start;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + (buffer[i] & 0xdf)) | 0;
  return hash;
}

function expiryFromNow(amount: number, unit: number): number {
  return Date.now() + amount * unit;
}

function set(session: RespSession, args: Arguments): void {
  let expiresAt = 0;
  let keepTtl = false;
  let condition: 'NX' | 'XX' | null = null;
  for (let i = 3; i < args.count; i++) {
    const unit = args.is(i, 'EX') ? 1000 : args.is(i, 'PX') ? 1 : 0;
    if (unit !== 0 && expiresAt === 0 && !keepTtl && i + 1 < args.count) {
      const amount = args.integer(++i);
      if (Number.isNaN(amount)) return session.reply.error(NOT_INTEGER);
      if (amount <= 0) return session.reply.error("ERR invalid expire time in 'set' command");
      expiresAt = expiryFromNow(amount, unit);
    } else if ((args.is(i, 'NX') || args.is(i, 'XX')) && condition === null) {
      condition = args.is(i, 'NX') ? 'NX' : 'XX';
    } else if (args.is(i, 'KEEPTTL') && expiresAt === 0) {
      keepTtl = true;
    } else {
      return session.reply.error(SYNTAX);
    }
  }
  const { keyspace } = session;
  const existing = condition === null && !keepTtl ? undefined : keyspace.get(args, 1);
  if ((condition === 'NX' && existing !== undefined) || (condition === 'XX' && existing === undefined)) {
    return session.reply.raw(NIL);
  }
  if (keepTtl && existing !== undefined) expiresAt = existing.expiresAt;
  keyspace.set(args, 1, args.buffer, args.starts[2], args.ends[2], expiresAt);
  session.reply.raw(OK);
}

function get(session: RespSession, args: Arguments): void {
  const entry = session.keyspace.get(args, 1);
  if (entry === undefined) session.reply.raw(NIL);
  else session.reply.bulk(entry.bytes, 0, entry.length);
}

function countKeys(session: RespSession, args: Arguments, act: (args: Arguments, i: number) => boolean): void {
  let count = 0;
  for (let i = 1; i < args.count; i++) if (act(args, i)) count++;
  session.reply.integer(count);
}

function incrementBy(session: RespSession, args: Arguments, by: number): void {
  const { keyspace, reply } = session;
  const entry = keyspace.get(args, 1);
  const current = entry === undefined ? 0 : parseCounter(entry);
  if (Number.isNaN(current)) return reply.error(NOT_INTEGER);
  const next = current + by;
  if (next > MAX_COUNTER || next < -MAX_COUNTER) return reply.error(OVERFLOW);
  const digits = Buffer.from(String(next), 'latin1');
  keyspace.set(args, 1, digits, 0, digits.length, entry?.expiresAt ?? 0);
  reply.integer(next);
}

function parseCounter(entry: Entry): number {
  const args = counterArgs;
  args.buffer = entry.bytes;
  args.starts[0] = 0;
  args.ends[0] = entry.length;
  return args.integer(0);
}
const counterArgs = new Arguments();

function incrementByArgument(session: RespSession, args: Arguments, sign: number): void {
  const by = args.integer(2);
  if (Number.isNaN(by)) return session.reply.error(NOT_INTEGER);
  incrementBy(session, args, sign * by);
}

function expire(session: RespSession, args: Arguments, unit: number): void {
  const amount = args.integer(2);
  if (Number.isNaN(amount)) return session.reply.error(NOT_INTEGER);
  if (args.count > 3) return session.reply.error(`ERR Unsupported option ${args.text(3)}`);
  const entry = session.keyspace.get(args, 1);
  if (entry === undefined) return session.reply.integer(0);
  // A time already past deletes the key, as in Redis.
  if (amount <= 0) session.keyspace.delete(args, 1);
  else session.keyspace.expireAt(entry, expiryFromNow(amount, unit));
  session.reply.integer(1);
}

function ttl(session: RespSession, args: Arguments, unit: number): void {
  const entry = session.keyspace.get(args, 1);
  if (entry === undefined) return session.reply.integer(-2);
  if (entry.expiresAt === 0) return session.reply.integer(-1);
  session.reply.integer(Math.round((entry.expiresAt - Date.now()) / unit));
}

// The parameters redis-benchmark and redis-cli ask for, answered as a server without persistence.
const CONFIG: Record<string, string> = { save: '', appendonly: 'no', databases: '1' };

function config(session: RespSession, args: Arguments): void {
  const { reply } = session;
  if (!args.is(1, 'GET')) {
    return reply.error(`ERR unknown subcommand '${args.text(1)}'. Try CONFIG HELP.`);
  }
  if (args.count < 3) return reply.error("ERR wrong number of arguments for 'config|get' command");
  const found: string[] = [];
  for (let i = 2; i < args.count; i++) {
    const pattern = args.text(i).toLowerCase();
    for (const name of Object.keys(CONFIG)) {
      if ((pattern === '*' || pattern === name) && !found.includes(name)) found.push(name);
    }
  }
  reply.array(found.length * 2);
  for (const name of found) {
    reply.bulkText(name);
    reply.bulkText(CONFIG[name]);
  }
}

function command(session: RespSession, args: Arguments): void {
  const { reply } = session;
  if (args.count > 1 && args.is(1, 'COUNT')) return reply.integer(COMMANDS.length);
  // COMMAND and COMMAND DOCS (which redis-cli asks for its hints): no documentation to give.
  reply.raw(EMPTY_ARRAY);
}

const COMMANDS: readonly CommandSpec[] = [
  { name: 'GET', arity: 2, run: get },
  { name: 'SET', arity: -3, run: set },
  {
    name: 'PING',
    arity: -1,
    run: (s, a) =>
      a.count > 2
        ? s.reply.error(WRONG_ARITY('ping'))
        : a.count === 2
          ? s.reply.bulk(a.buffer, a.starts[1], a.ends[1])
          : s.reply.raw(PONG),
  },
  { name: 'ECHO', arity: 2, run: (s, a) => s.reply.bulk(a.buffer, a.starts[1], a.ends[1]) },
  { name: 'DEL', arity: -2, run: (s, a) => countKeys(s, a, (args, i) => s.keyspace.delete(args, i)) },
  { name: 'EXISTS', arity: -2, run: (s, a) => countKeys(s, a, (args, i) => s.keyspace.get(args, i) !== undefined) },
  { name: 'INCR', arity: 2, run: (s, a) => incrementBy(s, a, 1) },
  { name: 'DECR', arity: 2, run: (s, a) => incrementBy(s, a, -1) },
  { name: 'INCRBY', arity: 3, run: (s, a) => incrementByArgument(s, a, 1) },
  { name: 'DECRBY', arity: 3, run: (s, a) => incrementByArgument(s, a, -1) },
  {
    name: 'MGET',
    arity: -2,
    run: (s, a) => {
      s.reply.array(a.count - 1);
      for (let i = 1; i < a.count; i++) get(s, shifted(a, i));
    },
  },
  {
    name: 'MSET',
    arity: -3,
    run: (s, a) => {
      if (a.count % 2 === 0) return s.reply.error(WRONG_ARITY('mset'));
      for (let i = 1; i < a.count; i += 2) s.keyspace.set(a, i, a.buffer, a.starts[i + 1], a.ends[i + 1], 0);
      s.reply.raw(OK);
    },
  },
  { name: 'EXPIRE', arity: -3, run: (s, a) => expire(s, a, 1000) },
  { name: 'PEXPIRE', arity: -3, run: (s, a) => expire(s, a, 1) },
  { name: 'TTL', arity: 2, run: (s, a) => ttl(s, a, 1000) },
  { name: 'PTTL', arity: 2, run: (s, a) => ttl(s, a, 1) },
  {
    name: 'FLUSHALL',
    arity: -1,
    run: (s, a) => {
      if (a.count > 2 || (a.count === 2 && !a.is(1, 'SYNC') && !a.is(1, 'ASYNC'))) return s.reply.error(SYNTAX);
      s.keyspace.clear();
      s.reply.raw(OK);
    },
  },
  { name: 'DBSIZE', arity: 1, run: (s) => s.reply.integer(s.keyspace.size) },
  {
    name: 'SELECT',
    arity: 2,
    run: (s, a) => (a.is(1, '0') ? s.reply.raw(OK) : s.reply.error('ERR DB index is out of range')),
  },
  { name: 'CONFIG', arity: -2, run: config },
  { name: 'COMMAND', arity: -1, run: command },
  {
    name: 'QUIT',
    arity: -1,
    run: (s) => {
      s.reply.raw(OK);
      s.quit = true;
    },
  },
];

function WRONG_ARITY(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

// MGET's arguments seen one at a time as GET's: argument 1 is a's argument i.
const single = new Arguments();
function shifted(a: Arguments, i: number): Arguments {
  single.buffer = a.buffer;
  single.count = 2;
  single.starts[1] = a.starts[i];
  single.ends[1] = a.ends[i];
  return single;
}

const TABLE = new Map<number, CommandSpec[]>();
for (const spec of COMMANDS) {
  const bytes = Buffer.from(spec.name, 'latin1');
  const hash = nameHash(bytes, 0, bytes.length);
  TABLE.set(hash, [...(TABLE.get(hash) ?? []), spec]);
}

function lookup(args: Arguments): CommandSpec | undefined {
  const candidates = TABLE.get(nameHash(args.buffer, args.starts[0], args.ends[0]));
  if (candidates === undefined) return undefined;
  for (const spec of candidates) if (args.is(0, spec.name)) return spec;
  return undefined;
}

function unknownCommand(args: Arguments): string {
  let message = `ERR unknown command '${args.text(0)}', with args beginning with: `;
  for (let i = 1; i < args.count; i++) message += `'${args.text(i)}' `;
  return message;
}

/** One client's conversation: its bytes in, replies out, on a shared keyspace. */
export class RespSession {
  readonly reply = new Reply();
  readonly keyspace: Keyspace;
  /** QUIT was asked, or the stream broke: close once the replies are out. */
  quit = false;
  readonly #args = new Arguments();

  constructor(keyspace: Keyspace) {
    this.keyspace = keyspace;
  }

  /**
   * Runs every whole command in buffer[start, end), appending replies to this.reply: the bytes
   * consumed. A partial command at the end is left for the next call. After a protocol error
   * (replied to, as Redis does) or QUIT, quit is set and the rest is consumed unread.
   */
  execute(buffer: Buffer, start: number, end: number): number {
    const args = this.#args;
    let at = start;
    while (at < end && !this.quit) {
      let taken: number;
      try {
        taken = parseCommand(buffer, at, end, args);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.reply.error(`ERR ${error.message}`);
        this.quit = true;
        return end - start;
      }
      if (taken === 0) break;
      at += taken;
      if (args.count > 0) this.#run(args);
    }
    return this.quit ? end - start : at - start;
  }

  #run(args: Arguments): void {
    const spec = lookup(args);
    if (spec === undefined) return this.reply.error(unknownCommand(args));
    const { arity } = spec;
    if ((arity > 0 && args.count !== arity) || args.count < -arity) {
      return this.reply.error(WRONG_ARITY(spec.name.toLowerCase()));
    }
    spec.run(this, args);
  }
}
