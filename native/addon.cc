// linux-epoll's native half, one object per family, each defined beside its syscalls. Everything
// that judges JS values lives in lib/; lib/core/binding.ts types each family.
//
// The layering rule for all of native/: code that runs with no JS frame below it (uv callbacks,
// thread-safe function calls, cleanup hooks, finalizers, the wait thread) uses the C API
// (node_api.h) and never throws, since there is no caller to catch; code called from JS (methods,
// constructors, the functions of a family) uses node-addon-api and may throw.
#include <napi.h>

#include "epoll/poller.h"
#include "fds/counter_fd.h"
#include "fds/inotify.h"
#include "fds/io.h"
#include "fds/pid_fd.h"
#include "gpio/gpio.h"
#include "net/sock.h"
#include "net/tun.h"

namespace {

class LinuxEpoll : public Napi::Addon<LinuxEpoll> {
 public:
  LinuxEpoll(Napi::Env env, Napi::Object exports) {
    exports.Set("epoll", EpollFamily(env));
    exports.Set("io", IoFamily(env));
    exports.Set("counterFd", CounterFdFamily(env));
    exports.Set("sock", SockFamily(env));
    exports.Set("tun", TunFamily(env));
    exports.Set("pidFd", PidFdFamily(env));
    exports.Set("inotify", InotifyFamily(env));
    exports.Set("gpio", GpioFamily(env));
  }
};

}  // namespace

NODE_API_ADDON(LinuxEpoll)
