// Reading the kernel's GPIO records: fixed-size structs in host byte order, their strings
// NUL-terminated within a fixed field. Offsets come from the header, through native's layout table.
import * as os from 'node:os';

import { binding } from '../core/binding';

export const layout = binding.gpio.layout;
export const uapi = binding.gpio.constants;

const LITTLE_ENDIAN = os.endianness() === 'LE';

export class RecordReader {
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  u32(at: number): number {
    return this.#view.getUint32(at, LITTLE_ENDIAN);
  }

  u64(at: number): bigint {
    return this.#view.getBigUint64(at, LITTLE_ENDIAN);
  }

  /** Flags words: every uAPI flag is below bit 32, so the low word holds them all. */
  flags(at: number): number {
    return this.u32(at + (LITTLE_ENDIAN ? 0 : 4));
  }

  /** A char[MAX_NAME_SIZE] field: its bytes up to the first NUL. */
  string(at: number): string {
    const field = this.bytes.subarray(at, at + uapi.MAX_NAME_SIZE);
    const end = field.indexOf(0);
    return Buffer.from(field.buffer, field.byteOffset, end < 0 ? field.length : end).toString('utf8');
  }
}
