// Model-based property test of TimerFd (see timers.ts), a quick run for every `npm test`;
// test/stress/fuzz.stress.ts runs it many more times.
import fc from 'fast-check';

import { checkTimers, timerCaseArbitrary } from './timers';

test('random start/stop/close/read of TimerFds, times down to Number.MIN_VALUE, registered in instances of both modes: the kernel counts what the model says', async () => {
  const totals = { ops: 0, expirations: 0n, handlerCalls: 0, settled: 0 };
  await fc.assert(
    fc.asyncProperty(timerCaseArbitrary, (c) => checkTimers(c, totals)),
    { numRuns: 30 },
  );
  expect(totals.settled).toBeGreaterThan(15);
  expect(totals.handlerCalls).toBeGreaterThan(0);
});
