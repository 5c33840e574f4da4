// The command line the echo examples share, and how they fail: as a Unix tool does, with one line
// on stderr and a non-zero status (2 for a bad command line, 1 when the server cannot start).
import { parseArgs } from 'node:util';

import type { EchoServerOptions } from './echo-core';

/** An option of one program only: its flag, what it holds, and its line in --help. */
export interface ExtraOption {
  name: string;
  value: string;
  help: string;
}

const DEFAULT_PORT = 7000;

// The options every server program takes; --port's help names the program's own default.
const serverOptions = (defaultPort: number): readonly ExtraOption[] => [
  { name: 'host', value: 'ADDRESS', help: 'the IPv4 or IPv6 address to listen on (default 127.0.0.1)' },
  { name: 'port', value: 'N', help: `the TCP port, 0 to 65535; 0 lets the kernel pick (default ${defaultPort})` },
  { name: 'path', value: 'PATH', help: "a Unix socket to listen on instead ('\\0name': the abstract namespace)" },
  {
    name: 'dispatch',
    value: 'auto|loop|thread',
    help: "who waits for events: 'auto' (default) picks Node's event loop where the runtime has it, else a wait thread",
  },
  {
    name: 'epollout',
    value: 'always|pending',
    help: 'EPOLLOUT always in the mask (default), or only while output is pending',
  },
  { name: 'drain', value: 'short|eagain', help: 'a read stops at a short read (default), or only at EAGAIN' },
];

const HELP_HINT = (program: string): string => ` (${program} --help lists the options)`;

/** A command line the program refuses; its message is the one line the program prints. */
class UsageError extends Error {}

function parseEchoArgs(
  argv: string[],
  extra: readonly ExtraOption[],
  defaultPort: number,
): {
  server: EchoServerOptions;
  values: Record<string, string | undefined>;
  help: boolean;
} {
  const options = Object.fromEntries(
    [...serverOptions(defaultPort), ...extra].map((option) => [option.name, { type: 'string' as const }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } } });
  } catch (error) {
    // Node's messages go on with advice on positionals; their first sentence is the error.
    throw new UsageError((error as Error).message.split(/\.\s/)[0]);
  }
  const v = parsed.values as Record<string, string | undefined>;
  oneOf(v, 'dispatch', ['auto', 'loop', 'thread']);
  oneOf(v, 'epollout', ['always', 'pending']);
  oneOf(v, 'drain', ['short', 'eagain']);
  if (v.path !== undefined && (v.host !== undefined || v.port !== undefined)) {
    throw new UsageError('--path listens on a Unix socket: it takes no --host or --port');
  }
  const server: EchoServerOptions = {
    host: v.host,
    port: integerOption(v, 'port', 0, 65535) ?? (v.path === undefined ? defaultPort : undefined),
    path: v.path,
    dispatch: v.dispatch as EchoServerOptions['dispatch'],
    epollOut: v.epollout as EchoServerOptions['epollOut'],
    drain: v.drain as EchoServerOptions['drain'],
  };
  return { server, values: v, help: parsed.values.help === true };
}

type Parsed = ReturnType<typeof parseEchoArgs>;

function usage(program: string, extra: readonly ExtraOption[], defaultPort: number): string {
  const options = [...extra, ...serverOptions(defaultPort)].map((o) => [`--${o.name} ${o.value}`, o.help]);
  options.push(['--help', 'print this and exit']);
  const width = Math.max(...options.map(([flag]) => flag.length));
  return [`usage: ${program} [options]`, ...options.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`)].join(
    '\n',
  );
}

/**
 * parseEchoArgs for a program's main: --help prints the usage and exits with 0; a bad command line
 * (or one that check refuses by throwing usageError) prints one line and exits with 2.
 */
export function parseEchoArgsOrExit(
  program: string,
  extra?: { options: readonly ExtraOption[]; check: (parsed: Parsed) => void; defaultPort?: number },
): Parsed {
  const options = extra?.options ?? [];
  const defaultPort = extra?.defaultPort ?? DEFAULT_PORT;
  try {
    const parsed = parseEchoArgs(process.argv.slice(2), options, defaultPort);
    if (parsed.help) {
      console.log(usage(program, options, defaultPort));
      process.exit(0);
    }
    extra?.check(parsed);
    return parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    exitWith(program, 2, `${error.message}${HELP_HINT(program)}`);
  }
}

export function usageError(message: string): Error {
  return new UsageError(message);
}

/** An integer option in [min, max], or undefined when absent. */
export function integerOption(
  values: Record<string, string | undefined>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not '${text}'`);
  return value;
}

/**
 * The one line a program prints when its server cannot start: the kernel's refusal (EADDRINUSE,
 * EACCES, ...) with where it tried, or an option the server's own checks refused.
 */
export function startFailure(
  program: string,
  error: unknown,
  server: EchoServerOptions,
): { status: number; message: string } {
  const { code, syscall, message } = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') throw error;
  if (typeof syscall === 'string') {
    const where = server.path ?? `${server.host ?? '127.0.0.1'}:${server.port ?? DEFAULT_PORT}`;
    // The message reads "EADDRINUSE: address already in use, bind (fd 19)": keep what it says.
    const reason = /^\w+: ([^,]+)/.exec(message)?.[1] ?? message;
    return { status: 1, message: `cannot listen on ${where}: ${reason} (${code})` };
  }
  // A validation error of lib/ names the option as options.NAME: name the flag instead.
  const flagged = message.replace(/^The (?:argument|value of) ['"]options\.(\w+)['"] /, '--$1 ');
  return { status: 2, message: `${flagged}${HELP_HINT(program)}` };
}

/** Prints `program: message` on stderr and exits with status. */
export function exitWith(program: string, status: number, message: string): never {
  console.error(`${program}: ${message}`);
  process.exit(status);
}

/** Runs stop once, on the first SIGINT or SIGTERM. */
export function onStopSignal(stop: () => void): void {
  const once = (): void => {
    process.off('SIGINT', once);
    process.off('SIGTERM', once);
    stop();
  };
  process.on('SIGINT', once);
  process.on('SIGTERM', once);
}

/** Where a server listens, as people write it: a path, or host:port. */
export function describeAddress(address: { family: string; address?: string; port?: number; path?: string }): string {
  return address.family === 'unix' ? `${address.path}` : `${address.address}:${address.port}`;
}

function oneOf(values: Record<string, string | undefined>, name: string, allowed: string[]): void {
  const value = values[name];
  if (value !== undefined && !allowed.includes(value)) {
    throw new UsageError(
      `--${name} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, not '${value}'`,
    );
  }
}

/** The one-line hint on how to talk to a server at address. */
export function connectHint(address: { family: string; address?: string; port?: number; path?: string }): string {
  if (address.family === 'unix') return `nc -U ${address.path}`;
  return `nc ${address.address} ${address.port}`;
}
