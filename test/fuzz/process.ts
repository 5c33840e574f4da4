// The crash and exit classes, one fresh node process per property run (too slow for the other
// families, which run in-process): what would abort shows as the child's signal, what would hang
// as its timeout. Each run
//   - nests a chain of 1 to 7 instances of random modes, bottom-up, in the first tick after their
//     creation or later: the depth reached and the refusal must be what README's rule predicts;
//   - drops EventFds and TimerFds (started or not, registered in an instance or not) without
//     closing them: after gc (the child runs with --expose-gc) their fds must leave /proc/self/fd;
//   - gives every instance an always-ready fd, then issues ref()/unref() from handlers and timers,
//     the last one an unref(): the process must then exit by itself, nothing closed.
import fc from 'fast-check';

import type { DispatchMode } from '../../lib';
import { runScript } from '../support/child';
import { MODES } from '../support/modes';
import { isNestingRefusal } from '../support/nesting';
import { EP_MAX_NESTS, TOO_DEEP, kernelCountsLevelsAbove } from './nesting';

interface Drop {
  timer: boolean;
  start: { delayMs: number; intervalMs: number } | null;
  registerIn: number | null;
}

interface Step {
  kind: 'ref' | 'unref';
  from: 'handler' | 'timer';
}

export interface ProcessCase {
  modes: DispatchMode[];
  tickFirst: boolean;
  drops: Drop[];
  steps: Step[][];
}

const step = fc.record({
  kind: fc.constantFrom('ref' as const, 'unref' as const),
  from: fc.constantFrom('handler' as const, 'timer' as const),
});
export const processCaseArbitrary: fc.Arbitrary<ProcessCase> = fc
  .record({
    modes: fc.array(fc.constantFrom(...MODES), { minLength: 1, maxLength: 7 }),
    tickFirst: fc.boolean(),
    drops: fc.array(
      fc.record({
        timer: fc.boolean(),
        start: fc.option(
          fc.record({ delayMs: fc.constantFrom(Number.MIN_VALUE, 0.001, 1), intervalMs: fc.constantFrom(0, 1e-9, 1) }),
        ),
        registerIn: fc.option(fc.nat(6)),
      }),
      { maxLength: 6 },
    ),
    steps: fc.array(fc.array(step, { maxLength: 4 }), { minLength: 7, maxLength: 7 }),
  })
  // Each instance's last step lets go of the process.
  .map((c) => ({ ...c, steps: c.steps.map((s) => [...s, { kind: 'unref' as const, from: s[0]?.from ?? 'handler' }]) }));

/** The depth the chain reaches and the refusal's code, by the rule the nesting model checks. */
function predictedChain(modes: readonly DispatchMode[]): { depth: number; code: string | null } {
  for (let i = 1; i < modes.length; i++) {
    const above = kernelCountsLevelsAbove() && modes[i] === 'loop' ? 1 : 0;
    if (above + 1 + (i - 1) > EP_MAX_NESTS) return { depth: i, code: TOO_DEEP };
  }
  return { depth: modes.length, code: null };
}

const SCRIPT = `
  const fs = require('node:fs');
  const { EpollInstance, EventFd, TimerFd, EPOLLIN } = LINUX_EPOLL;
  const turn = () => new Promise((resolve) => setTimeout(resolve, 2)).then(() => new Promise((resolve) => setImmediate(resolve)));
  (async () => {
    const chain = CASE.modes.map((dispatch) => new EpollInstance({ dispatch }));
    if (CASE.tickFirst) await turn();
    let depth = chain.length, code = null;
    for (let i = 1; i < chain.length; i++) {
      try { chain[i].add(chain[i - 1].fd, EPOLLIN, () => {}); } catch (error) { depth = i; code = error.code; break; }
    }
    // Made in a function that returns only their numbers: nothing keeps the objects.
    const dropped = (() => CASE.drops.map((d) => {
      const file = d.timer ? new TimerFd() : new EventFd(1);
      if (d.timer && d.start) file.start(d.start.delayMs, d.start.intervalMs);
      if (d.registerIn !== null) chain[d.registerIn % chain.length].add(file.fd, EPOLLIN, () => {});
      return file.fd;
    }))();
    const open = () => dropped.filter((fd) => fs.existsSync('/proc/self/fd/' + fd));
    for (let i = 0; i < 200 && open().length > 0; i++) { gc(); await turn(); }
    const leaked = open();
    const ready = new EventFd(1);
    let changes = 0;
    chain.forEach((ep, i) => {
      const steps = CASE.steps[i];
      let onCall = () => {};
      const next = () => {
        const s = steps.shift();
        if (s === undefined) return;
        const act = () => { ep[s.kind](); changes++; next(); };
        if (s.from === 'timer') { onCall = () => {}; setTimeout(act, 1); } else onCall = () => { onCall = () => {}; act(); };
      };
      ep.add(ready.fd, EPOLLIN, () => onCall());
      next();
    });
    process.on('exit', () => console.log(JSON.stringify({ depth, code, leaked, changes })));
  })();`;

/** Runs the case in a child: it must exit by itself, cleanly, with what the model predicts. */
export async function checkInProcess(c: ProcessCase): Promise<void> {
  const result = await runScript(`const CASE = ${JSON.stringify(c)};\n${SCRIPT}`, {
    args: ['--expose-gc'],
    timeoutMs: 15000,
  });
  const seen = { signal: result.signal, code: result.code, stderr: result.stderr };
  if (JSON.stringify(seen) !== JSON.stringify({ signal: null, code: 0, stderr: '' }))
    throw new Error(`child ended ${JSON.stringify(seen)}, stdout ${result.stdout}`);
  const { changes, ...seenOutcome } = JSON.parse(result.stdout) as { changes: number; code: string | null };
  const outcome = { ...seenOutcome, code: isNestingRefusal(seenOutcome.code) ? TOO_DEEP : seenOutcome.code };
  const expected = { ...predictedChain(c.modes), leaked: [] };
  if (JSON.stringify(outcome) !== JSON.stringify(expected))
    throw new Error(`child: ${JSON.stringify(outcome)}, expected ${JSON.stringify(expected)}`);
  // An instance holds the process until its own first unref(), which its steps reach; once all
  // are unref'd, the process may end before the steps left.
  const steps = c.steps.slice(0, c.modes.length);
  const least = steps.reduce((sum, s) => sum + s.findIndex((x) => x.kind === 'unref') + 1, 0);
  const most = steps.reduce((sum, s) => sum + s.length, 0);
  if (!(changes >= least && changes <= most))
    throw new Error(`child made ${changes} ref/unref changes, not ${least} to ${most}`);
}
