// Runs a script in a fresh node process, for behaviour that must be seen from outside: exit,
// crashes, process lifetime. The script gets the compiled package as LINUX_EPOLL.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

import { bound } from './slowdown';

export const PACKAGE = path.resolve(__dirname, '../../dist/lib/index.js');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ChildOptions {
  timeoutMs?: number;
  args?: string[];
  /** What LINUX_EPOLL is required from; default the compiled package. */
  packagePath?: string;
  env?: NodeJS.ProcessEnv;
  /** A command that runs node, such as ['unshare', '--net', '--']; default none. */
  prefix?: string[];
}

export function runScript(source: string, options: ChildOptions = {}): Promise<ChildResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const command = [
      ...(options.prefix ?? []),
      process.execPath,
      ...(options.args ?? []),
      '-e',
      `const LINUX_EPOLL = require(${JSON.stringify(options.packagePath ?? PACKAGE)});\n${source}`,
    ];
    const child = spawn(command[0], command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), bound(options.timeoutMs ?? 10000));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
