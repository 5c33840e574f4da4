// npm run echo-cluster [-- --workers 4 --port 7000]: the echo server on N worker threads, each with
// its own EpollInstance and its own SO_REUSEPORT listener on one port (see worker-cluster.ts).
import * as os from 'node:os';
import { isMainThread } from 'node:worker_threads';

import {
  connectHint,
  describeAddress,
  integerOption,
  onStopSignal,
  parseEchoArgsOrExit,
  usageError,
} from './echo-args';
import { startEchoServer } from './echo-core';
import { MAX_WORKERS, serveInWorker, startCluster } from './worker-cluster';

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
  const options = parsed.server;
  const cluster = await startCluster('echo-cluster', __filename, count, options);
  const address = { family: 'IPv4', address: options.host ?? '127.0.0.1', port: cluster.port };
  console.log(
    `echo cluster of ${count} threads on ${describeAddress(address)} (dispatch: ${options.dispatch ?? 'auto'}); try: ${connectHint(address)}`,
  );
  onStopSignal(() => {
    void cluster.stop().then((stats) => {
      console.log(`connections per thread: ${stats.map((s) => s.accepted).join(' ')}`);
    });
  });
}

if (isMainThread) {
  void main();
} else {
  serveInWorker('echo-cluster', startEchoServer);
}
