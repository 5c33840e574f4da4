// npm start [-- --port 7000 --dispatch thread]: the edge-triggered echo server (--help lists the options).
import { connectHint, describeAddress, exitWith, onStopSignal, parseEchoArgsOrExit, startFailure } from './echo-args';
import { startEchoServer, type EchoServer } from './echo-core';

function main(): void {
  const options = parseEchoArgsOrExit('echo-server').server;
  let server: EchoServer;
  try {
    server = startEchoServer(options);
  } catch (error) {
    const { status, message } = startFailure('echo-server', error, options);
    exitWith('echo-server', status, message);
  }
  const { address } = server;
  console.log(
    `echo server on ${describeAddress(address)} (dispatch: ${server.dispatch}); try: ${connectHint(address)}`,
  );
  onStopSignal(() => {
    server.close();
    console.log(`closed after ${server.stats.accepted} connections`);
  });
}

main();
