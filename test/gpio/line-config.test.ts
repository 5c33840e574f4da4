// Line configs as words for native: the flags and attributes each option gives, the kernel's rules
// on combining them refused with errors naming the option, and options read once each.
import { binding } from '../../lib/core/binding';
import { encodeConfig } from '../../lib/gpio/line-config';

const k = binding.gpio.constants;
const TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
const BAD_VALUE_TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };
const BAD_VALUE_RANGE = { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' };
const RANGE = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };

function words(options: unknown, lines = 1): bigint[] {
  return [...encodeConfig(options, lines)];
}

test('the defaults are an input with no edge, bias, debounce or attribute', () => {
  expect(words(undefined)).toEqual([BigInt(k.FLAG_INPUT)]);
  expect(words({})).toEqual([BigInt(k.FLAG_INPUT)]);
});

test('each option sets its flag', () => {
  const input = { direction: 'input', activeLow: true, bias: 'pull-up', edge: 'both', eventClock: 'realtime' };
  expect(words(input)).toEqual([
    BigInt(
      k.FLAG_INPUT |
        k.FLAG_ACTIVE_LOW |
        k.FLAG_BIAS_PULL_UP |
        k.FLAG_EDGE_RISING |
        k.FLAG_EDGE_FALLING |
        k.FLAG_EVENT_CLOCK_REALTIME,
    ),
  ]);
  expect(words({ direction: 'output', drive: 'open-drain', bias: 'disabled' })).toEqual([
    BigInt(k.FLAG_OUTPUT | k.FLAG_OPEN_DRAIN | k.FLAG_BIAS_DISABLED),
  ]);
  expect(words({ direction: 'output', drive: 'open-source' })).toEqual([BigInt(k.FLAG_OUTPUT | k.FLAG_OPEN_SOURCE)]);
  expect(words({ edge: 'rising', bias: 'pull-down' })).toEqual([
    BigInt(k.FLAG_INPUT | k.FLAG_EDGE_RISING | k.FLAG_BIAS_PULL_DOWN),
  ]);
  expect(words({ edge: 'falling' })).toEqual([BigInt(k.FLAG_INPUT | k.FLAG_EDGE_FALLING)]);
  expect(words({ direction: 'as-is' })).toEqual([0n]);
});

test('initial values and debounce become attributes over the lines they cover', () => {
  const values = [1, false, true, undefined, 0];
  expect(words({ direction: 'output', values }, 5)).toEqual([
    BigInt(k.FLAG_OUTPUT),
    BigInt(k.ATTR_ID_OUTPUT_VALUES),
    0b00101n,
    0b10111n,
  ]);
  expect(words({ edge: 'both', debounceUs: 0xffffffff }, 64)).toEqual([
    BigInt(k.FLAG_INPUT | k.FLAG_EDGE_RISING | k.FLAG_EDGE_FALLING),
    BigInt(k.ATTR_ID_DEBOUNCE),
    0xffffffffn,
    2n ** 64n - 1n,
  ]);
});

test.each([
  [{ direction: 'in' }, BAD_VALUE_TYPE, /options\.direction/],
  [{ direction: 'as-is', bias: 'pull-up' }, BAD_VALUE_TYPE, /options\.bias.*needs direction 'input' or 'output'/],
  [{ drive: 'open-drain' }, BAD_VALUE_TYPE, /options\.drive.*needs direction 'output'/],
  [{ direction: 'output', edge: 'both' }, BAD_VALUE_TYPE, /options\.edge.*needs direction 'input'/],
  [{ direction: 'output', debounceUs: 10 }, BAD_VALUE_TYPE, /options\.debounceUs.*needs direction 'input'/],
  [{ values: [1] }, BAD_VALUE_TYPE, /options\.values.*needs direction 'output'/],
  [{ direction: 'output', values: [2] }, BAD_VALUE_RANGE, /options\.values\[0\].*must be 0 or 1/],
  [{ direction: 'output', values: ['1'] }, TYPE, /options\.values\[0\]/],
  [{ direction: 'output', values: [0, 1] }, RANGE, /options\.values\.length/],
  [{ direction: 'output', values: { 0: 1, length: 1 } }, TYPE, /options\.values/],
  [{ debounceUs: 2 ** 32 }, RANGE, /options\.debounceUs/],
  [{ debounceUs: -1 }, RANGE, /options\.debounceUs/],
  [{ debounceUs: 1.5 }, RANGE, /options\.debounceUs/],
  [{ activeLow: 1 }, TYPE, /options\.activeLow/],
  [{ eventClock: 'hte' }, BAD_VALUE_TYPE, /options\.eventClock/],
  [{ bias: null }, TYPE, /options\.bias/],
  [[], TYPE, /options/],
  [null, TYPE, /options/],
])('%j is refused', (options, expected, message) => {
  let thrown: unknown;
  try {
    encodeConfig(options, 1);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject(expected);
  expect((thrown as Error).message).toMatch(message);
});

test('each option is read once, so a getter cannot pass validation with one value and cross with another', () => {
  const reads: string[] = [];
  const options = new Proxy(
    { direction: 'output', values: [1], drive: 'open-drain' },
    {
      get(target, key: string) {
        reads.push(key);
        return reads.filter((k) => k === key).length > 1 ? 'input' : target[key as keyof typeof target];
      },
    },
  );
  expect(words(options)).toEqual([BigInt(k.FLAG_OUTPUT | k.FLAG_OPEN_DRAIN), BigInt(k.ATTR_ID_OUTPUT_VALUES), 1n, 1n]);
  expect(new Set(reads).size).toBe(reads.length);
});

test('a values array whose elements change as they are read is copied once', () => {
  let reads = 0;
  const values = [0];
  Object.defineProperty(values, 0, { get: () => (reads++ === 0 ? 1 : 7) });
  expect(words({ direction: 'output', values })).toEqual([
    BigInt(k.FLAG_OUTPUT),
    BigInt(k.ATTR_ID_OUTPUT_VALUES),
    1n,
    1n,
  ]);
  expect(reads).toBe(1);
});
