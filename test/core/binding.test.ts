// Loading the addon where no native binary exists: a copy of the package with neither build/ nor
// prebuilds/, as a user has it when no prebuild fits and the package manager skipped the install script.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { runScript } from '../support/child';
import { copyPackage } from '../support/package-copy';

let copy: { dir: string; packageDir: string };
beforeAll(() => (copy = copyPackage(['package.json', 'binding.gyp', 'dist/lib'])));
afterAll(() => fs.rmSync(copy.dir, { recursive: true, force: true }));

test.each([
  ['glibc', {}],
  ['musl', { LIBC: 'musl' }],
])('no binary (%s): the error names the platform and what to do', async (libc, env) => {
  const child = await runScript('', {
    packagePath: path.join(copy.packageDir, 'dist/lib/index.js'),
    env: { ...process.env, ...env },
  });
  expect(child.code).toBe(1);
  expect(child.stderr).toContain(
    `no native binary for linux-${process.arch}, ${libc}, node ${process.versions.node} (ABI ${process.versions.modules}, Node-API ${process.versions.napi})`,
  );
  expect(child.stderr).toContain('npm install-scripts approve linux-epoll');
  expect(child.stderr).toContain('install g++, make and python3, then run: npm rebuild linux-epoll');
  expect(child.stderr).toContain("code: 'ERR_LINUX_EPOLL_NO_BINARY'");
  expect(child.stderr).not.toMatch(/^Error: No native build was found/m);
});
