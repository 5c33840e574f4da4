// npm run example:resp [-- --port 6379 --workers 2]: a Redis-protocol (RESP2) server on linux-epoll
// (--help lists the options). With --workers N, N threads share the port through SO_REUSEPORT, each
// with its own keyspace: a client sees the keys of the thread its connection landed on.
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
import { DEFAULT_RESP_PORT, startRespServer, type RespServer } from './resp-core';
import { MAX_WORKERS, serveInWorker, startCluster } from './worker-cluster';

const PROGRAM = 'resp-server';

function parse(): ReturnType<typeof parseEchoArgsOrExit> {
  return parseEchoArgsOrExit(PROGRAM, {
    defaultPort: DEFAULT_RESP_PORT,
    options: [
      {
        name: 'workers',
        value: 'N',
        help: `serve on N worker threads sharing the port (SO_REUSEPORT), 1 to ${MAX_WORKERS}, each with its own keyspace (default: none, the main thread serves)`,
      },
    ],
    check: ({ server, values }) => {
      if (values.workers !== undefined && server.path !== undefined) throw usageError('--path: SO_REUSEPORT needs TCP');
      integerOption(values, 'workers', 1, MAX_WORKERS);
    },
  });
}

function hint(address: { family: string; address?: string; port?: number; path?: string }): string {
  return address.family === 'unix' ? `redis-cli -s ${address.path} ping` : `redis-cli -p ${address.port} ping`;
}

function serveHere(parsed: ReturnType<typeof parse>): void {
  let server: RespServer;
  try {
    server = startRespServer(parsed.server);
  } catch (error) {
    const { status, message } = startFailure(PROGRAM, error, parsed.server);
    exitWith(PROGRAM, status, message);
  }
  console.log(
    `resp server on ${describeAddress(server.address)} (dispatch: ${server.dispatch}); try: ${hint(server.address)}`,
  );
  onStopSignal(() => {
    server.close();
    console.log(`closed after ${server.stats.accepted} connections`);
  });
}

async function serveOnWorkers(parsed: ReturnType<typeof parse>, count: number): Promise<void> {
  const options = parsed.server;
  const cluster = await startCluster(PROGRAM, __filename, count, options);
  const address = { family: 'IPv4', address: options.host ?? '127.0.0.1', port: cluster.port };
  console.log(
    `resp server of ${count} threads on ${describeAddress(address)} (dispatch: ${options.dispatch ?? 'auto'}); try: ${hint(address)}`,
  );
  onStopSignal(() => {
    void cluster.stop().then((stats) => {
      console.log(`connections per thread: ${stats.map((s) => s.accepted).join(' ')}`);
    });
  });
}

if (isMainThread) {
  const parsed = parse();
  const workers = integerOption(parsed.values, 'workers', 1, MAX_WORKERS);
  if (workers === undefined) serveHere(parsed);
  else void serveOnWorkers(parsed, workers);
} else {
  serveInWorker(PROGRAM, startRespServer);
}
