// Model-based property test of nesting (see nesting.ts), a quick run for every `npm test`;
// test/stress/fuzz.stress.ts runs it many more times.
import fc from 'fast-check';

import { checkNesting, nestSequenceArbitrary } from './nesting';
import { checkInProcess, processCaseArbitrary } from './process';

test('random graphs of nested instances of both modes: each add() succeeds or is refused (ELOOP, or the code of this kernel for too deep a chain) as the documented depth rule predicts, and ready sets are dispatched', async () => {
  const totals = { ops: 0, nested: 0, refused: 0, dispatched: 0 };
  await fc.assert(
    fc.asyncProperty(nestSequenceArbitrary, (ops) => checkNesting(ops, totals)),
    { numRuns: 40 },
  );
  // The runs reached both outcomes, and settled real readiness.
  expect(totals.nested).toBeGreaterThan(40);
  expect(totals.refused).toBeGreaterThan(0);
  expect(totals.dispatched).toBeGreaterThan(0);
});

// One child process per run (see process.ts): the crash class, where an abort would end jest's
// worker instead of failing the property.
test('in a fresh process: a random chain nests as predicted, dropped EventFds/TimerFds are closed by gc, and after ref()/unref() from handlers and timers the process exits by itself', async () => {
  await fc.assert(fc.asyncProperty(processCaseArbitrary, checkInProcess), { numRuns: 3 });
});
