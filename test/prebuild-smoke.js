'use strict';
// Smoke test of an installed linux-epoll, run by scripts/test-prebuilds.sh on x64 and, under
// qemu-user with Debian's node, on arm64 and armv7. Plain JS, as it runs outside jest and the build.
// usage: node prebuild-smoke.js INSTALL_DIR EXPECTED_BINARY_DIR
//   EXPECTED_BINARY_DIR: the directory below the package the addon must be loaded from, such as
//   prebuilds/linux-arm64 or build/Release.
const assert = require('node:assert');
const path = require('node:path');

const [installDir, expectedDir] = process.argv.slice(2);
const TIMEOUT_MS = 20000;

// Resolved by name from the install directory, so package.json's main/exports are tested too.
const entry = require.resolve('linux-epoll', { paths: [installDir] });
const { EpollInstance, EventFd, EPOLLIN } = require(entry);
const packageDir = path.join(installDir, 'node_modules', 'linux-epoll');

function loadedBinary() {
  const binaries = Object.keys(require.cache).filter((file) => file.endsWith('.node'));
  assert.strictEqual(binaries.length, 1, `expected one native binary loaded, got ${binaries.join(', ')}`);
  return path.relative(packageDir, binaries[0]);
}

function firstEvent(dispatch) {
  const epoll = new EpollInstance({ dispatch });
  const counter = new EventFd();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${TIMEOUT_MS} ms (${dispatch})`)), TIMEOUT_MS);
    epoll.add(counter.fd, EPOLLIN, (events, fd) => {
      clearTimeout(timer);
      resolve({ events, fd });
    });
    counter.write(1);
  }).then(({ events, fd }) => {
    assert.strictEqual(fd, counter.fd);
    assert.ok(events & EPOLLIN, `events ${events} lack EPOLLIN`);
    assert.strictEqual(counter.read(), 1n);
    epoll.close();
    counter.close();
    assert.ok(epoll.closed && counter.closed);
  });
}

async function main() {
  const binary = loadedBinary();
  assert.strictEqual(path.dirname(binary), expectedDir, `loaded ${binary}, expected it from ${expectedDir}`);
  for (const dispatch of ['thread', 'loop']) await firstEvent(dispatch);
  console.log(`smoke ok: linux-${process.arch} node ${process.version} loaded ${binary}`);
}

main().catch((error) => {
  console.error(`smoke FAILED on linux-${process.arch}: ${error.stack || error}`);
  process.exit(1);
});
