// npm run example:http [-- --port 8080 --workers 2]: the HTTP/1.1 server (examples/http/) on
// linux-epoll's connection layer: GET / answers a fixed text, POST /echo the request's body.
// --workers N runs it on N worker threads sharing the port with SO_REUSEPORT (--help lists the options).
import { isMainThread } from 'node:worker_threads';

import {
  describeAddress,
  exitWith,
  integerOption,
  onStopSignal,
  parseEchoArgsOrExit,
  startFailure,
  usageError,
} from './echo-args';
import { DEFAULT_PORT, HttpServer, type HttpServerOptions } from './http/server';
import { MAX_WORKERS, serveInWorker, startCluster } from './worker-cluster';

const PROGRAM = 'http-server';

function tryHint(address: { family: string; address?: string; port?: number; path?: string }): string {
  if (address.family === 'unix') return `curl --unix-socket ${address.path} http://localhost/`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `curl http://${host}:${address.port}/`;
}

function serveHere(options: HttpServerOptions): void {
  let server: HttpServer;
  try {
    server = new HttpServer(options);
  } catch (error) {
    const { status, message } = startFailure(PROGRAM, error, options);
    exitWith(PROGRAM, status, message);
  }
  // Before the line that says it is up: whoever reads that line may stop it at once.
  onStopSignal(() => {
    server.close();
    console.log(`closed after ${server.stats.accepted} connections`);
  });
  const { address } = server;
  console.log(`http server on ${describeAddress(address)} (dispatch: ${server.dispatch}); try: ${tryHint(address)}`);
}

async function serveOnWorkers(options: HttpServerOptions, count: number): Promise<void> {
  const cluster = await startCluster(PROGRAM, __filename, count, options);
  const family = options.host?.includes(':') ? 'IPv6' : 'IPv4';
  const address = { family, address: options.host ?? '127.0.0.1', port: cluster.port };
  onStopSignal(() => {
    void cluster
      .stop()
      .then((stats) => console.log(`connections per thread: ${stats.map((s) => s.accepted).join(' ')}`));
  });
  console.log(
    `http server on ${describeAddress(address)} (dispatch: ${options.dispatch ?? 'auto'}, ${count} worker threads); try: ${tryHint(address)}`,
  );
}

function main(): void {
  const parsed = parseEchoArgsOrExit(PROGRAM, {
    defaultPort: DEFAULT_PORT,
    options: [
      {
        name: 'workers',
        value: 'N',
        help: `serve on N worker threads sharing the port (SO_REUSEPORT), 1 to ${MAX_WORKERS} (default 1: this thread)`,
      },
    ],
    check: ({ server, values }) => {
      const workers = integerOption(values, 'workers', 1, MAX_WORKERS);
      if (server.path !== undefined && workers !== undefined && workers > 1) {
        throw usageError('--path: SO_REUSEPORT needs TCP, so --workers must be 1');
      }
    },
  });
  const options: HttpServerOptions = parsed.server;
  const workers = integerOption(parsed.values, 'workers', 1, MAX_WORKERS) ?? 1;
  if (workers === 1) serveHere(options);
  else void serveOnWorkers(options, workers);
}

if (isMainThread) {
  main();
} else {
  serveInWorker(PROGRAM, (options: HttpServerOptions) => new HttpServer(options));
}
