// Line requests on a real kernel (gpio-sim): values, bias, active-low, drive, EBUSY, reconfigure,
// and the request's fd.
import { GpioChip } from '../../../lib/gpio';
import { openFlags } from '../../support/fds';
import { useSimChip } from '../../support/gpio-sim';

const fixture = useSimChip({
  lines: 16,
  names: { 6: 'alpha', 7: 'beta' },
  hogs: { 15: { name: 'hog', direction: 'input' } },
});
const { request } = fixture;

test('an input reads the level the outside world pulls it to; active-low inverts it', () => {
  const plain = request({ lines: [0] });
  const inverted = request({ lines: [1], activeLow: true });
  for (const level of [1, 0, 1] as const) {
    fixture.sim.pull(0, level);
    fixture.sim.pull(1, level);
    expect(plain.getValues()).toEqual([level]);
    expect(inverted.getValues()).toEqual([level ^ 1]);
  }
});

test('outputs drive their lines: initial values, then setValues; undefined leaves a line as it is', () => {
  const outputs = request({ lines: [2, 3, 4], direction: 'output', values: [1, 0, true] });
  expect([fixture.sim.value(2), fixture.sim.value(3), fixture.sim.value(4)]).toEqual([1, 0, 1]);
  outputs.setValues([0, 1, undefined]);
  expect([fixture.sim.value(2), fixture.sim.value(3), fixture.sim.value(4)]).toEqual([0, 1, 1]);
  expect(outputs.getValues()).toEqual([0, 1, 1]);
  expect(() => outputs.setValues([undefined, undefined, undefined])).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
  );
});

test('an active-low output drives the low level for 1', () => {
  const output = request({ lines: [5], direction: 'output', activeLow: true, values: [1] });
  expect(fixture.sim.value(5)).toBe(0);
  output.setValues([0]);
  expect(fixture.sim.value(5)).toBe(1);
  expect(fixture.chip.lineInfo(5)).toMatchObject({
    direction: 'output',
    activeLow: true,
    used: true,
    consumer: 'linux-epoll',
  });
});

test('bias pulls an input, and the line info says so', () => {
  fixture.sim.pull(8, 0);
  const up = request({ lines: [8], bias: 'pull-up', consumer: 'bias-test' });
  expect(up.getValues()).toEqual([1]);
  expect(fixture.chip.lineInfo(8)).toMatchObject({ bias: 'pull-up', consumer: 'bias-test' });
  up.reconfigure({ bias: 'pull-down' });
  expect(up.getValues()).toEqual([0]);
  expect(fixture.chip.lineInfo(8).bias).toBe('pull-down');
});

test('drive and bias settings reach the line, as its info reports them', () => {
  const drain = request({ lines: [11], direction: 'output', drive: 'open-drain', values: [0] });
  expect(fixture.chip.lineInfo(11)).toMatchObject({ direction: 'output', drive: 'open-drain' });
  drain.reconfigure({ direction: 'output', drive: 'open-source', bias: 'disabled' });
  expect(fixture.chip.lineInfo(11)).toMatchObject({ drive: 'open-source', bias: 'disabled' });
});

test('lines can be requested by name, and come back in request order', () => {
  const named = request({ lines: ['beta', 'alpha', 9] });
  expect(named.offsets).toEqual([7, 6, 9]);
  fixture.sim.pull(7, 1);
  fixture.sim.pull(6, 0);
  fixture.sim.pull(9, 1);
  expect(named.getValues()).toEqual([1, 0, 1]);
});

test('a line already requested, by this process or by the kernel, is EBUSY', () => {
  request({ lines: [10] });
  for (const lines of [[10], [11, 10], [15]]) {
    let thrown: unknown;
    try {
      request({ lines });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'EBUSY', syscall: 'ioctl', fd: fixture.chip.fd });
    expect((thrown as Error).message).toMatch(/GPIO_V2_GET_LINE_IOCTL.*already requested/);
  }
  // The failed request of [11, 10] holds nothing.
  expect(fixture.chip.lineInfo(11).used).toBe(false);
});

test('reconfigure turns an input into an output and back, without releasing it', () => {
  const line = request({ lines: [12] });
  line.reconfigure({ direction: 'output', values: [1] });
  expect(fixture.sim.value(12)).toBe(1);
  expect(fixture.chip.lineInfo(12)).toMatchObject({ direction: 'output', used: true });
  line.reconfigure({ direction: 'input', edge: 'both' });
  expect(fixture.chip.lineInfo(12)).toMatchObject({ direction: 'input', edge: 'both' });
  expect(() => line.setValues([1])).toThrow(expect.objectContaining({ code: 'EPERM' }));
});

test('the request fd is non-blocking and close-on-exec, with nothing to read at first', () => {
  const line = request({ lines: [13], edge: 'both' });
  const flags = openFlags(line.fd);
  expect(flags & 0o4000).toBe(0o4000);
  expect(flags & 0o2000000).toBe(0o2000000);
  expect(line.readEvents()).toBeNull();
});

test('close releases the lines, and a closed request refuses every call', () => {
  const line = fixture.chip.requestLines({ lines: [14] });
  expect(fixture.chip.lineInfo(14).used).toBe(true);
  line.close();
  line.close();
  expect(line.fd).toBe(-1);
  expect(fixture.chip.lineInfo(14).used).toBe(false);
  for (const call of [() => line.getValues(), () => line.readEvents(), () => line.reconfigure({})]) {
    expect(call).toThrow(expect.objectContaining({ code: 'ERR_EPOLL_CLOSED' }));
  }
});

test('a request outlives the chip object it came from', () => {
  const other = new GpioChip(fixture.sim.path);
  const line = other.requestLines({ lines: [14] });
  other.close();
  try {
    fixture.sim.pull(14, 1);
    expect(line.getValues()).toEqual([1]);
  } finally {
    line.close();
  }
});
