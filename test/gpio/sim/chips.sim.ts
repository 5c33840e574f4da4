// Chips on a real kernel (gpio-sim): listing, opening by path, name and label, chip and line info,
// finding a line by name across chips.
import { findLine, GpioChip, listChips, openChip } from '../../../lib/gpio';
import { openFdCount, openFlags } from '../../support/fds';
import { SimChip } from '../../support/gpio-sim';

let first: SimChip;
let second: SimChip;
beforeAll(() => {
  first = new SimChip({ lines: 8, label: 'sim-first', names: { 0: 'button', 3: 'shared' } });
  second = new SimChip({
    lines: 16,
    label: 'sim-second',
    names: { 2: 'led', 3: 'shared' },
    hogs: { 5: { name: 'the-kernel', direction: 'output-high' } },
  });
});
afterAll(() => {
  first.remove();
  second.remove();
});

test('listChips reports every chip, with its name, label and line count, in number order', () => {
  const chips = listChips();
  expect(chips).toEqual(
    expect.arrayContaining([
      { path: first.path, name: first.chipName, label: 'sim-first', lines: 8 },
      { path: second.path, name: second.chipName, label: 'sim-second', lines: 16 },
    ]),
  );
  const numbers = chips.map((chip) => Number(chip.name.replace('gpiochip', '')));
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
});

test('openChip takes a path, a name or a label; the chip fd is non-blocking and close-on-exec', () => {
  for (const id of [second.path, second.chipName, 'sim-second']) {
    const chip = openChip(id);
    try {
      expect(chip).toMatchObject({ name: second.chipName, label: 'sim-second', lines: 16 });
      const flags = openFlags(chip.fd);
      expect(flags & 0o4000).toBe(0o4000); // O_NONBLOCK
      expect(flags & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    } finally {
      chip.close();
    }
  }
  expect(() => openChip('no-such-label')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
});

test('line info: names, the hog as a used output with its consumer, free lines as inputs', () => {
  const chip = new GpioChip(second.path);
  try {
    expect(chip.lineInfo(2)).toMatchObject({ offset: 2, name: 'led', used: false, direction: 'input', consumer: '' });
    expect(chip.lineInfo(5)).toMatchObject({ offset: 5, used: true, direction: 'output', consumer: 'the-kernel' });
    expect(() => chip.lineInfo(16)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl' }));
    expect(chip.findLine('led')).toBe(2);
    expect(chip.findLine('button')).toBeNull();
  } finally {
    chip.close();
  }
});

test('findLine searches every chip, and the first in number order wins a name two chips have', () => {
  expect(findLine('button')).toEqual({ chip: first.path, offset: 0 });
  expect(findLine('led')).toEqual({ chip: second.path, offset: 2 });
  const firstNumber = Number(first.chipName.slice(8));
  const secondNumber = Number(second.chipName.slice(8));
  expect(findLine('shared')).toEqual({ chip: firstNumber < secondNumber ? first.path : second.path, offset: 3 });
  expect(findLine('nothing-has-this')).toBeNull();
});

test('a failed open leaves no fd behind', () => {
  const before = openFdCount();
  expect(() => new GpioChip('/dev/null')).toThrow(expect.objectContaining({ code: 'ENOTTY' }));
  expect(() => new GpioChip('/dev/gpiochip999')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(openFdCount()).toBe(before);
});
