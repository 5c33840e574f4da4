// Chips on a machine without GPIO (this one): what is listed, and the errors for what is not there
// or is no chip. test/gpio/sim/ has the same on gpio-sim chips.
import * as fs from 'node:fs';

import { EventFd } from '../../lib';
import { findLine, GpioChip, LineRequest, listChips, openChip } from '../../lib/gpio';
import { openFdCount } from '../support/fds';

const devChips = fs.readdirSync('/dev').filter((name) => /^gpiochip\d+$/.test(name));

test('listChips lists what /dev has', () => {
  expect(listChips().map((chip) => chip.path)).toEqual(devChips.map((name) => `/dev/${name}`));
});

test('a path that is no chip is ENOTTY, one that is missing ENOENT, a label no chip has ENOENT; no fd is left', () => {
  const before = openFdCount();
  expect(() => new GpioChip('/dev/null')).toThrow(
    expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl', message: expect.stringMatching(/not a GPIO chip/) }),
  );
  expect(() => openChip('/dev/no-such-chip')).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open' }));
  expect(() => openChip('gpiochip4096')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(() => openChip('pinctrl-rp1-absent')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(openFdCount()).toBe(before);
});

test.each([
  ['openChip', () => openChip(4 as unknown as string)],
  ['GpioChip', () => new GpioChip(undefined as unknown as string)],
  ['findLine', () => findLine({} as unknown as string)],
])('%s refuses a name that is no string', (_, call) => {
  expect(call).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
});

test('findLine finds nothing where there are no chips', () => {
  if (devChips.length > 0) throw new Error('this test expects a machine without GPIO chips');
  expect(findLine('GPIO17')).toBeNull();
});

test('a LineRequest cannot be made from outside, so no object can adopt an fd it does not own', () => {
  const efd = new EventFd();
  try {
    const Make = LineRequest as unknown as new (...args: unknown[]) => unknown;
    expect(() => new Make(Symbol('LineRequest'), efd.fd, [0], 16)).toThrow(/made by GpioChip.requestLines/);
    expect(efd.write(1)).toBe(true);
  } finally {
    efd.close();
  }
});
