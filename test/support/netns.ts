// Scenarios of test/net/tun-scenarios.cjs, each run by a node child in a network namespace of its
// own (`unshare --net`), so that the interfaces it makes vanish with it and never touch the host.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { runScript, type ChildResult } from './child';

const ROOT = path.resolve(__dirname, '../..');
const SCENARIOS = path.join(ROOT, 'test/net/tun-scenarios.cjs');

/** Installs what the scenarios run (iproute2's ip, setpriv, python3) where it is missing. */
export function requireNetnsTools(): void {
  execFileSync(
    'bash',
    [
      '-c',
      'source scripts/apt-packages.sh && require_commands ip:iproute2 unshare:util-linux setpriv:util-linux python3:python3',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

export interface NetnsOptions {
  /** Runs between unshare and node, e.g. setpriv dropping a capability. */
  wrapper?: string[];
  nodeArgs?: string[];
}

/** The scenario's report; a failed scenario fails the test with its stack and the child's stderr. */
export async function inNetns<T = Record<string, unknown>>(
  scenario: string,
  options: Record<string, unknown> = {},
  { wrapper = [], nodeArgs = [] }: NetnsOptions = {},
): Promise<T> {
  const result: ChildResult = await runScript(
    `require(${JSON.stringify(SCENARIOS)}).run(${JSON.stringify(scenario)}, ${JSON.stringify(options)});`,
    { prefix: ['unshare', '--net', '--', ...wrapper], args: nodeArgs, timeoutMs: 15000 },
  );
  const lines = result.stdout.trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1] || '{}') as T & { error?: string };
  if (report.error !== undefined || result.code !== 0 || result.stderr !== '') {
    throw new Error(
      `${scenario} in a namespace: exit ${result.code} (${result.signal}), ${report.error ?? ''}\n${result.stderr}`,
    );
  }
  return report;
}
