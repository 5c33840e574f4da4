// The line-info watch on a real kernel (gpio-sim): a watched line's requests, reconfigurations and
// releases, by anyone, arrive as records on the watching chip's fd.
import { EPOLLIN, EpollInstance } from '../../../lib';
import { GpioChip, type InfoChange } from '../../../lib/gpio';
import { SimChip } from '../../support/gpio-sim';
import { waitFor } from '../../support/wait';

let sim: SimChip;
let watcher: GpioChip;
let other: GpioChip;
beforeAll(() => {
  sim = new SimChip({ lines: 8, names: { 1: 'watched' } });
  watcher = new GpioChip(sim.path);
  other = new GpioChip(sim.path);
});
afterAll(() => {
  watcher.close();
  other.close();
  sim.remove();
});

async function changes(count: number): Promise<InfoChange[]> {
  const seen: InfoChange[] = [];
  await waitFor(() => {
    seen.push(...(watcher.readInfoChanges() ?? []));
    return seen.length >= count;
  }, `${count} info changes`);
  return seen;
}

test('a watched line reports requested, config and released, with the info after each', async () => {
  expect(watcher.watchLineInfo(1)).toMatchObject({ offset: 1, name: 'watched', used: false });
  expect(watcher.readInfoChanges()).toBeNull();
  const before = process.hrtime.bigint();
  const line = other.requestLines({ lines: [1], consumer: 'someone-else' });
  line.reconfigure({ direction: 'output', values: [1] });
  line.close();
  const seen = await changes(3);
  expect(seen.map((c) => [c.type, c.info.offset, c.info.used])).toEqual([
    ['requested', 1, true],
    ['config', 1, true],
    ['released', 1, false],
  ]);
  expect([seen[0].info.direction, seen[1].info.direction]).toEqual(['input', 'output']);
  expect(seen[0].info.consumer).toBe('someone-else');
  expect(seen[0].timestampNs).toBeGreaterThanOrEqual(before);
  expect(seen[2].timestampNs).toBeGreaterThanOrEqual(seen[0].timestampNs);
  watcher.unwatchLineInfo(1);
});

test('after unwatch, only the lines still watched report', async () => {
  watcher.watchLineInfo(2);
  watcher.watchLineInfo(3);
  watcher.unwatchLineInfo(2);
  other.requestLines({ lines: [2] }).close();
  other.requestLines({ lines: [3] }).close();
  const seen = await changes(2);
  expect(seen.map((c) => [c.type, c.info.offset])).toEqual([
    ['requested', 3],
    ['released', 3],
  ]);
  watcher.unwatchLineInfo(3);
});

test('watching a line twice, or unwatching one not watched, is EBUSY', () => {
  watcher.watchLineInfo(4);
  expect(() => watcher.watchLineInfo(4)).toThrow(expect.objectContaining({ code: 'EBUSY', syscall: 'ioctl' }));
  watcher.unwatchLineInfo(4);
  expect(() => watcher.unwatchLineInfo(4)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
});

test('the chip fd works with an EpollInstance, and infoChanges() iterates', async () => {
  watcher.watchLineInfo(5);
  const epoll = new EpollInstance({ dispatch: 'loop' });
  const seen: InfoChange[] = [];
  epoll.add(watcher.fd, EPOLLIN, () => seen.push(...(watcher.readInfoChanges() ?? [])));
  try {
    other.requestLines({ lines: [5] }).close();
    await waitFor(() => seen.length === 2, 'two changes');
  } finally {
    epoll.remove(watcher.fd);
    epoll.close();
  }
  const iterated: string[] = [];
  const loop = (async () => {
    for await (const change of watcher.infoChanges()) {
      iterated.push(change.type);
      if (iterated.length === 2) break;
    }
  })();
  other.requestLines({ lines: [5] }).close();
  await loop;
  expect([seen.map((c) => c.type), iterated]).toEqual([
    ['requested', 'released'],
    ['requested', 'released'],
  ]);
  watcher.unwatchLineInfo(5);
});
