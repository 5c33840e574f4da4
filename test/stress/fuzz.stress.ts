// The model-based properties of test/fuzz, run long: thousands of random sequences per dispatch
// mode (and some under fake timers), of nesting graphs, of ref/unref liveness runs and of TimerFd
// runs, a few hundred fresh processes for the crash and exit classes, and tens of thousands of
// hostile io/sock calls (test/fuzz/hostile.ts). A failure prints
// the shrunk case and fast-check's seed, to replay with FUZZ_SEED=<seed> (and FUZZ_PATH=<path>);
// shrunk counterexamples go to test/core/regressions.test.ts.
import fc from 'fast-check';

import { hostileProperty } from '../fuzz/hostile';
import { checkLiveness, livenessCaseArbitrary } from '../fuzz/liveness';
import { checkNesting, nestSequenceArbitrary } from '../fuzz/nesting';
import { checkInProcess, processCaseArbitrary } from '../fuzz/process';
import { checkTimers, timerCaseArbitrary } from '../fuzz/timers';
import { checkSequence, sequenceArbitrary, type RunStats } from '../fuzz/model';
import { MODES } from '../support/modes';
import { scaled } from './scale';

const RUNS = scaled(10_000);
const replay =
  process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH };

test.each([...MODES, 'mixed'] as const)(
  `${RUNS} random sequences against the model (dispatch: %s)`,
  async (dispatch) => {
    const totals: RunStats = { ops: 0, handlerCalls: 0, rejected: 0, hostile: 0 };
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary, (ops) => checkSequence(dispatch, ops, totals)),
      { numRuns: RUNS, ...replay },
    );
    // Each run did something: operations, rejected calls, and handlers that ran.
    expect(totals.ops).toBeGreaterThan(RUNS * 10);
    expect(totals.handlerCalls).toBeGreaterThan(RUNS);
    expect(totals.rejected).toBeGreaterThan(RUNS / 10);
    expect(totals.hostile).toBeGreaterThan(RUNS);
    process.stdout.write(
      `fuzz ${dispatch}: ${RUNS} runs, ${totals.ops} operations, ${totals.handlerCalls} handler calls, ${totals.rejected} rejected calls, ${totals.hostile} hostile io/sock calls\n`,
    );
  },
);

test.each([...MODES, 'mixed'] as const)(
  `${RUNS / 10} random sequences with jest's fake timers active (dispatch: %s)`,
  async (dispatch) => {
    jest.useFakeTimers();
    try {
      await fc.assert(
        fc.asyncProperty(sequenceArbitrary, (ops) => checkSequence(dispatch, ops)),
        { numRuns: RUNS / 10, ...replay },
      );
    } finally {
      jest.useRealTimers();
    }
  },
);

test(`${RUNS} random graphs of nested instances against the documented depth rule`, async () => {
  const totals = { ops: 0, nested: 0, refused: 0, dispatched: 0 };
  await fc.assert(
    fc.asyncProperty(nestSequenceArbitrary, (ops) => checkNesting(ops, totals)),
    { numRuns: RUNS, ...replay },
  );
  expect(totals.nested).toBeGreaterThan(RUNS);
  expect(totals.refused).toBeGreaterThan(RUNS / 10);
  expect(totals.dispatched).toBeGreaterThan(RUNS / 10);
  process.stdout.write(
    `fuzz nesting: ${RUNS} runs, ${totals.ops} operations, ${totals.nested} nested adds, ${totals.refused} refused, ${totals.dispatched} nested dispatches awaited\n`,
  );
});

test(`${RUNS} runs of ref'd and unref'd instances with ready fds, ref()/unref() from handlers and timers`, async () => {
  const totals = { ops: 0, handlerCalls: 0, changes: 0, deliveries: 0 };
  await fc.assert(
    fc.asyncProperty(livenessCaseArbitrary, (c) => checkLiveness(c, totals)),
    { numRuns: RUNS, ...replay },
  );
  expect(totals.changes).toBeGreaterThan(RUNS);
  expect(totals.deliveries).toBeGreaterThan(RUNS * 50);
  process.stdout.write(
    `fuzz liveness: ${RUNS} runs, ${totals.ops} operations, ${totals.changes} ref/unref, ${totals.handlerCalls} handler calls, ${totals.deliveries} awaited\n`,
  );
});

test(`${RUNS / 5} runs of TimerFds started, stopped, closed and read, registered in instances of both modes`, async () => {
  const totals = { ops: 0, expirations: 0n, handlerCalls: 0, settled: 0 };
  await fc.assert(
    fc.asyncProperty(timerCaseArbitrary, (c) => checkTimers(c, totals)),
    { numRuns: RUNS / 5, ...replay },
  );
  expect(totals.settled).toBeGreaterThan(RUNS / 5);
  expect(totals.handlerCalls).toBeGreaterThan(RUNS / 5);
  process.stdout.write(
    `fuzz timers: ${RUNS / 5} runs, ${totals.ops} operations, ${totals.settled} armed timers awaited, ${totals.handlerCalls} handler calls, ${totals.expirations} expirations read\n`,
  );
});

test(`${RUNS / 50} fresh processes: a random chain, dropped EventFds/TimerFds collected, exit after ref()/unref() from handlers and timers`, async () => {
  await fc.assert(fc.asyncProperty(processCaseArbitrary, checkInProcess), { numRuns: RUNS / 50, ...replay });
});

test(`${RUNS * 5} hostile io and sock calls against their model`, () => {
  fc.assert(hostileProperty, { numRuns: RUNS * 5, ...replay });
});
