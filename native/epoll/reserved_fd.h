#pragma once
// An eventfd of the instance's own, in its epoll set under the reserved token, so lib/ never
// dispatches it: the wait thread's wake-up, and the loop mode's nesting anchor (loop_watcher.cc).

// The eventfd (non-blocking, close-on-exec), or fd -1 with the errno and the syscall that failed.
struct ReservedFd {
  int fd;
  int err;
  const char* syscall;
};

ReservedFd AddReservedEventFd(int epfd);
