// npm start [-- --port 7000 --dispatch thread]: the edge-triggered echo server.
import { ECHO_USAGE, connectHint, parseEchoArgs } from './echo-args';
import { startEchoServer } from './echo-core';

function main(): void {
  let options;
  try {
    options = parseEchoArgs(process.argv.slice(2)).server;
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: echo-server ${ECHO_USAGE}`);
    process.exit(2);
  }
  const server = startEchoServer(options);
  const { address } = server;
  const where = address.family === 'unix' ? address.path : `${address.address}:${address.port}`;
  console.log(`echo server on ${where} (dispatch: ${server.dispatch}); try: ${connectHint(address)}`);
  const stop = (): void => {
    server.close();
    console.log(`closed after ${server.stats.accepted} connections`);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
