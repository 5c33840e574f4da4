// Waiting on real kernel events without fixed sleeps: poll a condition across macrotasks.
import * as timers from 'node:timers';

import { bound } from './slowdown';

// Captured at load, before any test fakes time (jest.useFakeTimers() replaces the globals, Date
// included): a wait under fake timers must still be bounded by the real clock.
const { setImmediate, setTimeout } = timers;
const now = Date.now;

export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How far count() moved in each of the next `turns` turns of the event loop. */
export async function countPerTurn(count: () => number, turns: number): Promise<number[]> {
  const perTurn: number[] = [];
  for (let before = count(); perTurn.length < turns;) {
    await nextMacrotask();
    perTurn.push(count() - before);
    before = count();
  }
  return perTurn;
}

export async function waitFor(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const timeoutMs = bound(limitMs);
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * Calls a non-blocking call until it stops answering null (would block). For loopback, where the
 * kernel finishes the other side within a few syscalls: synchronous, and bounded, so a test fails
 * instead of hanging its worker.
 */
export function untilReady<T>(call: () => T | null, what: string, limitMs = 5000): T {
  const timeoutMs = bound(limitMs);
  const deadline = now() + timeoutMs;
  for (;;) {
    const result = call();
    if (result !== null) return result;
    if (now() > deadline) throw new Error(`${what} still would block after ${timeoutMs} ms`);
  }
}
