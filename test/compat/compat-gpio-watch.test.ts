// examples/gpio-watch: its EPOLLPRI watch on TCP urgent data (there is no GPIO here), and the
// script itself on a real sysfs attribute file, which is pollable like a GPIO value file.
import * as path from 'node:path';

import { watchInterrupts } from '../../examples/gpio-watch';
import { runScript } from '../support/child';
import { urgentConnection } from '../support/urgent';
import { waitFor } from '../support/wait';

const SCRIPT = path.resolve(__dirname, '../../dist/examples/gpio-watch.js');

function runExample(...args: string[]) {
  return runScript(
    `process.argv.splice(1, Infinity, ${JSON.stringify(SCRIPT)}, ...${JSON.stringify(args)}); require('module').runMain();`,
  );
}

test('watchInterrupts reports urgent data (EPOLLPRI) on the watched fd', async () => {
  const connection = await urgentConnection();
  const fds: number[] = [];
  try {
    // Urgent data stays pending (Node cannot read it), so the first event ends the watch.
    const watch = watchInterrupts(connection.fd, (fd) => {
      fds.push(fd);
      watch.stop();
    });
    await waitFor(() => fds.length > 0, 'the interrupt');
    expect(fds).toEqual([connection.fd]);
  } finally {
    await connection.close();
  }
});

test('the script watches a sysfs file for the given time, then stops and exits', async () => {
  const result = await runExample('/sys/class/net/lo/operstate', '0.2');
  expect(result).toMatchObject({
    code: 0,
    stdout: 'watching /sys/class/net/lo/operstate for 0.2 s\nstopped\n',
    stderr: '',
  });
});

test('the script explains a missing value file and bad arguments', async () => {
  const missing = await runExample('/sys/class/gpio/gpio999/value');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/ENOENT.*is the GPIO exported\?/);
  const bad = await runExample('/sys/class/net/lo/operstate', 'soon');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^usage: gpio-watch/);
});
