// The README as a newcomer uses it: its first TypeScript snippet, pasted and run, prints and exits;
// every link in it and in docs/ leads somewhere (scripts/check-links.js).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const CHECK_LINKS = path.join(ROOT, 'scripts/check-links.js');

function firstTypeScriptSnippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const snippet = /^```ts\n([\s\S]*?)^```$/m.exec(readme);
  if (!snippet) throw new Error('README.md has no ```ts snippet');
  return snippet[1];
}

test("the README's first snippet runs as an ES module, prints the event, and exits by itself", () => {
  const js = ts.transpileModule(firstTypeScriptSnippet(), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  // From the package root, 'linux-epoll' resolves to this package itself (it has exports).
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', js], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 10000,
  });
  expect(child.signal).toBeNull(); // not killed at the timeout: it exited
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  expect(child.stdout).toBe('ready 1n\n');
});

test('every link in README.md and docs/ resolves, anchors included', () => {
  const child = spawnSync(process.execPath, [CHECK_LINKS, ROOT], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  expect(child.stdout).toMatch(/check-links: [1-9]\d* links in [1-9]\d* files, 0 broken/);
});

test('the link check finds a missing file, a missing anchor and a bad URL, and ignores code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-links-'));
  try {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(
      path.join(dir, 'docs/GUIDE.md'),
      '# Guide\n\n## Level- and edge-triggered\n\n## Usage\n\n## Usage\n',
    );
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Title',
        '',
        '[fine](docs/GUIDE.md#level--and-edge-triggered) [repeated](docs/GUIDE.md#usage-1) [self](#title) [web](https://example.org/x)',
        '[gone](docs/MISSING.md) [no anchor](docs/GUIDE.md#level-and-edge-triggered) [url](https://[bad]/x)',
        '`[in code](nowhere.md)`',
        '```',
        '[in a block](nowhere.md)',
        '```',
        '',
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, [CHECK_LINKS, dir], { encoding: 'utf8' });
    expect(child.status).toBe(1);
    expect(child.stdout).toContain('7 links in 2 files, 3 broken');
    expect(child.stderr.trim().split('\n')).toEqual([
      'README.md:4: docs/MISSING.md: docs/MISSING.md does not exist',
      'README.md:4: docs/GUIDE.md#level-and-edge-triggered: no heading or <a id> makes #level-and-edge-triggered in docs/GUIDE.md',
      'README.md:4: https://[bad]/x: not a valid URL',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
