// Model-based property test of EpollInstance (see model.ts), a quick run for every `npm test`.
// test/stress/fuzz.stress.ts runs the same property many more times.
import fc from 'fast-check';

import { describeEachMode } from '../support/modes';
import { checkSequence, sequenceArbitrary } from './model';

describeEachMode('EpollInstance against its model', (dispatch) => {
  test('random sequences of operations, handlers that act during dispatch, fd number reuse', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArbitrary, (ops) => checkSequence(dispatch, ops)),
      { numRuns: 150 },
    );
  });
});
