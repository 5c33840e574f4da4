// npm start [-- --port 7000 --dispatch thread]: the edge-triggered echo server.
import { connectHint, describeAddress, onStopSignal, parseEchoArgsOrExit } from './echo-args';
import { startEchoServer } from './echo-core';

function main(): void {
  const server = startEchoServer(parseEchoArgsOrExit('echo-server').server);
  const { address } = server;
  console.log(`echo server on ${describeAddress(address)} (dispatch: ${server.dispatch}); try: ${connectHint(address)}`);
  onStopSignal(() => {
    server.close();
    console.log(`closed after ${server.stats.accepted} connections`);
  });
}

main();
