// What a call threw, for tables of error cases.

/** The name and code of the error fn throws; fails the test when it does not throw. */
export function thrown(fn: () => unknown): { name: string; code: string } {
  try {
    fn();
  } catch (error) {
    const e = error as Error & { code: string };
    return { name: e.name, code: e.code };
  }
  throw new Error('expected a throw');
}

/** Just the code of what fn throws. */
export function codeOf(fn: () => unknown): string {
  return thrown(fn).code;
}
