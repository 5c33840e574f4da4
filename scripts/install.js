'use strict';
// The package's install step. A prebuilt binary that loads here is used as is. Otherwise the addon is
// compiled with the running node's own headers, so nothing is downloaded, and where no compiler
// exists the install fails with a message that says what to do. Plain JS: it runs before any build.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// What the prebuilds cover, from the C and C++ library versions scripts/check-binaries.sh measured
// in each binary when they were built (prebuilds/requirements.json).
function prebuiltCoverage() {
  let requirements;
  try {
    requirements = JSON.parse(fs.readFileSync(path.join(root, 'prebuilds', 'requirements.json'), 'utf8'));
  } catch {
    return 'This copy of linux-epoll has no prebuilt binaries.';
  }
  const targets = Object.entries(requirements).map(
    ([target, needs]) =>
      `${target} (glibc ${needs.glibc || 'any'}${needs.glibcxx ? `, libstdc++ GLIBCXX_${needs.glibcxx}` : ''} or newer)`,
  );
  return `Prebuilt binaries cover ${targets.join(', ')}.`;
}

function fail(lines) {
  console.error(lines.map((line) => `linux-epoll: ${line}`).join('\n'));
  process.exit(1);
}

// Loads the binary in a child process, so one that cannot load (another libc, a glibc too old) is
// only reported. Returns null when it loads, otherwise the loader's error message.
function prebuildError() {
  const nodeGypBuild = require.resolve('node-gyp-build');
  const probe = `require(${JSON.stringify(nodeGypBuild)})(${JSON.stringify(root)})`;
  const child = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  if (child.status === 0) return null;
  const message = (child.stderr || '').split('\n').find((line) => /^\w*Error\b/.test(line));
  return message || `exit status ${child.status}`;
}

function onPath(command) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// node-gyp's Makefiles compile and link with $CXX, else make's default, g++.
function missingTools() {
  const compiler = (process.env.CXX || 'g++').trim().split(/\s+/)[0];
  const tools = [compiler, 'make'];
  const python = process.env.PYTHON || process.env.npm_config_python;
  if (!python) tools.push('python3');
  return tools.filter((tool) => !(path.isAbsolute(tool) ? fs.existsSync(tool) : onPath(tool)));
}

// The package's own node-gyp when it is installed (a development checkout), else npm's bundled one.
function nodeGypCommand() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })];
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled) return bundled.endsWith('.js') ? [process.execPath, bundled] : [bundled];
    return ['node-gyp'];
  }
}

function buildFromSource() {
  const env = { ...process.env };
  const prefix = path.resolve(process.execPath, '..', '..');
  if (!env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    env.npm_config_nodedir = prefix;
  }
  const [command, ...args] = nodeGypCommand();
  const child = spawnSync(command, [...args, 'rebuild'], { cwd: root, env, stdio: 'inherit' });
  if (child.error) fail([`cannot run node-gyp (${command}): ${child.error.message}`]);
  if (child.status !== 0)
    fail([`building from source failed (node-gyp exit status ${child.status}); the compiler output is above.`]);
}

function main() {
  if (process.platform !== 'linux') {
    fail([`requires Linux: epoll is a Linux kernel interface (this is ${process.platform}).`]);
  }
  const fromSource = process.env.npm_config_build_from_source === 'true';
  const loadError = fromSource ? 'building from source was asked for' : prebuildError();
  if (loadError === null) return;
  const missing = missingTools();
  if (missing.length > 0) {
    fail([
      `no prebuilt binary loads here (linux-${process.arch}, node ${process.version}): ${loadError}`,
      `and it cannot be built from source: ${missing.join(', ')} not found on PATH.`,
      prebuiltCoverage(),
      'Elsewhere install a C++ toolchain (Debian/Ubuntu: apt-get install g++ make python3;',
      'Alpine: apk add g++ make python3) and install linux-epoll again.',
    ]);
  }
  buildFromSource();
}

main();
