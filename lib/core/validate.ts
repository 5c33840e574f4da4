// Validation of values that cross from user code. Each check throws Node's documented error and
// returns the value in the form native code expects.
import { invalidArgType, invalidArgValue, outOfRange } from './errors';

const { isArray } = Array;

const MAX_FD = 0x7fffffff;

export function validateInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(name, `an integer >= ${min} && <= ${max}`, value);
  }
  return value;
}

export function validateFd(value: unknown, name = 'fd'): number {
  return validateInteger(value, name, 0, MAX_FD);
}

/**
 * An event mask: any integer from -2^31 to 2^32-1, read as a 32-bit pattern, so that
 * `EPOLLIN | EPOLLET` (negative in JS) and `EPOLLET` (2147483648) mean the same bit.
 */
export function validateEventMask(value: unknown, known: number, name = 'events'): number {
  const mask = validateInteger(value, name, -0x80000000, 0xffffffff) >>> 0;
  const unknown = (mask & ~known) >>> 0;
  if (unknown !== 0) {
    throw invalidArgValue(RangeError, name, value, `has unknown event bits 0x${unknown.toString(16)}`);
  }
  return mask;
}

export function validateFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}

export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
  return value;
}

/** A required object argument, whose properties the caller then validates one by one. */
export function validateObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgType(name, 'of type object', value);
  }
  return value as Record<string, unknown>;
}

/** An optional options object: undefined is {}. */
export function validateOptions(value: unknown, name = 'options'): Record<string, unknown> {
  return value === undefined ? {} : validateObject(value, name);
}

export function validateOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidArgValue(TypeError, name, value, `must be one of: ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/**
 * The user's array copied into one of lib/'s own: its length and each element read exactly once (a
 * getter or a Proxy trap runs here, and only here), so that checks made on the copy stay true.
 */
export function copyArray(value: unknown, name: string, max: number): unknown[] {
  if (!isArray(value)) throw invalidArgType(name, 'an instance of Array', value);
  // A Proxy of an array may answer anything for its length.
  const length: unknown = value.length;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > max) {
    throw outOfRange(`${name}.length`, `an integer >= 0 && <= ${max}`, length);
  }
  const copy: unknown[] = [];
  for (let i = 0; i < length; i++) copy[i] = value[i];
  return copy;
}
