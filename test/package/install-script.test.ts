// scripts/install.js where neither a prebuilt binary loads nor a compiler exists: it fails saying
// what the prebuilds need, as prebuilds/requirements.json (written by check-binaries.sh) has it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { copyPackage } from '../support/package-copy';

let dir: string;
let packageDir: string;

beforeEach(() => {
  // A package with the install script and no binary, and a PATH with node and nothing else.
  ({ dir, packageDir } = copyPackage(['package.json', 'binding.gyp', 'scripts/install.js']));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.symlinkSync(process.execPath, path.join(dir, 'bin/node'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function install(): { status: number | null; stderr: string } {
  const env = { PATH: path.join(dir, 'bin') };
  return spawnSync(process.execPath, [path.join(packageDir, 'scripts/install.js')], {
    env,
    encoding: 'utf8',
    timeout: 10000,
  });
}

test('no compiler: the message names the missing tools and what each prebuild needs', () => {
  fs.mkdirSync(path.join(packageDir, 'prebuilds'));
  fs.writeFileSync(
    path.join(packageDir, 'prebuilds/requirements.json'),
    JSON.stringify({
      'linux-x64': { glibc: '2.14', glibcxx: '3.4.21' },
      'linux-arm': { glibc: '2.12', glibcxx: '' },
    }),
  );
  const result = install();
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^linux-epoll: no prebuilt binary loads here \(linux-/m);
  expect(result.stderr).toContain('g++, make, python3 not found on PATH');
  expect(result.stderr).toContain(
    'linux-epoll: Prebuilt binaries cover linux-x64 (glibc 2.14, libstdc++ GLIBCXX_3.4.21 or newer), linux-arm (glibc 2.12 or newer).',
  );
});

test('no compiler and no prebuilds at all: it says this copy has none', () => {
  const result = install();
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('linux-epoll: This copy of linux-epoll has no prebuilt binaries.');
});
