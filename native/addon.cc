// linux-epoll's native half: syscalls, the wait thread and the crossing into JS. Everything that
// judges JS values lives in lib/.
#include <napi.h>
#include <sys/epoll.h>

#include <cstddef>

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

// Where lib/ finds each event's fields in the batch buffer, in 32-bit words. struct epoll_event is
// packed (12 bytes) on x86-64 and padded (16 bytes) elsewhere; the data word order is the host's.
void InitEventLayout(Napi::Env env, Napi::Object exports) {
  constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  constexpr uint32_t kData = offsetof(epoll_event, data) / 4;
  exports.Set("eventLayout", NumberTable(env, {
      {"stride", sizeof(epoll_event) / 4},
      {"events", offsetof(epoll_event, events) / 4},
      {"fd", kLittleEndian ? kData : kData + 1},
      {"generation", kLittleEndian ? kData + 1 : kData},
  }));
}

class LinuxEpoll : public Napi::Addon<LinuxEpoll> {
 public:
  LinuxEpoll(Napi::Env env, Napi::Object exports) {
    InitConstants(env, exports);
    InitEventLayout(env, exports);
    InitIo(env, exports);
    InitSock(env, exports);
    InitTimerFd(env, exports);
    exports.Set("Poller", Poller::Define(env));
    exports.Set("OwnedFd", OwnedFd::Define(env));
  }
};

}  // namespace

NODE_API_ADDON(LinuxEpoll)
