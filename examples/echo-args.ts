// The command line the echo examples share.
import { parseArgs } from 'node:util';

import type { EchoServerOptions } from './echo-core';

const ECHO_USAGE = '[--host 127.0.0.1] [--port 7000] [--path /tmp/echo.sock] [--dispatch auto|loop|thread] [--epollout always|pending] [--drain short|eagain]';

export function parseEchoArgs(argv: string[], extra: Record<string, { type: 'string' }> = {}): {
  server: EchoServerOptions;
  values: Record<string, string | undefined>;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      path: { type: 'string' },
      dispatch: { type: 'string' },
      epollout: { type: 'string' },
      drain: { type: 'string' },
      ...extra,
    },
  });
  const v = values as Record<string, string | undefined>;
  oneOf(v, 'dispatch', ['auto', 'loop', 'thread']);
  oneOf(v, 'epollout', ['always', 'pending']);
  oneOf(v, 'drain', ['short', 'eagain']);
  const server: EchoServerOptions = {
    host: v.host,
    port: v.port === undefined ? undefined : Number(v.port),
    path: v.path,
    dispatch: v.dispatch as EchoServerOptions['dispatch'],
    epollOut: v.epollout as EchoServerOptions['epollOut'],
    drain: v.drain as EchoServerOptions['drain'],
  };
  return { server, values: v };
}

type Parsed = ReturnType<typeof parseEchoArgs>;

/**
 * parseEchoArgs for a program's main: on a bad command line (or one that check refuses), prints
 * the error and the usage and exits with status 2.
 */
export function parseEchoArgsOrExit(
  program: string,
  extra?: { usage: string; options: Record<string, { type: 'string' }>; check: (parsed: Parsed) => void },
): Parsed {
  try {
    const parsed = parseEchoArgs(process.argv.slice(2), extra?.options);
    extra?.check(parsed);
    return parsed;
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: ${program} ${extra?.usage ?? ''}${ECHO_USAGE}`);
    process.exit(2);
  }
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
    throw new Error(`--${name} must be ${allowed.join(' or ')}, not '${value}'`);
  }
}

/** The one-line hint on how to talk to a server at address. */
export function connectHint(address: { family: string; address?: string; port?: number; path?: string }): string {
  if (address.family === 'unix') return `nc -U ${address.path}`;
  return `nc ${address.address} ${address.port}`;
}
