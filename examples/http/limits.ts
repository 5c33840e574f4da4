// The server's limits, checked once when it starts: a bad one is a RangeError with a code, as
// lib/ reports its own options, before anything is opened.

export interface ParserLimits {
  /** The request line and header section, CRLFs included; a longer head is refused with 431. Default 8 KiB, at most 1 MiB. */
  maxHeadBytes?: number;
  /** Header fields per request; more is refused with 431. Default 100, at most 10,000. */
  maxHeaders?: number;
  /** Body bytes, after de-chunking; more is refused with 413. Default 1 MiB; 0 refuses any body. */
  maxBodyBytes?: number;
}

/** The limits with their defaults; throws a RangeError (code ERR_OUT_OF_RANGE) for a bad one. */
export function resolveLimits(limits: ParserLimits = {}): Required<ParserLimits> {
  return {
    maxHeadBytes: limit(limits.maxHeadBytes, 'maxHeadBytes', 16, 1 << 20, 8 * 1024),
    maxHeaders: limit(limits.maxHeaders, 'maxHeaders', 1, 10_000, 100),
    maxBodyBytes: limit(limits.maxBodyBytes, 'maxBodyBytes', 0, 0x7fffffff, 1 << 20),
  };
}

/** A limit as given, or its default; anything but an integer in [min, max] is a RangeError. */
export function limit(value: number | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    const error = new RangeError(
      `The value of "options.${name}" is out of range. It must be an integer from ${min} to ${max}. Received ${String(value)}`,
    );
    throw Object.assign(error, { code: 'ERR_OUT_OF_RANGE' });
  }
  return value;
}
