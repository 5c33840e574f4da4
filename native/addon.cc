// linux-epoll's native half: syscalls, the wait thread and the crossing into JS. Everything that
// judges JS values lives in lib/.
#include <napi.h>
#include <sys/epoll.h>

#include "io.h"
#include "number_table.h"
#include "owned_fd.h"
#include "poller.h"
#include "sock.h"
#include "timerfd.h"

namespace {

// Kernel values as unsigned 32-bit numbers: EPOLLET is 2147483648 on every architecture.
void InitConstants(Napi::Env env, Napi::Object exports) {
  exports.Set("constants", NumberTable(env, {
      {"EPOLLIN", EPOLLIN},
      {"EPOLLPRI", EPOLLPRI},
      {"EPOLLOUT", EPOLLOUT},
      {"EPOLLERR", EPOLLERR},
      {"EPOLLHUP", EPOLLHUP},
      {"EPOLLRDNORM", EPOLLRDNORM},
      {"EPOLLRDBAND", EPOLLRDBAND},
      {"EPOLLWRNORM", EPOLLWRNORM},
      {"EPOLLWRBAND", EPOLLWRBAND},
      {"EPOLLMSG", EPOLLMSG},
      {"EPOLLRDHUP", EPOLLRDHUP},
      {"EPOLLEXCLUSIVE", EPOLLEXCLUSIVE},
      {"EPOLLWAKEUP", EPOLLWAKEUP},
      {"EPOLLONESHOT", EPOLLONESHOT},
      {"EPOLLET", EPOLLET},
      {"EPOLL_CTL_ADD", EPOLL_CTL_ADD},
      {"EPOLL_CTL_MOD", EPOLL_CTL_MOD},
      {"EPOLL_CTL_DEL", EPOLL_CTL_DEL},
  }));
}

class LinuxEpoll : public Napi::Addon<LinuxEpoll> {
 public:
  LinuxEpoll(Napi::Env env, Napi::Object exports) {
    InitConstants(env, exports);
    InitIo(env, exports);
    InitSock(env, exports);
    InitTimerFd(env, exports);
    exports.Set("Poller", Poller::Define(env));
    exports.Set("OwnedFd", OwnedFd::Define(env));
  }
};

}  // namespace

NODE_API_ADDON(LinuxEpoll)
