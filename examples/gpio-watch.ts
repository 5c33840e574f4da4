// node dist/examples/gpio-watch.js [value-file] [seconds]
//
// The `epoll` package's watch-button example, moved to linux-epoll by changing its require: prints
// "pressed" or "released" on each edge of a GPIO input, through the sysfs interface, for 30 seconds.
// The default value file is GPIO4's (pin 7 of a Raspberry Pi header). Prepare it as an interrupt
// input first:
//   echo 4 > /sys/class/gpio/export
//   echo in > /sys/class/gpio/gpio4/direction
//   echo both > /sys/class/gpio/gpio4/edge
// and afterwards: echo 4 > /sys/class/gpio/unexport
//
// sysfs signals an edge as EPOLLPRI on the value file, which stays raised until the file is read
// again from offset 0. sysfs GPIO is deprecated, and since Linux 6.6 its numbers start at 512 and
// more: on a current kernel use linux-epoll/gpio (the character device, with kernel timestamps)
// or linux-epoll/onoff; "GPIO" in the README and "From onoff" in docs/MIGRATING.md say more.
import * as fs from 'node:fs';

import { Epoll } from '../lib/compat';

const USAGE = 'usage: gpio-watch [value-file (default /sys/class/gpio/gpio4/value)] [seconds (default 30)]';

export interface InterruptWatch {
  stop(): void;
}

/** Calls onInterrupt(fd) for each EPOLLPRI event on fd, until stop(). */
export function watchInterrupts(fd: number, onInterrupt: (fd: number) => void): InterruptWatch {
  const poller = new Epoll((err, readyFd) => {
    if (err) throw err;
    onInterrupt(readyFd);
  });
  poller.add(fd, Epoll.EPOLLPRI);
  return {
    stop: () => {
      poller.remove(fd).close();
    },
  };
}

function watchButton(valuePath: string, seconds: number): void {
  const valuefd = fs.openSync(valuePath, 'r');
  const value = Buffer.alloc(1);
  // The value file starts out "changed": read it once, or the first event is no edge at all.
  fs.readSync(valuefd, value, 0, 1, 0);
  const watch = watchInterrupts(valuefd, (fd) => {
    // Reading from offset 0 also lowers EPOLLPRI until the next edge.
    fs.readSync(fd, value, 0, 1, 0);
    console.log(value.toString() === '1' ? 'pressed' : 'released');
  });
  console.log(`watching ${valuePath} for ${seconds} s`);
  setTimeout(() => {
    watch.stop();
    fs.closeSync(valuefd);
    console.log('stopped');
  }, seconds * 1000);
}

function main(args: string[]): void {
  const [valuePath = '/sys/class/gpio/gpio4/value', secondsArg = '30'] = args;
  const seconds = Number(secondsArg);
  if (args.length > 2 || !(seconds >= 0)) {
    console.error(USAGE);
    process.exit(2);
  }
  try {
    watchButton(valuePath, seconds);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const hint = code === 'ENOENT' ? ' (is the GPIO exported? see the top of examples/gpio-watch.ts)' : '';
    console.error(`gpio-watch: ${message}${hint}\n${USAGE}`);
    process.exit(1);
  }
}

if (require.main === module) main(process.argv.slice(2));
