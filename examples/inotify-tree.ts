// npm run example:inotify -- DIR: watches DIR and every directory below it, and prints each change
// as it happens, renames paired by cookie. A directory made later is watched too. When the kernel's
// queue overflows, events were lost: it says so, and watches the tree afresh. Stops on SIGINT/SIGTERM.
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  EPOLLIN,
  EpollInstance,
  IN_ATTRIB,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_IGNORED,
  IN_ISDIR,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_Q_OVERFLOW,
  Inotify,
  pairRenames,
  type InotifyEvent,
} from '../lib';

const MASK = IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF;
const WHAT: [number, string][] = [
  [IN_CREATE, 'created'],
  [IN_DELETE, 'deleted'],
  [IN_CLOSE_WRITE, 'written'],
  [IN_ATTRIB, 'attributes changed'],
  [IN_MOVED_FROM, 'moved out'],
  [IN_MOVED_TO, 'moved in'],
];

const root = path.resolve(process.argv[2] ?? '.');
const epoll = new EpollInstance({ dispatch: 'auto' });
const inotify = new Inotify({ overflow: 'event' });
// Each watch's directory, relative to root.
const dirs = new Map<number, string>();

// A directory made after the watch above it may have entries already, made before its own watch
// was in place: those are reported as created (found), so that nothing goes unseen.
function watchTree(dir: string, reportFound = false): void {
  let entries: fs.Dirent[];
  try {
    dirs.set(inotify.watch(path.join(root, dir), MASK), dir);
    entries = fs.readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return; // Gone again already, or not a directory any more.
  }
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    if (reportFound) console.log(`created (found): ${child}${entry.isDirectory() ? '/' : ''}`);
    if (entry.isDirectory()) watchTree(child, reportFound);
  }
}

function pathOf(event: InotifyEvent): string {
  return path.join(dirs.get(event.wd) ?? '?', event.name) || '.';
}

function print(event: InotifyEvent): void {
  if (event.mask & IN_Q_OVERFLOW) {
    console.log('overflow: the kernel dropped events; watching the tree afresh');
    watchTree('');
    return;
  }
  if (event.mask & IN_IGNORED) return void dirs.delete(event.wd);
  const what = WHAT.find(([bit]) => event.mask & bit)?.[1];
  if (what === undefined) return;
  const isDir = (event.mask & IN_ISDIR) !== 0;
  // A new directory is watched before it is reported, so that what is made in it next is seen.
  if (isDir && event.mask & (IN_CREATE | IN_MOVED_TO)) watchTree(pathOf(event), true);
  console.log(`${what}: ${pathOf(event)}${isDir ? '/' : ''}`);
}

// The kernel queues a rename's IN_MOVED_FROM and IN_MOVED_TO one after the other, not at once, so
// a read can take the first alone (inotify(7)). One left unpaired at the end of what the fd held
// waits for the next events, or for this long, before it is printed as moved out.
const RENAME_WAIT_MS = 10;
let held: InotifyEvent | undefined;
let heldTimer: NodeJS.Timeout | undefined;

function printHeld(): void {
  if (held !== undefined) print(held);
  held = undefined;
}

function handle(events: InotifyEvent[]): void {
  clearTimeout(heldTimer);
  const items = pairRenames(held === undefined ? events : [held, ...events]);
  held = undefined;
  const last = items.at(-1);
  if (last !== undefined && !('from' in last) && last.mask & IN_MOVED_FROM) {
    held = items.pop() as InotifyEvent;
    heldTimer = setTimeout(printHeld, RENAME_WAIT_MS);
  }
  for (const item of items) {
    if (!('from' in item)) print(item);
    else {
      console.log(`renamed: ${pathOf(item.from)} -> ${pathOf(item.to)}`);
      if (item.to.mask & IN_ISDIR) watchTree(pathOf(item.to));
    }
  }
}

epoll.add(inotify.fd, EPOLLIN, () => {
  const events: InotifyEvent[] = [];
  for (let read = inotify.read(); read !== null; read = inotify.read()) events.push(...read);
  handle(events);
});

watchTree('');
console.log(`watching ${dirs.size} directories under ${root}`);

const stop = (): void => {
  clearTimeout(heldTimer);
  printHeld();
  epoll.close();
  inotify.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
