'use strict';
// A loopback port free now, for a peer server that cannot be asked for port 0 (redis-server takes
// 0 to mean "no TCP"; nginx's config needs the number).
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

module.exports = { freePort };
