// linux-epoll/compat on a real sysfs GPIO line (a gpio-sim line exported through /sys/class/gpio):
// examples/gpio-watch.ts, the `epoll` package's button example, prints each edge.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { SimChip } from '../../support/gpio-sim';
import { waitFor } from '../../support/wait';

const SCRIPT = path.resolve(__dirname, '../../../dist/examples/gpio-watch.js');
let sim: SimChip;
let number: number;
beforeAll(() => {
  sim = new SimChip({ lines: 4 });
  number = sim.sysfsBase() + 2;
  fs.writeFileSync('/sys/class/gpio/export', String(number));
  fs.writeFileSync(`/sys/class/gpio/gpio${number}/direction`, 'in');
  fs.writeFileSync(`/sys/class/gpio/gpio${number}/edge`, 'both');
});
afterAll(() => {
  fs.writeFileSync('/sys/class/gpio/unexport', String(number));
  sim.remove();
});

test('gpio-watch prints pressed and released for each edge of the line', async () => {
  sim.pull(2, 0);
  const valuePath = `/sys/class/gpio/gpio${number}/value`;
  const child = spawn(process.execPath, [SCRIPT, valuePath, '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise((resolve) => child.on('close', resolve));
  try {
    await waitFor(() => output.includes('watching'), 'the script to start', 20000);
    sim.pull(2, 1);
    await waitFor(() => output.includes('pressed'), 'pressed');
    sim.pull(2, 0);
    await waitFor(() => output.includes('released'), 'released');
    sim.pull(2, 1);
    await waitFor(() => output.split('pressed').length === 3, 'pressed again');
    expect(output).toBe(`watching ${valuePath} for 60 s\npressed\nreleased\npressed\n`);
  } finally {
    child.kill();
    await exited;
  }
});
