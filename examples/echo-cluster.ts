// npm run echo-cluster [-- --workers 4 --port 7000]: the echo server on N worker threads, each with
// its own EpollInstance and its own SO_REUSEPORT listener on one port; the kernel spreads the
// connections across them, so the server scales past one core.
import * as os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import {
  connectHint,
  describeAddress,
  exitWith,
  integerOption,
  onStopSignal,
  parseEchoArgsOrExit,
  startFailure,
  usageError,
} from './echo-args';
import { startEchoServer, type EchoServer, type EchoServerOptions, type EchoStats } from './echo-core';

// Each worker is a thread with its own event loop and wait thread; past a few per core, none helps.
const MAX_WORKERS = 256;

type FromWorker = { listening: number } | { failed: { status: number; message: string } } | { stats: EchoStats };

function serveInWorker(options: EchoServerOptions): void {
  let server: EchoServer;
  try {
    server = startEchoServer({ ...options, reusePort: true });
  } catch (error) {
    parentPort!.postMessage({ failed: startFailure('echo-cluster', error, options) } satisfies FromWorker);
    parentPort!.close();
    return;
  }
  const port = server.address.family === 'unix' ? 0 : server.address.port;
  parentPort!.postMessage({ listening: port } satisfies FromWorker);
  parentPort!.once('message', () => {
    server.close();
    parentPort!.postMessage({ stats: server.stats } satisfies FromWorker);
    parentPort!.close();
  });
}

function startWorker(options: EchoServerOptions): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(__filename, { workerData: options });
  // A worker that dies leaves its listener open in the process, and the kernel would go on handing
  // that listener connections nobody accepts: the whole cluster stops instead, at start or later.
  worker.on('error', (error) => {
    exitWith('echo-cluster', 1, `a worker failed: ${error.message}`);
  });
  return new Promise((resolve) => {
    worker.once('message', (message: FromWorker) => {
      if ('failed' in message) exitWith('echo-cluster', message.failed.status, message.failed.message);
      resolve({ worker, port: (message as { listening: number }).listening });
    });
  });
}

function stopWorker(worker: Worker): Promise<EchoStats> {
  return new Promise((resolve) => {
    worker.once('message', (message: { stats: EchoStats }) => resolve(message.stats));
    worker.postMessage('stop');
  });
}

async function main(): Promise<void> {
  const parsed = parseEchoArgsOrExit('echo-cluster', {
    options: [
      {
        name: 'workers',
        value: 'N',
        help: `the number of worker threads, 1 to ${MAX_WORKERS} (default: the CPU count)`,
      },
    ],
    check: ({ server, values }) => {
      if (server.path !== undefined) throw usageError('--path: SO_REUSEPORT needs TCP');
      integerOption(values, 'workers', 1, MAX_WORKERS);
    },
  });
  const count = integerOption(parsed.values, 'workers', 1, MAX_WORKERS) ?? os.availableParallelism();
  // The first worker binds, so that port 0 becomes one real port for all of them.
  const first = await startWorker(parsed.server);
  const options = { ...parsed.server, port: first.port };
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startWorker(options)));
  const workers = [first.worker, ...rest.map((started) => started.worker)];
  const address = { family: 'IPv4', address: options.host ?? '127.0.0.1', port: first.port };
  console.log(
    `echo cluster of ${count} threads on ${describeAddress(address)} (dispatch: ${options.dispatch ?? 'auto'}); try: ${connectHint(address)}`,
  );
  onStopSignal(() => {
    void Promise.all(workers.map(stopWorker)).then((stats) => {
      console.log(`connections per thread: ${stats.map((s) => s.accepted).join(' ')}`);
    });
  });
}

if (isMainThread) {
  void main();
} else {
  serveInWorker(workerData as EchoServerOptions);
}
