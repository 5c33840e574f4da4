// Who releases a line on a real kernel (gpio-sim): close(), the garbage collector for a request
// dropped unclosed, and a worker's teardown; the watch in a worker works like the main thread's.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { runScript } from '../../support/child';
import { useSimChip } from '../../support/gpio-sim';
import { waitFor } from '../../support/wait';

const fixture = useSimChip({ lines: 4 });
const GPIO = path.resolve(__dirname, '../../../dist/lib/gpio.js');
const ONOFF = path.resolve(__dirname, '../../../dist/lib/onoff.js');

test('a request dropped without close() is released when collected', async () => {
  const result = await runScript(
    `
    const { GpioChip } = require(${JSON.stringify(GPIO)});
    const chip = new GpioChip(${JSON.stringify(fixture.sim.path)});
    (() => chip.requestLines({ lines: [0] }))();
    const held = chip.lineInfo(0).used;
    const started = Date.now();
    (function check() {
      gc();
      if (!chip.lineInfo(0).used) return console.log(held, 'released');
      if (Date.now() - started > 5000) return console.log(held, 'still held');
      setImmediate(check);
    })();
    `,
    { args: ['--expose-gc'] },
  );
  expect(result).toMatchObject({ code: 0, stdout: 'true released\n', stderr: '' });
});

test("a worker's lines are released when it is terminated, and its onoff watch gets edges", async () => {
  fixture.sim.pull(1, 0);
  const worker = new Worker(
    `
    const { parentPort } = require('node:worker_threads');
    const { Gpio } = require(${JSON.stringify(ONOFF)});
    require(${JSON.stringify(GPIO)}).openChip(${JSON.stringify(fixture.sim.path)}).requestLines({ lines: [2] });
    const button = new Gpio(1, 'in', 'both', { chip: ${JSON.stringify(fixture.sim.path)} });
    button.watch((err, value) => parentPort.postMessage(err ? err.message : value));
    parentPort.postMessage('ready');
    `,
    { eval: true },
  );
  const messages: unknown[] = [];
  worker.on('message', (message) => messages.push(message));
  try {
    await waitFor(() => messages.includes('ready'), 'the worker to start', 20000);
    expect([fixture.chip.lineInfo(1).used, fixture.chip.lineInfo(2).used]).toEqual([true, true]);
    fixture.sim.pull(1, 1);
    await waitFor(() => messages.includes(1), 'the edge in the worker');
  } finally {
    await worker.terminate();
  }
  await waitFor(() => !fixture.chip.lineInfo(1).used && !fixture.chip.lineInfo(2).used, 'the lines released');
  expect(messages).toEqual(['ready', 1]);
});
