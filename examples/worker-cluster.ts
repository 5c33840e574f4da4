// A server on N worker threads, each with its own EpollInstance and its own SO_REUSEPORT listener
// on one port: the kernel spreads the connections across them, so a server scales past one core.
// Shared by the echo and HTTP examples: the main thread starts and stops the workers, and each
// worker runs the program's own server.
import { Worker, parentPort } from 'node:worker_threads';

import type { sock } from '../lib';
import { exitWith, startFailure } from './echo-args';
import type { EchoServerOptions } from './echo-core';

/** Each worker is a thread with its own event loop and wait thread; past a few per core, none helps. */
export const MAX_WORKERS = 256;

/** What a worker's server must offer. */
export interface ClusterMember {
  readonly address: sock.SocketAddress;
  readonly stats: { readonly accepted: number };
  close(): void;
}

export interface RunningCluster {
  port: number;
  /** Stops every worker; resolves to the connections each accepted. */
  stop(): Promise<number[]>;
}

type FromWorker = { listening: number } | { failed: { status: number; message: string } } | { accepted: number };

/** In a worker: starts the program's server on the shared port, and stops it when told to. */
export function serveInWorker<O extends EchoServerOptions>(
  program: string,
  options: O,
  start: (options: O) => ClusterMember,
): void {
  let server: ClusterMember;
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
    parentPort!.postMessage({ accepted: server.stats.accepted } satisfies FromWorker);
    parentPort!.close();
  });
}

function startWorker(
  program: string,
  file: string,
  options: EchoServerOptions,
): Promise<{ worker: Worker; port: number }> {
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

function stopWorker(worker: Worker): Promise<number> {
  return new Promise((resolve) => {
    worker.once('message', (message: { accepted: number }) => resolve(message.accepted));
    worker.postMessage('stop');
  });
}

/** From the main thread: count workers, each running file (the program, which calls serveInWorker). */
export async function startCluster(
  program: string,
  file: string,
  count: number,
  options: EchoServerOptions,
): Promise<RunningCluster> {
  // The first worker binds, so that port 0 becomes one real port for all of them.
  const first = await startWorker(program, file, options);
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, () => startWorker(program, file, { ...options, port: first.port })),
  );
  const workers = [first.worker, ...rest.map((started) => started.worker)];
  return { port: first.port, stop: () => Promise.all(workers.map(stopWorker)) };
}
