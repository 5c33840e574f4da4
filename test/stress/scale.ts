// Counts for the stress suite. STRESS_SCALE multiplies them all: 1 (the default) keeps the whole
// suite near 5 minutes on a 2-core machine; 10 or more makes a soak.
export const SCALE = Math.max(1, Number(process.env.STRESS_SCALE ?? 1) || 1);

export function scaled(count: number): number {
  return Math.round(count * SCALE);
}

/** A child process's time limit for work that takes about `ms` at scale 1, with room for a busy machine. */
export function timeLimit(ms: number): number {
  return ms * SCALE * 4 + 10_000;
}

/**
 * Source for child scripts: counts() gives the open fds, the threads, the resident set and the
 * size of V8's heap; settle() lets finalizers and the garbage collector run (with --expose-gc).
 */
export const MEASURE = `
const fs = require('fs');
const counts = () => ({
  fds: fs.readdirSync('/proc/self/fd').length,
  threads: fs.readdirSync('/proc/self/task').length,
  rssMB: process.memoryUsage.rss() / 2 ** 20,
  heapMB: process.memoryUsage().heapTotal / 2 ** 20,
});
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));
const settle = async () => { for (let i = 0; i < 10; i++) { globalThis.gc?.(); await turn(); } };
// Node opens /dev/null once, for the first worker, when stdout is a pipe: start one before the baseline.
const warmUpWorkers = () => new Promise((resolve) => new (require('worker_threads').Worker)('', { eval: true }).once('exit', resolve));
`;
