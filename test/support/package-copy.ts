// A copy of some of the package's files in a temporary directory, with node-gyp-build beside it:
// the package as a user has it when something is missing (no build/, no prebuilds/).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Copies each of paths (files or directories, relative to the package root) into dir/package. */
export function copyPackage(paths: readonly string[]): { dir: string; packageDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-epoll-copy-'));
  const packageDir = path.join(dir, 'package');
  for (const entry of paths) fs.cpSync(path.join(ROOT, entry), path.join(packageDir, entry), { recursive: true });
  fs.mkdirSync(path.join(packageDir, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'node_modules/node-gyp-build'), path.join(packageDir, 'node_modules/node-gyp-build'));
  return { dir, packageDir };
}
