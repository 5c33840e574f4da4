// Runs a semantic suite once per dispatch mode, so that both modes answer to the same tests.
import type { DispatchMode } from '../../lib';

export const MODES: readonly DispatchMode[] = ['thread', 'loop'];

export function describeEachMode(name: string, suite: (dispatch: DispatchMode) => void): void {
  describe.each(MODES)(`${name} (dispatch: %s)`, (dispatch) => suite(dispatch));
}
