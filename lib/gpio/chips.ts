// The machine's GPIO chips: /dev/gpiochipN, found by listing /dev, opened by path, name or label.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { invalidArgType } from '../core/errors';
import { GpioChip, type ChipInfo } from './chip';

const DEV = '/dev';
const CHIP_NAME = /^gpiochip(\d+)$/;

export interface ChipSummary extends ChipInfo {
  path: string;
}

export interface LineLocation {
  /** The chip's path. */
  chip: string;
  offset: number;
}

function chipPaths(): string[] {
  return fs
    .readdirSync(DEV)
    .filter((entry) => CHIP_NAME.test(entry))
    .sort((a, b) => Number(CHIP_NAME.exec(a)![1]) - Number(CHIP_NAME.exec(b)![1]))
    .map((entry) => path.join(DEV, entry));
}

function withChip<T>(chipPath: string, use: (chip: GpioChip) => T): T {
  const chip = new GpioChip(chipPath);
  try {
    return use(chip);
  } finally {
    chip.close();
  }
}

/** Every chip, in number order. Opens each briefly: a chip this process may not open throws (EACCES). */
export function listChips(): ChipSummary[] {
  return chipPaths().map((chipPath) =>
    withChip(chipPath, ({ name, label, lines }) => ({ path: chipPath, name, label, lines })),
  );
}

/**
 * Opens a chip: `id` is a path ('/dev/gpiochip4'), a name ('gpiochip4') or a label
 * ('pinctrl-rp1'). An unknown one is an ENOENT error.
 */
export function openChip(id: string): GpioChip {
  if (typeof id !== 'string') throw invalidArgType('id', 'of type string', id);
  if (id.includes('/')) return new GpioChip(id);
  if (CHIP_NAME.test(id)) return new GpioChip(path.join(DEV, id));
  const found = listChips().find((chip) => chip.label === id);
  if (found === undefined) {
    throw Object.assign(new Error(`ENOENT: no GPIO chip is labelled '${id}'`), { code: 'ENOENT', syscall: 'open' });
  }
  return new GpioChip(found.path);
}

/** Where the line of that name is: the first chip (in number order) that has it, or null. */
export function findLine(name: string): LineLocation | null {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  for (const chipPath of chipPaths()) {
    const offset = withChip(chipPath, (chip) => chip.findLine(name));
    if (offset !== null) return { chip: chipPath, offset };
  }
  return null;
}
