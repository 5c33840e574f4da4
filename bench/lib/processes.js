'use strict';
// Running bench programs as child processes: one JSON result each, or a server's port.
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const C_BIN = path.join(ROOT, 'bench', 'c', 'bin');

/** A bench/programs/*.js script as a command line, optionally pinned to CPU 0. */
function nodeProgram(name, args = [], { pin = false, nodeFlags = [] } = {}) {
  const command = [process.execPath, ...nodeFlags, path.join(ROOT, 'bench', 'programs', `${name}.js`), ...args];
  return pin ? ['taskset', '-c', '0', ...command] : command;
}

function cProgram(name, args = [], { pin = false } = {}) {
  const command = [path.join(C_BIN, name), ...args];
  return pin ? ['taskset', '-c', '0', ...command] : command;
}

/** Runs a command to completion and parses the last line of its stdout as JSON. */
function runJson([command, ...args], { stdin = 'ignore', timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    // A pipe that stays open with a pending newline: an always-readable stdin.
    const child = spawn(command, args, { stdio: [stdin === 'newline' ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (stdin === 'newline') child.stdin.write('\n');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.stdin) child.stdin.destroy();
      const last = stdout.trim().split('\n').pop();
      if (code !== 0 || !last) {
        return reject(
          new Error(`${command} ${args.join(' ')} failed (${signal ?? code}): ${stderr.trim() || stdout.trim()}`),
        );
      }
      resolve(JSON.parse(last));
    });
  });
}

/** Starts a server that prints its port (as {"port": N} by default); resolves to { port, pid, stop() }. */
function startServer([command, ...args], portPattern = /"port":\s*(\d+)/) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${command} exited early (${code}): ${stderr}`)));
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = portPattern.exec(stdout);
      if (!match) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      child.removeAllListeners('exit');
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        });
      resolve({ port: Number(match[1]), pid: child.pid, stop });
    });
  });
}

/** Runs fn `runs` times in sequence and returns the results. */
async function repeat(runs, fn) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await fn(i));
  return results;
}

module.exports = { ROOT, nodeProgram, cProgram, runJson, startServer, repeat };
