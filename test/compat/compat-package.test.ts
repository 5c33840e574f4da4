// The package entry points as a consumer sees them: `linux-epoll` and `linux-epoll/compat`, through
// require and import, resolved from a node_modules that links to this package.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { runScript } from '../support/child';

const ROOT = path.resolve(__dirname, '../..');
let consumer: string;

beforeAll(() => {
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-epoll-consumer-'));
  fs.mkdirSync(path.join(consumer, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(consumer, 'node_modules', 'linux-epoll'), 'dir');
});

afterAll(() => fs.rmSync(consumer, { recursive: true, force: true }));

// Runs a module file placed in the consumer directory, so that bare specifiers resolve from there.
async function runConsumer(name: string, source: string): Promise<string> {
  const file = path.join(consumer, name);
  fs.writeFileSync(file, source);
  const result = await runScript(
    `import(${JSON.stringify(pathToFileURL(file).href)}).catch((e) => { console.error(e); process.exit(1); });`,
  );
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
}

// Node 23 on adds a 'module.exports' key to the namespace of an imported CommonJS module.
const REPORT = `
  const names = (m) => Object.keys(m).filter((k) => !['__esModule', 'default', 'module.exports'].includes(k)).sort().join(',');
`;

test('require: linux-epoll, linux-epoll/compat and linux-epoll/package.json', async () => {
  const out = await runConsumer(
    'require.cjs',
    `${REPORT}
    const root = require('linux-epoll');
    const { Epoll } = require('linux-epoll/compat');
    console.log(typeof root.EpollInstance, Epoll.EPOLLPRI, require('linux-epoll/package.json').name);
    try { require('linux-epoll/dist/lib/fds/io.js'); } catch (e) { console.log(e.code); }`,
  );
  expect(out).toBe('function 2 linux-epoll\nERR_PACKAGE_PATH_NOT_EXPORTED\n');
});

test('import: the same module instances and names as require, and a default export', async () => {
  const out = await runConsumer(
    'import.mjs',
    `${REPORT}
    import { createRequire } from 'node:module';
    import * as root from 'linux-epoll';
    import * as compat from 'linux-epoll/compat';
    import epoll, { Epoll } from 'linux-epoll/compat';
    const require = createRequire(import.meta.url);
    const cjsRoot = require('linux-epoll');
    const cjsCompat = require('linux-epoll/compat');
    console.log(names(root) === names(cjsRoot), names(compat) === names(cjsCompat), names(compat));
    console.log(root.EpollInstance === cjsRoot.EpollInstance, root.io === cjsRoot.io, Epoll === cjsCompat.Epoll, epoll.Epoll === Epoll, root.default === cjsRoot);`,
  );
  expect(out).toBe('true true Epoll\ntrue true true true true\n');
});

test('an import works end to end: an event reaches the callback', async () => {
  const out = await runConsumer(
    'event.mjs',
    `
    import { Epoll } from 'linux-epoll/compat';
    import { io } from 'linux-epoll';
    const [r, w] = io.pipe();
    const poller = new Epoll((err, fd, events) => { console.log(err, fd === r, events); poller.remove(fd).close(); });
    poller.add(r, Epoll.EPOLLIN);
    io.write(w, Buffer.from('x'));`,
  );
  expect(out).toBe('null true 1\n');
});

test('off Linux, linux-epoll/compat warns and exports a stub as epoll@4 does; linux-epoll says Linux is required', async () => {
  const file = path.join(consumer, 'elsewhere.cjs');
  fs.writeFileSync(
    file,
    `Object.defineProperty(process, 'platform', { value: 'darwin' });
     const { Epoll } = require('linux-epoll/compat');
     console.log(JSON.stringify(Epoll));
     try { require('linux-epoll'); } catch (error) { console.log(error.message); }`,
  );
  // A bare node: runScript would have loaded linux-epoll already, on Linux.
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  expect(result.stderr).toBe('Warning: epoll is built for Linux and not intended for usage on darwin.\n');
  expect(result.stdout).toBe('{}\nlinux-epoll requires Linux: epoll is a Linux kernel interface (this is darwin)\n');
});
