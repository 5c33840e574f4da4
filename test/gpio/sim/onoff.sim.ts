// linux-epoll/onoff's Gpio on a real kernel (gpio-sim): onoff's API, with numbers as line offsets
// of the chip option, or of the chip labelled as a Raspberry Pi's GPIO controller by default.
import { GpioChip } from '../../../lib/gpio';
import { Gpio, type BinaryValue } from '../../../lib/onoff';
import { SimChip } from '../../support/gpio-sim';
import { waitFor } from '../../support/wait';

let sim: SimChip;
let pi: SimChip;
let held: Gpio[] = [];
beforeAll(() => {
  sim = new SimChip({ lines: 16 });
  // The default chip, found by its label whatever its number.
  pi = new SimChip({ lines: 28, label: 'pinctrl-bcm2835' });
});
afterEach(() => {
  for (const gpio of held) gpio.unexport();
  held = [];
});
afterAll(() => {
  sim.remove();
  pi.remove();
});

function gpio(...args: ConstructorParameters<typeof Gpio>): Gpio {
  const made = new Gpio(...args);
  held.push(made);
  return made;
}

function lineInfo(chip: SimChip, offset: number) {
  const opened = new GpioChip(chip.path);
  try {
    return opened.lineInfo(offset);
  } finally {
    opened.close();
  }
}

test('HIGH, LOW and accessible, with the default chip present', () => {
  expect([Gpio.HIGH, Gpio.LOW]).toEqual([1, 0]);
  expect(Gpio.accessible).toBe(true);
});

test('with no chip option, numbers are offsets of the Raspberry Pi controller', () => {
  const button = gpio(17, 'in');
  expect(lineInfo(pi, 17)).toMatchObject({ used: true, consumer: 'onoff', direction: 'input' });
  pi.pull(17, 1);
  expect(button.readSync()).toBe(1);
});

test('readSync and writeSync; read and write with callbacks and as promises', async () => {
  const input = gpio(0, 'in', { chip: sim.path });
  const output = gpio(1, 'out', { chip: sim.chipName });
  sim.pull(0, 1);
  expect(input.readSync()).toBe(1);
  expect(sim.value(1)).toBe(0);
  output.writeSync(1);
  expect(sim.value(1)).toBe(1);
  await output.write(0);
  expect(sim.value(1)).toBe(0);
  await new Promise<void>((resolve, reject) => output.write(1, (err) => (err ? reject(err) : resolve())));
  expect(sim.value(1)).toBe(1);
  sim.pull(0, 0);
  expect(await input.read()).toBe(0);
  const viaCallback = await new Promise<BinaryValue | undefined>((resolve, reject) =>
    input.read((err, value) => (err ? reject(err) : resolve(value))),
  );
  expect(viaCallback).toBe(0);
  // A write to an input fails as sysfs's does, through the callback or the promise.
  await expect(input.write(1)).rejects.toMatchObject({ code: 'EPERM' });
  const err = await new Promise<Error | null | undefined>((resolve) => input.write(1, resolve));
  expect(err).toMatchObject({ code: 'EPERM' });
});

test("'high' and 'low' start an output at that level; with activeLow they are physical levels, as in sysfs", () => {
  gpio(2, 'high', { chip: sim.path });
  gpio(3, 'low', { chip: sim.path });
  const inverted = gpio(4, 'high', { chip: sim.path, activeLow: true });
  expect([sim.value(2), sim.value(3), sim.value(4)]).toEqual([1, 0, 1]);
  expect(inverted.readSync()).toBe(0);
  inverted.writeSync(1);
  expect(sim.value(4)).toBe(0);
  expect(inverted.activeLow()).toBe(true);
});

test('watch reports each edge with the value it reached; unwatch and unwatchAll stop it', async () => {
  sim.pull(5, 0);
  const button = gpio(5, 'in', 'both', { chip: sim.path });
  expect(button.edge()).toBe('both');
  const values: BinaryValue[] = [];
  const other: BinaryValue[] = [];
  const listener = (err: Error | null | undefined, value?: BinaryValue) => {
    if (err) throw err;
    values.push(value!);
  };
  button.watch(listener);
  button.watch((_err, value) => other.push(value!));
  sim.pull(5, 1);
  await waitFor(() => values.length === 1 && other.length === 1, 'the rising edge');
  button.unwatch(listener);
  sim.pull(5, 0);
  await waitFor(() => other.length === 2, 'the falling edge');
  expect(values).toEqual([1]);
  expect(other).toEqual([1, 0]);
  button.unwatchAll();
  // Watching again later sees only new edges.
  button.watch(listener);
  sim.pull(5, 1);
  await waitFor(() => values.length === 2, 'the next rising edge');
  expect(values).toEqual([1, 1]);
});

test("edge 'rising' reports only rises, and setEdge changes it without releasing the line", async () => {
  sim.pull(6, 0);
  const button = gpio(6, 'in', 'rising', { chip: sim.path });
  const values: BinaryValue[] = [];
  button.watch((_err, value) => values.push(value!));
  // Awaited, as rises closer than the kernel's interrupt thread are merged.
  sim.pull(6, 1);
  await waitFor(() => values.length === 1, 'the first rise');
  sim.pull(6, 0);
  sim.pull(6, 1);
  await waitFor(() => values.length === 2, 'two rises');
  button.setEdge('falling');
  expect(button.edge()).toBe('falling');
  expect(lineInfo(sim, 6).edge).toBe('falling');
  sim.pull(6, 0);
  await waitFor(() => values.length === 3, 'the fall');
  expect(values).toEqual([1, 1, 0]);
});

test('debounceTimeout: a bouncing input reports once it is stable', async () => {
  sim.pull(7, 0);
  const button = gpio(7, 'in', 'both', { chip: sim.path, debounceTimeout: 50 });
  expect(lineInfo(sim, 7).debounceUs).toBe(50_000);
  const values: BinaryValue[] = [];
  button.watch((_err, value) => values.push(value!));
  for (const level of [1, 0, 1, 0, 1] as const) sim.pull(7, level);
  await waitFor(() => values.length > 0, 'the debounced edge');
  sim.pull(7, 0);
  await waitFor(() => values.length === 2, 'the next edge');
  expect(values).toEqual([1, 0]);
});

test('direction and setDirection; an edge given for an output is ignored, as onoff does', () => {
  const line = gpio(8, 'out', 'both', { chip: sim.path });
  expect(line.direction()).toBe('out');
  expect(line.edge()).toBe('none');
  line.setDirection('in');
  expect(line.direction()).toBe('in');
  expect(lineInfo(sim, 8).direction).toBe('input');
  line.setDirection('high');
  expect(sim.value(8)).toBe(1);
  expect(() => line.setEdge('both')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
});

test('setActiveLow keeps an output at its physical level', () => {
  const line = gpio(9, 'high', { chip: sim.path });
  line.setActiveLow(true);
  expect(sim.value(9)).toBe(1);
  expect(line.readSync()).toBe(0);
  expect(lineInfo(sim, 9).activeLow).toBe(true);
});

test('reconfigureDirection: false still sets the direction of a line that has the other one', () => {
  expect(lineInfo(sim, 10).direction).toBe('input');
  const line = gpio(10, 'high', { chip: sim.path, reconfigureDirection: false });
  expect(sim.value(10)).toBe(1);
  expect(line.direction()).toBe('out');
});

test('unexport releases the line; the object refuses calls afterwards; a second Gpio on a held line is EBUSY', () => {
  const line = new Gpio(11, 'in', { chip: sim.path });
  expect(() => new Gpio(11, 'in', { chip: sim.path })).toThrow(expect.objectContaining({ code: 'EBUSY' }));
  line.unexport();
  expect(lineInfo(sim, 11).used).toBe(false);
  expect(() => line.readSync()).toThrow(expect.objectContaining({ code: 'ERR_GPIO_UNEXPORTED' }));
  line.unexport();
});
