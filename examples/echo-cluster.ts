// npm run echo-cluster [-- --workers 4 --port 7000]: the echo server on N worker threads, each with
// its own EpollInstance and its own SO_REUSEPORT listener on one port; the kernel spreads the
// connections across them, so the server scales past one core.
import * as os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { ECHO_USAGE, connectHint, parseEchoArgs } from './echo-args';
import { startEchoServer, type EchoServerOptions, type EchoStats } from './echo-core';

type FromWorker = { listening: number } | { stats: EchoStats };

function serveInWorker(options: EchoServerOptions): void {
  const server = startEchoServer({ ...options, reusePort: true });
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
    console.error(`echo-cluster: a worker failed: ${error.message}`);
    process.exit(1);
  });
  return new Promise((resolve) => {
    worker.once('message', (message: { listening: number }) => resolve({ worker, port: message.listening }));
  });
}

function stopWorker(worker: Worker): Promise<EchoStats> {
  return new Promise((resolve) => {
    worker.once('message', (message: { stats: EchoStats }) => resolve(message.stats));
    worker.postMessage('stop');
  });
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseEchoArgs(process.argv.slice(2), { workers: { type: 'string' } });
    if (parsed.server.path !== undefined) throw new Error('--path: SO_REUSEPORT needs TCP');
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: echo-cluster [--workers N] ${ECHO_USAGE}`);
    process.exit(2);
  }
  const count = parsed.values.workers === undefined ? os.availableParallelism() : Number(parsed.values.workers);
  // The first worker binds, so that port 0 becomes one real port for all of them.
  const first = await startWorker(parsed.server);
  const options = { ...parsed.server, port: first.port };
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startWorker(options)));
  const workers = [first.worker, ...rest.map((started) => started.worker)];
  const host = options.host ?? '127.0.0.1';
  console.log(`echo cluster of ${count} threads on ${host}:${first.port} (dispatch: ${options.dispatch ?? 'loop'}); try: ${connectHint({ family: 'IPv4', address: host, port: first.port })}`);
  const stop = async (): Promise<void> => {
    const stats = await Promise.all(workers.map(stopWorker));
    console.log(`connections per thread: ${stats.map((s) => s.accepted).join(' ')}`);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (isMainThread) {
  void main();
} else {
  serveInWorker(workerData as EchoServerOptions);
}
