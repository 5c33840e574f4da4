// gpio-sim chips for the guest tests (scripts/kernel/run-in-vm.sh --kernel 6.12-gpiosim): made
// through configfs, driven through the sim's sysfs attributes: an input's level by writing `pull`,
// an output's level read back from `value`. Each chip is removed again by remove().
import * as fs from 'node:fs';
import * as path from 'node:path';

import { GpioChip, type LineRequest, type LineRequestOptions } from '../../lib/gpio';

const CONFIGFS = '/sys/kernel/config/gpio-sim';
let made = 0;

export interface SimChipOptions {
  lines?: number;
  /** The bank's label; default the device's own name. */
  label?: string;
  names?: Record<number, string>;
  /** Lines held by the kernel: consumer name and direction. */
  hogs?: Record<number, { name: string; direction: 'input' | 'output-high' | 'output-low' }>;
}

export class SimChip {
  readonly dir: string;
  /** /dev/gpiochipN */
  readonly path: string;
  readonly chipName: string;
  readonly label: string;
  readonly #lines: string;
  readonly #made: string[] = [];

  constructor(options: SimChipOptions = {}) {
    this.dir = path.join(CONFIGFS, `sim${process.pid}x${made++}`);
    const bank = path.join(this.dir, 'bank0');
    this.#mkdir(this.dir);
    this.#mkdir(bank);
    fs.writeFileSync(path.join(bank, 'num_lines'), String(options.lines ?? 8));
    this.label = options.label ?? path.basename(this.dir);
    fs.writeFileSync(path.join(bank, 'label'), this.label);
    const offsets = new Set([...Object.keys(options.names ?? {}), ...Object.keys(options.hogs ?? {})]);
    for (const offset of offsets) {
      const line = path.join(bank, `line${offset}`);
      this.#mkdir(line);
      const name = options.names?.[Number(offset)];
      if (name !== undefined) fs.writeFileSync(path.join(line, 'name'), name);
      const hog = options.hogs?.[Number(offset)];
      if (hog !== undefined) {
        this.#mkdir(path.join(line, 'hog'));
        fs.writeFileSync(path.join(line, 'hog', 'name'), hog.name);
        fs.writeFileSync(path.join(line, 'hog', 'direction'), hog.direction);
      }
    }
    fs.writeFileSync(path.join(this.dir, 'live'), '1');
    this.chipName = fs.readFileSync(path.join(bank, 'chip_name'), 'utf8').trim();
    this.path = `/dev/${this.chipName}`;
    const device = fs.readFileSync(path.join(this.dir, 'dev_name'), 'utf8').trim();
    this.#lines = `/sys/devices/platform/${device}/${this.chipName}`;
  }

  /** Drives an input from outside, as a pull resistor would. */
  pull(offset: number, level: 0 | 1): void {
    fs.writeFileSync(`${this.#lines}/sim_gpio${offset}/pull`, level === 1 ? 'pull-up' : 'pull-down');
  }

  /** The line's physical level as the sim sees it (an output's driven level). */
  value(offset: number): 0 | 1 {
    return fs.readFileSync(`${this.#lines}/sim_gpio${offset}/value`, 'utf8').trim() === '1' ? 1 : 0;
  }

  /** The chip's base in the sysfs GPIO numbering. */
  sysfsBase(): number {
    for (const entry of fs.readdirSync('/sys/class/gpio')) {
      if (!entry.startsWith('gpiochip')) continue;
      const dir = path.join('/sys/class/gpio', entry);
      if (fs.readFileSync(path.join(dir, 'label'), 'utf8').trim() === this.label) {
        return Number(fs.readFileSync(path.join(dir, 'base'), 'utf8'));
      }
    }
    throw new Error(`sysfs GPIO has no chip labelled ${this.label}`);
  }

  remove(): void {
    fs.writeFileSync(path.join(this.dir, 'live'), '0');
    for (const dir of this.#made.reverse()) fs.rmdirSync(dir);
  }

  #mkdir(dir: string): void {
    fs.mkdirSync(dir);
    this.#made.push(dir);
  }
}

export interface SimFixture {
  readonly sim: SimChip;
  /** The sim chip, open. */
  readonly chip: GpioChip;
  /** chip.requestLines(options), released after the test. */
  request(options: LineRequestOptions): LineRequest;
}

/** A sim chip for a test file, made before its tests and removed after them. */
export function useSimChip(options: SimChipOptions): SimFixture {
  let sim: SimChip | undefined;
  let chip: GpioChip | undefined;
  let held: LineRequest[] = [];
  beforeAll(() => {
    sim = new SimChip(options);
    chip = new GpioChip(sim.path);
  });
  afterEach(() => {
    for (const request of held) request.close();
    held = [];
  });
  afterAll(() => {
    chip?.close();
    sim?.remove();
  });
  return {
    get sim() {
      return sim!;
    },
    get chip() {
      return chip!;
    },
    request(requestOptions) {
      const made = chip!.requestLines(requestOptions);
      held.push(made);
      return made;
    },
  };
}
