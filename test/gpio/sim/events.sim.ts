// Edge events on a real kernel (gpio-sim): edges, timestamps on both clocks, sequence numbers,
// dropped events, debounce, active-low, and both ways to wait for them: an EpollInstance handler
// (either dispatch mode) and the async iterator.
import { EPOLLIN, EpollInstance } from '../../../lib';
import type { LineEvent, LineRequest } from '../../../lib/gpio';
import { useSimChip } from '../../support/gpio-sim';
import { waitFor } from '../../support/wait';

const fixture = useSimChip({ lines: 16 });
const { request } = fixture;

/** Reads events until count have arrived. */
async function collect(line: LineRequest, count: number): Promise<LineEvent[]> {
  const events: LineEvent[] = [];
  await waitFor(() => {
    events.push(...(line.readEvents() ?? []));
    return events.length >= count;
  }, `${count} events`);
  return events;
}

// Each edge is awaited before the next is made: edges that come faster than the kernel's interrupt
// thread runs are merged into one event (for a multi-line request, with a seqno gap counted as
// dropped), so only edges that far apart are each certain to be reported.
test('both edges are reported in order, with per-request and per-line sequence numbers', async () => {
  fixture.sim.pull(0, 0);
  fixture.sim.pull(1, 0);
  const lines = request({ lines: [0, 1], edge: 'both' });
  const events: LineEvent[] = [];
  for (const [offset, level] of [
    [0, 1],
    [1, 1],
    [0, 0],
  ] as const) {
    fixture.sim.pull(offset, level);
    events.push(...(await collect(lines, 1)));
  }
  expect(
    events.map(({ offset, edge, seqno, lineSeqno, dropped }) => ({ offset, edge, seqno, lineSeqno, dropped })),
  ).toEqual([
    { offset: 0, edge: 'rising', seqno: 1, lineSeqno: 1, dropped: 0 },
    { offset: 1, edge: 'rising', seqno: 2, lineSeqno: 1, dropped: 0 },
    { offset: 0, edge: 'falling', seqno: 3, lineSeqno: 2, dropped: 0 },
  ]);
  expect(lines.readEvents()).toBeNull();
});

test('only the edges asked for are reported; active-low swaps them', async () => {
  fixture.sim.pull(2, 0);
  fixture.sim.pull(3, 0);
  const rising = request({ lines: [2], edge: 'rising' });
  const inverted = request({ lines: [3], edge: 'rising', activeLow: true });
  const risesOf2: LineEvent[] = [];
  const risesOf3: LineEvent[] = [];
  for (const level of [1, 0, 1, 0] as const) {
    fixture.sim.pull(2, level);
    fixture.sim.pull(3, level);
    // Line 2 rises with level 1; line 3, active-low, rises logically when it falls physically.
    if (level === 1) risesOf2.push(...(await collect(rising, 1)));
    else risesOf3.push(...(await collect(inverted, 1)));
  }
  // One more rise: had a fall been reported, its seqno would be past 3.
  fixture.sim.pull(2, 1);
  risesOf2.push(...(await collect(rising, 1)));
  expect(risesOf2.map((e) => [e.edge, e.seqno])).toEqual([
    ['rising', 1],
    ['rising', 2],
    ['rising', 3],
  ]);
  expect(risesOf3.map((e) => [e.edge, e.offset, e.seqno])).toEqual([
    ['rising', 3, 1],
    ['rising', 3, 2],
  ]);
});

// Never decreasing, rather than increasing: on a coarse clocksource (the test guest's is jiffies)
// two edges can share a tick.
test('monotonic timestamps fall between the clock read before the edge and after it, in order', async () => {
  fixture.sim.pull(4, 0);
  const line = request({ lines: [4], edge: 'both' });
  const before = process.hrtime.bigint();
  fixture.sim.pull(4, 1);
  const events = await collect(line, 1);
  fixture.sim.pull(4, 0);
  events.push(...(await collect(line, 1)));
  const after = process.hrtime.bigint();
  expect(events[0].timestampNs).toBeGreaterThanOrEqual(before);
  expect(events[1].timestampNs).toBeGreaterThanOrEqual(events[0].timestampNs);
  expect(events[1].timestampNs).toBeLessThanOrEqual(after);
});

test('realtime timestamps are wall-clock nanoseconds', async () => {
  fixture.sim.pull(5, 0);
  const line = request({ lines: [5], edge: 'both', eventClock: 'realtime' });
  expect(fixture.chip.lineInfo(5).eventClock).toBe('realtime');
  const before = BigInt(Date.now()) * 1_000_000n;
  fixture.sim.pull(5, 1);
  const [event] = await collect(line, 1);
  const after = BigInt(Date.now() + 1) * 1_000_000n;
  expect(event.timestampNs).toBeGreaterThanOrEqual(before);
  expect(event.timestampNs).toBeLessThanOrEqual(after);
});

test('events the full kernel buffer dropped show as seqno gaps, counted on the event and the request', async () => {
  fixture.sim.pull(6, 0);
  const line = request({ lines: [6], edge: 'both', eventBufferSize: 2 });
  for (let i = 0; i < 32; i++) fixture.sim.pull(6, (i % 2 === 0 ? 1 : 0) as 0 | 1);
  // One more edge, to a known level, read after everything before it: every event is either read or counted as dropped.
  const seen: LineEvent[] = await collect(line, 1);
  await waitFor(() => line.readEvents() === null, 'the buffer drained');
  fixture.sim.pull(6, 1);
  await waitFor(() => {
    seen.push(...(line.readEvents() ?? []));
    return seen.at(-1)!.edge === 'rising' && seen.at(-1)!.seqno > 2;
  }, 'the last edge');
  const last = seen.at(-1)!;
  expect(line.droppedEvents).toBeGreaterThan(0);
  expect(seen.reduce((sum, e) => sum + e.dropped, 0)).toBe(line.droppedEvents);
  expect(last.seqno).toBe(seen.length + line.droppedEvents);
});

test('debounce: a bouncing input gives one edge, once it is stable', async () => {
  fixture.sim.pull(7, 0);
  const line = request({ lines: [7], edge: 'both', debounceUs: 100_000 });
  expect(fixture.chip.lineInfo(7).debounceUs).toBe(100_000);
  for (const level of [1, 0, 1, 0, 1] as const) fixture.sim.pull(7, level);
  const [first] = await collect(line, 1);
  expect(first).toMatchObject({ edge: 'rising', seqno: 1 });
  fixture.sim.pull(7, 0);
  const [second] = await collect(line, 1);
  expect(second).toMatchObject({ edge: 'falling', seqno: 2, dropped: 0 });
});

test.each(['thread', 'loop'] as const)('an EpollInstance handler (%s dispatch) gets the events', async (dispatch) => {
  fixture.sim.pull(8, 0);
  const line = request({ lines: [8], edge: 'both' });
  const epoll = new EpollInstance({ dispatch });
  const events: LineEvent[] = [];
  epoll.add(line.fd, EPOLLIN, () => events.push(...(line.readEvents() ?? [])));
  try {
    fixture.sim.pull(8, 1);
    await waitFor(() => events.length === 1, 'the rising edge');
    fixture.sim.pull(8, 0);
    await waitFor(() => events.length === 2, 'the falling edge');
    expect(events.map((e) => e.edge)).toEqual(['rising', 'falling']);
  } finally {
    epoll.remove(line.fd);
    epoll.close();
  }
});

test('the async iterator yields each event, and ends when the request closes', async () => {
  fixture.sim.pull(9, 0);
  const line = fixture.chip.requestLines({ lines: [9], edge: 'both' });
  const edges: string[] = [];
  const loop = (async () => {
    for await (const event of line.events()) {
      edges.push(event.edge);
      if (edges.length === 3) line.close();
    }
  })();
  for (const level of [1, 0, 1] as const) {
    fixture.sim.pull(9, level);
    await waitFor(() => edges.length > 0 && edges.at(-1) === (level === 1 ? 'rising' : 'falling'), 'the edge');
  }
  await loop;
  expect(edges).toEqual(['rising', 'falling', 'rising']);
  expect(line.closed).toBe(true);
});

test('breaking out of the iterator unregisters the fd: a second iterator can start', async () => {
  fixture.sim.pull(10, 0);
  const line = request({ lines: [10], edge: 'both' });
  const unused = line.events();
  expect(() => line.events()).toThrow(/an iterator is active/);
  await unused.return!();
  fixture.sim.pull(10, 1);
  for await (const event of line.events()) {
    expect(event.edge).toBe('rising');
    break;
  }
  fixture.sim.pull(10, 0);
  const iterator = line.events();
  expect((await iterator.next()).value).toMatchObject({ edge: 'falling' });
  await iterator.return!();
});
