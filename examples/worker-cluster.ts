// A server on N worker threads, each with its own EpollInstance and its own SO_REUSEPORT listener
// on one port; the kernel spreads the connections across them, so the server scales past one core.
// The example programs' --workers: the program's file runs again in each worker.
import { Worker, parentPort, workerData } from 'node:worker_threads';

import { exitWith, startFailure } from './echo-args';
import type { sock } from '../lib';

// Each worker is a thread with its own event loop and wait thread; past a few per core, none helps.
export const MAX_WORKERS = 256;

/** What a worker runs: a server with an address, counters and close(). */
export interface ClusterServer {
  readonly address: sock.SocketAddress;
  readonly stats: { accepted: number };
  close(): void;
}

interface ServerOptions {
  host?: string;
  port?: number;
  path?: string;
}

type FromWorker =
  { listening: number } | { failed: { status: number; message: string } } | { stats: ClusterServer['stats'] };

/** In a worker: starts the server with SO_REUSEPORT, reports its port, and stops when told. */
export function serveInWorker<O extends ServerOptions>(
  program: string,
  start: (options: O & { reusePort: true }) => ClusterServer,
): void {
  const options = workerData as O;
  let server: ClusterServer;
  try {
    server = start({ ...options, reusePort: true });
  } catch (error) {
    parentPort!.postMessage({ failed: startFailure(program, error, options) } satisfies FromWorker);
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

function startWorker(program: string, file: string, options: ServerOptions): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(file, { workerData: options });
  // A worker that dies leaves its listener open in the process, and the kernel would go on handing
  // that listener connections nobody accepts: the whole cluster stops instead, at start or later.
  worker.on('error', (error) => {
    exitWith(program, 1, `a worker failed: ${error.message}`);
  });
  return new Promise((resolve) => {
    worker.once('message', (message: FromWorker) => {
      if ('failed' in message) exitWith(program, message.failed.status, message.failed.message);
      resolve({ worker, port: (message as { listening: number }).listening });
    });
  });
}

function stopWorker(worker: Worker): Promise<ClusterServer['stats']> {
  return new Promise((resolve) => {
    worker.once('message', (message: { stats: ClusterServer['stats'] }) => resolve(message.stats));
    worker.postMessage('stop');
  });
}

/**
 * Starts count workers running file (which calls serveInWorker when not the main thread): the
 * port they share, and stop(), which closes them all and gives each one's counters.
 */
export async function startCluster(
  program: string,
  file: string,
  count: number,
  options: ServerOptions,
): Promise<{ port: number; stop: () => Promise<ClusterServer['stats'][]> }> {
  // The first worker binds, so that port 0 becomes one real port for all of them.
  const first = await startWorker(program, file, options);
  const shared = { ...options, port: first.port };
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startWorker(program, file, shared)));
  const workers = [first.worker, ...rest.map((started) => started.worker)];
  return { port: first.port, stop: () => Promise.all(workers.map(stopWorker)) };
}
