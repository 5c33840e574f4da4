// linux-epoll/onoff's surface on a machine without GPIO (this one): onoff's statics and methods,
// its argument forms, and the errors for bad arguments (before any chip is opened) and for a chip
// that is not there. test/gpio/sim/onoff.sim.ts drives it on gpio-sim.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

import { Gpio } from '../../lib/onoff';
import { RASPBERRY_PI_LABELS } from '../../lib/onoff/default-chip';
import { openFdCount } from '../support/fds';

const TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
const BAD_VALUE_TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };
const RANGE = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
const hasChip0 = fs.existsSync('/dev/gpiochip0');

test("onoff's statics and methods are all there", () => {
  expect([Gpio.HIGH, Gpio.LOW]).toEqual([1, 0]);
  const methods = Object.getOwnPropertyNames(Gpio.prototype).filter((name) => name !== 'constructor');
  expect(methods.sort()).toEqual(
    [
      'read',
      'readSync',
      'write',
      'writeSync',
      'watch',
      'unwatch',
      'unwatchAll',
      'direction',
      'setDirection',
      'edge',
      'setEdge',
      'activeLow',
      'setActiveLow',
      'unexport',
    ].sort(),
  );
  expect(typeof Object.getOwnPropertyDescriptor(Gpio, 'accessible')!.get).toBe('function');
});

test('accessible says whether the default chip can be opened', () => {
  if (hasChip0) throw new Error('this test expects a machine without GPIO chips');
  expect(Gpio.accessible).toBe(false);
});

test('the Raspberry Pi labels, newest model first', () => {
  expect(RASPBERRY_PI_LABELS).toEqual(['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835']);
});

test.each([
  ['a gpio that is no number', ['4', 'in'], TYPE],
  ['a negative gpio', [-1, 'in'], RANGE],
  ['a fractional gpio', [1.5, 'in'], RANGE],
  ['an unknown direction', [4, 'input'], BAD_VALUE_TYPE],
  ['an unknown edge', [4, 'in', 'up'], BAD_VALUE_TYPE],
  ['a debounceTimeout that is no number', [4, 'in', 'both', { debounceTimeout: '10' }], TYPE],
  ['a debounceTimeout past 2^32 µs', [4, 'in', 'both', { debounceTimeout: 4294968 }], RANGE],
  ['an activeLow that is no boolean', [4, 'in', { activeLow: 1 }], TYPE],
  ['a reconfigureDirection that is no boolean', [4, 'out', { reconfigureDirection: 'no' }], TYPE],
  ['a chip that is no string', [4, 'in', { chip: 0 }], TYPE],
  ['options that are no object', [4, 'in', 'both', 7], TYPE],
])('%s is refused before any chip is opened', (_, args, expected) => {
  const before = openFdCount();
  const Make = Gpio as unknown as new (...a: unknown[]) => Gpio;
  expect(() => new Make(...args)).toThrow(expect.objectContaining(expected));
  expect(openFdCount()).toBe(before);
});

test('a chip that is not there is ENOENT, and one that is no chip ENOTTY, with no fd left', () => {
  const before = openFdCount();
  expect(() => new Gpio(4, 'in', { chip: '/dev/gpiochip4096' })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(() => new Gpio(4, 'in', 'both', { chip: '/dev/null' })).toThrow(expect.objectContaining({ code: 'ENOTTY' }));
  expect(() => new Gpio(4, 'out', { chip: 'no-such-label' })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  if (!hasChip0) expect(() => new Gpio(4, 'in')).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open' }));
  expect(openFdCount()).toBe(before);
});

test('off Linux it loads, as onoff does, with accessible false and a constructor that says why', () => {
  const entry = require.resolve('../../dist/lib/onoff.js');
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      `Object.defineProperty(process, 'platform', { value: 'darwin' });
       const { Gpio } = require(${JSON.stringify(entry)});
       console.log(Gpio.accessible, Gpio.HIGH, Gpio.LOW);
       try { new Gpio(4, 'in'); } catch (error) { console.log(error.code, error.message); }`,
    ],
    { encoding: 'utf8' },
  );
  expect(result).toMatchObject({
    status: 0,
    stderr: '',
    stdout: 'false 1 0\nERR_GPIO_UNAVAILABLE linux-epoll/onoff: GPIO needs Linux (this is darwin)\n',
  });
});
