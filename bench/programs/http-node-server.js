'use strict';
// The node:http peer of the HTTP benchmark: the same fixed text as examples/http-server's GET /,
// on Node's own server. Prints {"port": N}.
const http = require('node:http');

const BODY = Buffer.from('Hello, World!');

const server = http.createServer((request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  response.end(BODY);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
