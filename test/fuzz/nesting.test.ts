// Model-based property test of nesting (see nesting.ts), a quick run for every `npm test`;
// test/stress/fuzz.stress.ts runs it many more times.
import fc from 'fast-check';

import { checkNesting, nestSequenceArbitrary } from './nesting';

test('random graphs of nested instances of both modes: each add() succeeds or throws ELOOP as the documented depth rule predicts, and ready sets are dispatched', async () => {
  const totals = { ops: 0, nested: 0, refused: 0, dispatched: 0 };
  await fc.assert(fc.asyncProperty(nestSequenceArbitrary, (ops) => checkNesting(ops, totals)), { numRuns: 40 });
  // The runs reached both outcomes, and settled real readiness.
  expect(totals.nested).toBeGreaterThan(40);
  expect(totals.refused).toBeGreaterThan(4);
  expect(totals.dispatched).toBeGreaterThan(4);
});
