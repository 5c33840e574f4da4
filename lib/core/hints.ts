// What an errno means when the kernel's own words are ambiguous for the call that got it. A system
// error whose syscall and code are a key here carries the text as its `hint` property and at the
// end of its message (README.md, "Errors", lists them for users).
//
// To explain another failure, add one line: 'syscall:CODE': 'what the caller should know'. The
// syscall is the name the error reports (its `syscall` property); the hint says which limit,
// permission or state it is, and where possible the sysctl or capability to look at.
const HINTS: Readonly<Record<string, string>> = {
  'epoll_ctl:EPERM': 'the fd does not support epoll (regular files and directories are always ready)',
  'epoll_ctl:ELOOP': 'adding it would nest epoll instances in a cycle or too deep',
  'epoll_ctl:ENOSPC': 'the per-user limit on epoll watches (fs.epoll.max_user_watches) is reached',
  'inotify_init1:EMFILE':
    'the per-user limit on inotify instances (fs.inotify.max_user_instances; user.max_inotify_instances in a user namespace) or the process limit on open files (ulimit -n) is reached',
  'inotify_add_watch:ENOSPC':
    'the per-user limit on inotify watches (fs.inotify.max_user_watches; user.max_inotify_watches in a user namespace) is reached',
  'pidfd_open:ESRCH': 'no such process: it has exited (and was reaped) or never existed',
  // Linux answers a thread's id with ENOENT since 6.9, with EINVAL before.
  'pidfd_open:ENOENT': 'the pid is a thread of a process, not the process itself (its thread-group leader)',
  'pidfd_open:EINVAL': 'the pid is a thread of a process, not the process itself (its thread-group leader)',
  'waitid:ECHILD':
    'the kernel gives an exit status only to the parent, before it reaps the child: this process is not its parent, or it was reaped already',
};

/** The hint for a system error from syscall with code, if its errno needs one. */
export function hintFor(syscall: string, code: string): string | undefined {
  const key = `${syscall}:${code}`;
  return Object.hasOwn(HINTS, key) ? HINTS[key] : undefined;
}
