// requestLines with bad options, on a real chip (gpio-sim): each is refused with the documented
// error before the ioctl, and holds no line afterwards.
import { useSimChip } from '../../support/gpio-sim';

const fixture = useSimChip({ lines: 8, names: { 1: 'one' } });
const TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
const RANGE = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
const BAD_VALUE_TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };
const BAD_VALUE_RANGE = { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' };

test.each([
  ['no options', undefined, TYPE],
  ['lines that are no array', { lines: 1 }, TYPE],
  ['no lines', { lines: [] }, BAD_VALUE_RANGE],
  ['65 lines', { lines: Array.from({ length: 65 }, (_, i) => i) }, RANGE],
  ['an offset past the chip', { lines: [8] }, RANGE],
  ['an offset of 2^32', { lines: [2 ** 32] }, RANGE],
  ['a fractional offset', { lines: [1.5] }, RANGE],
  ['a line twice', { lines: [2, 'one', 2] }, BAD_VALUE_TYPE],
  ['a line by a name and its offset', { lines: ['one', 1] }, BAD_VALUE_TYPE],
  ['a name no line has', { lines: ['two'] }, { name: 'Error', code: 'ERR_INVALID_ARG_VALUE' }],
  ['a consumer of 32 bytes', { lines: [2], consumer: 'x'.repeat(32) }, BAD_VALUE_RANGE],
  ['a consumer of 16 two-byte characters', { lines: [2], consumer: 'é'.repeat(16) }, BAD_VALUE_RANGE],
  ['a consumer with a NUL', { lines: [2], consumer: 'a\0b' }, BAD_VALUE_RANGE],
  ['a consumer that is no string', { lines: [2], consumer: 5 }, TYPE],
  ['an event buffer of 1025', { lines: [2], eventBufferSize: 1025 }, RANGE],
  ['values for more lines than requested', { lines: [2], direction: 'output', values: [1, 1] }, RANGE],
  ['an edge on an output', { lines: [2], direction: 'output', edge: 'both' }, BAD_VALUE_TYPE],
])('%s is refused and holds nothing', (_, options, expected) => {
  const request = fixture.chip.requestLines as (options: unknown) => unknown;
  expect(() => request.call(fixture.chip, options)).toThrow(expect.objectContaining(expected));
  for (let offset = 0; offset < 8; offset++) expect(fixture.chip.lineInfo(offset).used).toBe(false);
});

test('the lines array is read once: a getter cannot swap an offset after it was checked', () => {
  let reads = 0;
  const lines = [0];
  Object.defineProperty(lines, 0, { get: () => (reads++ === 0 ? 3 : 99) });
  const request = fixture.request({ lines });
  expect(request.offsets).toEqual([3]);
  expect(reads).toBe(1);
});

test('a consumer of exactly 31 bytes is kept whole', () => {
  fixture.request({ lines: [4], consumer: 'c'.repeat(31) });
  expect(fixture.chip.lineInfo(4).consumer).toBe('c'.repeat(31));
});
