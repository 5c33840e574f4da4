#include "reserved_fd.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "event_token.h"

ReservedFd AddReservedEventFd(int epfd) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return {-1, errno, "eventfd"};
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = EventToken(fd, kReservedGeneration);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) < 0) {
    int err = errno;
    close(fd);
    return {-1, err, "epoll_ctl"};
  }
  return {fd, 0, nullptr};
}
