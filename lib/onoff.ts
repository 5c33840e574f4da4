// linux-epoll/onoff's entry: onoff's Gpio class on the GPIO character device (./onoff/gpio). See
// "From onoff" in docs/MIGRATING.md. Off Linux it loads all the same, as onoff does, with a Gpio
// whose `accessible` is false and whose constructor throws: code that checks Gpio.accessible to
// fall back to a mock (a common pattern with onoff) keeps working on a developer's Mac.
import './core/disposable';
import type { Gpio as GpioClass } from './onoff/gpio';

export type { BinaryValue, Direction, Edge, High, Low, Options, ValueCallback } from './onoff/gpio';

class UnavailableGpio {
  static readonly HIGH = 1;
  static readonly LOW = 0;

  static get accessible(): boolean {
    return false;
  }

  constructor() {
    throw Object.assign(new Error(`linux-epoll/onoff: GPIO needs Linux (this is ${process.platform})`), {
      code: 'ERR_GPIO_UNAVAILABLE',
    });
  }
}

function load(): typeof GpioClass {
  if (process.platform === 'linux') return (require('./onoff/gpio') as typeof import('./onoff/gpio')).Gpio;
  return UnavailableGpio as unknown as typeof GpioClass;
}

export const Gpio = load();
export type Gpio = GpioClass;
