// What an errno means when the kernel's own words are ambiguous for the call that got it. A system
// error whose syscall and code are a key here carries the text as its `hint` property and at the
// end of its message (README.md, "Errors", lists them for users).
//
// To explain another failure, add one line: 'syscall:CODE': 'what the caller should know'. The
// syscall is the name the error reports (its `syscall` property), or, where that name is as
// general as open or ioctl, the operation the caller passed to systemError (an ioctl's request,
// a device's path); the hint says which limit, permission or state it is, and where possible the
// sysctl or capability to look at.
const TUN_NEEDS_CAP_NET_ADMIN =
  'creating or attaching a TUN/TAP interface needs CAP_NET_ADMIN in its network namespace (run as root, or grant it: setcap cap_net_admin+ep)';

const HINTS: Readonly<Record<string, string>> = {
  'epoll_ctl:EEXIST': 'the fd is already registered here, by add() or by an await (one owner per fd)',
  'epoll_ctl:EPERM': 'the fd does not support epoll (regular files and directories are always ready)',
  'epoll_ctl:ELOOP': 'adding it would nest epoll instances in a cycle or too deep',
  // 5.10 refuses too deep a chain with EINVAL where its sets watch ordinary files (docs/KERNELS.md).
  'epoll_ctl:EINVAL':
    'the fd is this instance itself, or EPOLLEXCLUSIVE was asked for an epoll fd, or (on kernels such as 5.10) adding it would nest epoll instances too deep',
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
  '/dev/net/tun:EACCES':
    'this user may not open /dev/net/tun (its mode is usually 0600 or 0666, owned by root); creating an interface also needs CAP_NET_ADMIN',
  '/dev/net/tun:EPERM': TUN_NEEDS_CAP_NET_ADMIN,
  'TUNSETIFF:EPERM': TUN_NEEDS_CAP_NET_ADMIN,
  'TUNSETIFF:EBUSY': 'the interface is attached to another fd already; every fd must ask for multiQueue to share it',
  'TUNSETIFF:EINVAL':
    'an interface of that name exists with another mode or multiQueue setting, or is no TUN/TAP interface, or the name is not one the kernel takes',
};

/** The hint for a system error from an operation (its syscall, or what the call did) with code, if its errno needs one. */
export function hintFor(operation: string, code: string): string | undefined {
  const key = `${operation}:${code}`;
  return Object.hasOwn(HINTS, key) ? HINTS[key] : undefined;
}
