// Model-based property test of liveness under unref (see liveness.ts), a quick run for every
// `npm test`; test/stress/fuzz.stress.ts runs it many more times.
import fc from 'fast-check';

import { checkLiveness, livenessCaseArbitrary } from './liveness';

test("ref'd and unref'd instances of both modes, ref()/unref() from handlers and timers: every ready fd keeps being dispatched at full rate", async () => {
  const totals = { ops: 0, handlerCalls: 0, changes: 0, deliveries: 0 };
  await fc.assert(
    fc.asyncProperty(livenessCaseArbitrary, (c) => checkLiveness(c, totals)),
    { numRuns: 30 },
  );
  expect(totals.changes).toBeGreaterThan(10);
  expect(totals.deliveries).toBeGreaterThan(0);
});
