// Model-based property test of EpollInstance (see model.ts), a quick run for every `npm test`:
// each dispatch mode alone, and instances of both modes side by side. test/stress/fuzz.stress.ts
// runs the same properties many more times. Hostile io/sock calls (hostile.ts) also run inside
// the sequences, between operations and from handlers.
import fc from 'fast-check';

import { MODES } from '../support/modes';
import { hostileProperty } from './hostile';
import { checkSequence, sequenceArbitrary } from './model';

describe.each([...MODES, 'mixed'] as const)('EpollInstance against its model (dispatch: %s)', (dispatch) => {
  test('random sequences of operations, handlers that act during dispatch, fd number reuse', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary, (ops) => checkSequence(dispatch, ops)),
      { numRuns: 100 },
    );
  });

  // The model waits on the real clock (test/support/wait.ts): a faked one must not matter.
  test("the same sequences with jest's modern fake timers active still deliver", async () => {
    jest.useFakeTimers();
    try {
      await fc.assert(
        fc.asyncProperty(sequenceArbitrary, (ops) => checkSequence(dispatch, ops)),
        { numRuns: 20 },
      );
    } finally {
      jest.useRealTimers();
    }
  });
});

test('hostile views, arrays and getters in io and sock calls move only what their model says', () => {
  fc.assert(hostileProperty, { numRuns: 1000 });
});
