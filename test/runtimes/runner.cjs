// A small test runner for runtimes that cannot run jest (Bun, Deno): tests run one at a time, each
// bounded, and the process exits 1 if any failed. Cases that may crash or must exit run as child
// scripts of the same runtime, so a crash is a failure with its signal, not the end of the suite.
'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = path.join(ROOT, 'dist/lib/index.js');
const RUNTIME =
  typeof process.versions.bun === 'string' ? 'bun' : typeof process.versions.deno === 'string' ? 'deno' : 'node';
const TEST_TIMEOUT_MS = 20000;

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

// Resolves once predicate() holds, checked every few milliseconds; rejects after the bound.
async function waitFor(predicate, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-epoll-runtimes-'));
let scripts = 0;

// The command that runs a script file on this runtime, with a global gc() where asked for.
function command(file, { gc = false } = {}) {
  if (RUNTIME === 'deno') return ['run', '-A', ...(gc ? ['--v8-flags=--expose-gc'] : []), file];
  if (RUNTIME === 'node') return [...(gc ? ['--expose-gc'] : []), file];
  return [file];
}

// Bun has no --expose-gc: Bun.gc(true) is its synchronous full collection.
const PRELUDE = `'use strict';
const LINUX_EPOLL = require(${JSON.stringify(PACKAGE)});
const collect = typeof gc === 'function' ? gc : () => Bun.gc(true);
const counts = () => ({
  fds: require('fs').readdirSync('/proc/self/fd').filter((fd) => { try { return /eventpoll|eventfd/.test(require('fs').readlinkSync('/proc/self/fd/' + fd)); } catch { return false; } }).length,
  // Ours by name (the wait thread names itself): runtimes start and keep threads of their own.
  threads: require('fs').readdirSync('/proc/self/task').filter((t) => { try { return require('fs').readFileSync('/proc/self/task/' + t + '/comm', 'utf8') === 'linux-epoll\\n'; } catch { return false; } }).length,
});
`;

/** Runs a file of this runtime's with args, to its end: { code, signal, stdout, stderr }. */
function runFile(file, args = [], { gc = false, timeoutMs = 15000, prefix = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnRuntime(file, args, { gc, prefix });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// prefix: a command that runs the runtime, such as ['unshare', '--net', '--'].
function spawnRuntime(file, args = [], { gc = false, prefix = [] } = {}) {
  const [program, ...rest] = [...prefix, process.execPath, ...command(file, { gc }), ...args];
  return spawn(program, rest, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/** Runs source (CommonJS, with LINUX_EPOLL, collect and counts) in a child of this runtime. */
function runScript(source, { gc = false, timeoutMs, name = `script-${++scripts}.cjs`, prelude = true, prefix } = {}) {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, prelude ? PRELUDE + source : source);
  return runFile(file, [], { gc, timeoutMs, prefix });
}

function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function run() {
  let failed = 0;
  for (const { name, fn } of tests) {
    try {
      await withTimeout(Promise.resolve().then(fn), TEST_TIMEOUT_MS, name);
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n  ${String(error && error.stack ? error.stack : error).replace(/\n/g, '\n  ')}`);
    }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(`${RUNTIME} ${process.versions[RUNTIME]}: ${tests.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

module.exports = { assert, test, run, runFile, runScript, spawnRuntime, waitFor, RUNTIME, PACKAGE, ROOT, scratch };
