'use strict';
// nginx as a benchmark peer: one worker process answering `return 200` with a fixed text, from a
// configuration of its own in a temporary directory, so that the system's nginx is not touched.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./free-port');

function configuration(dir, port, body) {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${path.join(dir, kind)};`)
    .join('\n  ');
  return `daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx closes a connection after 1,000 requests by default; the servers it is measured against
  # never do, and wrk would count the reconnections against nginx.
  keepalive_requests 100000000;
  ${temp}
  server {
    listen 127.0.0.1:${port};
    location / { default_type text/plain; return 200 "${body}"; }
  }
}
`;
}

function connects(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** The master and its worker: the processes whose CPU time is nginx's. */
function processes(master) {
  const children = fs.readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim();
  return [master, ...children.split(' ').filter(Boolean).map(Number)];
}

/** Starts nginx on a free port answering body; resolves to { port, stop(), pids() }. */
async function startNginx(nginx, body) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, configuration(dir, port, body));
  const child = spawn(nginx, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const stop = () =>
    new Promise((done) => {
      const finish = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        done();
      };
      if (child.exitCode !== null) return finish();
      child.once('exit', finish);
      child.kill('SIGQUIT');
    });
  const deadline = Date.now() + 10000;
  while (!(await connects(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, stop, pids: () => processes(child.pid) };
}

module.exports = { startNginx };
