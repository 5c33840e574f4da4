// Loading the addon where no native binary exists: a copy of the package with neither build/ nor
// prebuilds/, as a user has it when no prebuild fits and the package manager skipped the install script.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { runScript } from './support/child';

const ROOT = path.resolve(__dirname, '..');
let copy: string;

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-epoll-no-binary-'));
  for (const file of ['package.json', 'binding.gyp']) fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
  fs.cpSync(path.join(ROOT, 'dist/lib'), path.join(copy, 'dist/lib'), { recursive: true });
  fs.mkdirSync(path.join(copy, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'node_modules/node-gyp-build'), path.join(copy, 'node_modules/node-gyp-build'));
});
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

test.each([
  ['glibc', {}],
  ['musl', { LIBC: 'musl' }],
])('no binary (%s): the error names the platform and what to do', async (libc, env) => {
  const child = await runScript('', { packagePath: path.join(copy, 'dist/lib/index.js'), env: { ...process.env, ...env } });
  expect(child.code).toBe(1);
  expect(child.stderr).toContain(`no native binary for linux-${process.arch}, ${libc}, node ${process.versions.node} (ABI ${process.versions.modules}, Node-API ${process.versions.napi})`);
  expect(child.stderr).toContain('npm install-scripts approve linux-epoll');
  expect(child.stderr).toContain('install g++, make and python3, then run: npm rebuild linux-epoll');
  expect(child.stderr).toContain("code: 'ERR_LINUX_EPOLL_NO_BINARY'");
  expect(child.stderr).not.toMatch(/^Error: No native build was found/m);
});
