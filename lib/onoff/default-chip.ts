// Which chip onoff's numbers mean when no `chip` option names one: the Raspberry Pi's main GPIO
// controller, found by its label, since its number differs between models and kernels (gpiochip4
// on a Pi 5 before Linux 6.6, gpiochip0 after); elsewhere gpiochip0.
import { listChips } from '../gpio/chips';

/** Labels of the Raspberry Pi's header GPIO controller: Pi 5, Pi 4, Pi 0 to 3. */
export const RASPBERRY_PI_LABELS: readonly string[] = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];

/** The path of the default chip. */
export function defaultChip(): string {
  const chips = listChips();
  for (const label of RASPBERRY_PI_LABELS) {
    const chip = chips.find((candidate) => candidate.label === label);
    if (chip !== undefined) return chip.path;
  }
  return '/dev/gpiochip0';
}
