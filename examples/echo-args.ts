// The command line the echo examples share.
import { parseArgs } from 'node:util';

import type { EchoServerOptions } from './echo-core';

export const ECHO_USAGE = '[--host 127.0.0.1] [--port 7000] [--path /tmp/echo.sock] [--dispatch loop|thread] [--epollout always|pending] [--drain short|eagain]';

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
  oneOf(v, 'dispatch', ['loop', 'thread']);
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
