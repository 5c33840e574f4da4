// The raw native binding and its types. Nothing here validates: lib/ checks every argument before
// it crosses, and native functions report kernel failures as a negative errno.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NativePoller {
  /** epoll_ctl; the event's data carries fd and generation. Returns 0 or -errno. */
  ctl(op: number, fd: number, events: number, generation: number): number;
  /** Whether the instance keeps the event loop and itself alive. */
  setActive(active: boolean): void;
  /** Stops the event source and closes the epoll fd. Idempotent. */
  close(): void;
  readonly fd: number;
  /** Where epoll_wait writes each batch: struct epoll_event[maxEvents]. */
  readonly buffer: ArrayBuffer;
}

export interface EventLayout {
  /** 32-bit words per struct epoll_event. */
  stride: number;
  events: number;
  fd: number;
  generation: number;
}

export interface Binding {
  constants: Record<string, number>;
  eventLayout: EventLayout;
  Poller: new (maxEvents: number, loopMode: boolean, onBatch: (count: number) => void) => NativePoller;
  pipe(out: Int32Array): number;
  socketpair(out: Int32Array): number;
  read(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number): number;
  write(fd: number, view: ArrayBufferView, byteOffset: number, byteLength: number): number;
  close(fd: number): number;
  eventfd(initval: number, semaphore: boolean): number;
}

// The package root holds binding.gyp, whether this file runs from lib/ or from dist/lib/.
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'binding.gyp'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('linux-epoll: cannot find the package root (binding.gyp)');
    dir = parent;
  }
  return dir;
}

function load(): Binding {
  if (process.platform !== 'linux') {
    throw new Error(`linux-epoll requires Linux: epoll is a Linux kernel interface (this is ${process.platform})`);
  }
  // node-gyp-build prefers a local build/ and otherwise picks the matching prebuilt binary.
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  return nodeGypBuild(packageRoot()) as Binding;
}

export const binding: Binding = load();
