// scripts/install.js where neither a prebuilt binary loads nor a compiler exists: it fails saying
// what the prebuilds need, as prebuilds/requirements.json (written by check-binaries.sh) has it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
let dir: string;

beforeEach(() => {
  // A package with the install script and no binary, and a PATH with node and nothing else.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-epoll-install-'));
  fs.mkdirSync(path.join(dir, 'package/scripts'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'package/node_modules'));
  fs.mkdirSync(path.join(dir, 'bin'));
  for (const file of ['package.json', 'binding.gyp', 'scripts/install.js']) {
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, 'package', file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules/node-gyp-build'), path.join(dir, 'package/node_modules/node-gyp-build'));
  fs.symlinkSync(process.execPath, path.join(dir, 'bin/node'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function install(): { status: number | null; stderr: string } {
  const env = { PATH: path.join(dir, 'bin') };
  return spawnSync(process.execPath, [path.join(dir, 'package/scripts/install.js')], { env, encoding: 'utf8', timeout: 10000 });
}

test('no compiler: the message names the missing tools and what each prebuild needs', () => {
  fs.mkdirSync(path.join(dir, 'package/prebuilds'));
  fs.writeFileSync(path.join(dir, 'package/prebuilds/requirements.json'), JSON.stringify({
    'linux-x64': { glibc: '2.14', glibcxx: '3.4.21' },
    'linux-arm': { glibc: '2.12', glibcxx: '' },
  }));
  const result = install();
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^linux-epoll: no prebuilt binary loads here \(linux-/m);
  expect(result.stderr).toContain('g++, make, python3 not found on PATH');
  expect(result.stderr).toContain('linux-epoll: Prebuilt binaries cover linux-x64 (glibc 2.14, libstdc++ GLIBCXX_3.4.21 or newer), linux-arm (glibc 2.12 or newer).');
});

test('no compiler and no prebuilds at all: it says this copy has none', () => {
  const result = install();
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('linux-epoll: This copy of linux-epoll has no prebuilt binaries.');
});
