// What a call threw, for tables of error cases.

/** The error fn throws, whole; fails the test when it does not throw. */
export function errorFrom(
  fn: () => unknown,
): Error & { code?: string; syscall?: string; errno?: number; hint?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** The name and code of the error fn throws; fails the test when it does not throw. */
export function thrown(fn: () => unknown): { name: string; code: string } {
  const { name, code } = errorFrom(fn);
  return { name, code: code as string };
}

/** Just the code of what fn throws. */
export function codeOf(fn: () => unknown): string {
  return thrown(fn).code;
}
