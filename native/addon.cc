// linux-epoll's native half: syscalls, the wait thread and the crossing into JS. Everything that
// judges JS values lives in lib/.
#include <napi.h>
#include <sys/epoll.h>

#include <cstddef>

#include "io.h"
#include "poller.h"
#include "sock.h"
#include "timerfd.h"

namespace {

// Kernel values as unsigned 32-bit numbers: EPOLLET is 2147483648 on every architecture.
void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object constants = Napi::Object::New(env);
  auto set = [&](const char* name, uint32_t value) { constants.Set(name, Napi::Number::New(env, value)); };
  set("EPOLLIN", EPOLLIN);
  set("EPOLLPRI", EPOLLPRI);
  set("EPOLLOUT", EPOLLOUT);
  set("EPOLLERR", EPOLLERR);
  set("EPOLLHUP", EPOLLHUP);
  set("EPOLLRDNORM", EPOLLRDNORM);
  set("EPOLLRDBAND", EPOLLRDBAND);
  set("EPOLLWRNORM", EPOLLWRNORM);
  set("EPOLLWRBAND", EPOLLWRBAND);
  set("EPOLLMSG", EPOLLMSG);
  set("EPOLLRDHUP", EPOLLRDHUP);
  set("EPOLLEXCLUSIVE", EPOLLEXCLUSIVE);
  set("EPOLLWAKEUP", EPOLLWAKEUP);
  set("EPOLLONESHOT", EPOLLONESHOT);
  set("EPOLLET", EPOLLET);
  set("EPOLL_CTL_ADD", EPOLL_CTL_ADD);
  set("EPOLL_CTL_MOD", EPOLL_CTL_MOD);
  set("EPOLL_CTL_DEL", EPOLL_CTL_DEL);
  exports.Set("constants", constants);
}

// Where lib/ finds each event's fields in the batch buffer, in 32-bit words. struct epoll_event is
// packed (12 bytes) on x86-64 and padded (16 bytes) elsewhere; the data word order is the host's.
void InitEventLayout(Napi::Env env, Napi::Object exports) {
  constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  constexpr uint32_t kData = offsetof(epoll_event, data) / 4;
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("stride", Napi::Number::New(env, sizeof(epoll_event) / 4));
  layout.Set("events", Napi::Number::New(env, offsetof(epoll_event, events) / 4));
  layout.Set("fd", Napi::Number::New(env, kLittleEndian ? kData : kData + 1));
  layout.Set("generation", Napi::Number::New(env, kLittleEndian ? kData + 1 : kData));
  exports.Set("eventLayout", layout);
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
  }
};

}  // namespace

NODE_API_ADDON(LinuxEpoll)
