'use strict';
// The node:net peer: the echo server a Node user writes without linux-epoll.
//   node bench/programs/net-echo-server.js [--host 127.0.0.1] [--port 0]
// Prints {"port": N} once listening, as bench/c/echo_server does; stops on SIGTERM.
const net = require('node:net');
const { option } = require('../lib/args');

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => socket.destroy());
});
server.listen(Number(option('port', 0)), option('host', '127.0.0.1'), () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
