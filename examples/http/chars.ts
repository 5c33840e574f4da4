// Byte classes of RFC 9110/9112, as one table, so that the parser's loops test one byte with one
// load and a mask instead of a chain of comparisons.

/** tchar: the bytes of a method, a field name, a transfer coding. */
export const TOKEN = 1;
/** field-vchar, SP and HTAB: the bytes of a field value (obs-text included, as RFC 9110 allows). */
export const FIELD = 2;
/** The bytes of a request-target: visible US-ASCII, no space, no obs-text. */
export const TARGET = 4;
/** HEXDIG, for chunk sizes. */
export const HEX = 8;

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;

function build(): Uint8Array {
  const table = new Uint8Array(256);
  const tokenPunctuation = "!#$%&'*+-.^_`|~";
  for (let c = 0; c < 256; c++) {
    const visible = c >= 0x21 && c <= 0x7e;
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    let bits = 0;
    if (alnum || tokenPunctuation.includes(String.fromCharCode(c))) bits |= TOKEN;
    if (visible || c >= 0x80 || c === SP || c === HTAB) bits |= FIELD;
    if (visible) bits |= TARGET;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) bits |= HEX;
    table[c] = bits;
  }
  return table;
}

export const CLASS = build();

/** The value of a HEXDIG byte. */
export function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** Whether buf[start, end) spells lower (a lowercase name), ignoring ASCII case. */
export function equalsLower(buf: Uint8Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = buf[start + i];
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function isWhitespace(c: number): boolean {
  return c === SP || c === HTAB;
}
