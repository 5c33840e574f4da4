#pragma once
// An eventfd of the instance's own, in its epoll set under the reserved token, so lib/ never
// dispatches it: the wait thread's wake-up, and the loop mode's nesting anchor (loop_watcher.cc).

// The eventfd (non-blocking, close-on-exec), or -1 with errno and the failing syscall's name set.
struct ReservedFd {
  int fd;
  int err;
  const char* syscall;
};

ReservedFd AddReservedEventFd(int epfd);
