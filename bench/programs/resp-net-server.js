'use strict';
// The node:net peer of the RESP server: the same engine (dist/examples/resp-commands) on node:net,
// as a Node user would serve it without linux-epoll.
//   node bench/programs/resp-net-server.js [--host 127.0.0.1] [--port 0]
// Prints {"port": N} once listening; stops on SIGTERM.
const net = require('node:net');
const path = require('node:path');
const { option } = require('../lib/args');
const { Keyspace, RespSession } = require(path.join(__dirname, '..', '..', 'dist', 'examples', 'resp-commands.js'));

const keyspace = new Keyspace();
const server = net.createServer({ noDelay: true }, (socket) => {
  const session = new RespSession(keyspace);
  const { reply } = session;
  let pending = null;
  socket.on('data', (data) => {
    const input = pending === null ? data : Buffer.concat([pending, data]);
    const consumed = session.execute(input, 0, input.length);
    pending = consumed === input.length ? null : input.subarray(consumed);
    if (reply.length > 0) {
      // socket.write keeps the buffer until it is sent: it gets a copy, as reply is reused.
      socket.write(Buffer.from(reply.buffer.subarray(0, reply.length)));
      reply.reset();
    }
    if (session.quit) socket.end();
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(option('port', 0)), option('host', '127.0.0.1'), () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
