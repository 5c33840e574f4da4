#include "tun.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "../core/exports.h"
#include "../core/syscall_helpers.h"

namespace {

// The only flags lib/ asks for: the kernel takes more (IFF_VNET_HDR, IFF_NAPI, ...), whose packet
// layouts lib/ does not read.
constexpr int kKnownFlags = IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;

// open(): a non-blocking, close-on-exec fd of /dev/net/tun, not yet attached, or -errno.
Napi::Value Open(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(), RetryingEintr([] {
                       return open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
                     }));
}

// setIff(fd, name, flags, nameOut): TUNSETIFF, 0 or -errno. name is the interface name's bytes
// without a NUL (empty: the kernel picks one); nameOut, at least IFNAMSIZ bytes, gets the name the
// kernel gave, NUL-terminated. A name that cannot fit with its NUL, or one that holds a NUL, is
// -EINVAL, as the kernel would say; a view that is none, or a short nameOut, is -EFAULT. Both are
// checked before the ioctl, so a refused call leaves the fd unattached.
Napi::Value SetIff(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteSpan name, out;
  if (!ViewSpan(env, info[1], &name) || !ViewSpan(env, info[3], &out) || out.size < IFNAMSIZ)
    return Refused(env, EFAULT);
  int flags = IntArg(info, 2);
  // An empty view may have no data pointer at all, which memchr and memcpy must not be given.
  bool has_nul = name.size > 0 && std::memchr(name.data, 0, name.size) != nullptr;
  if (name.size >= IFNAMSIZ || has_nul || (flags & ~kKnownFlags) != 0) return Refused(env, EINVAL);
  ifreq request;
  std::memset(&request, 0, sizeof(request));
  if (name.size > 0) std::memcpy(request.ifr_name, name.data, name.size);
  request.ifr_flags = static_cast<short>(flags);
  int fd = IntArg(info, 0);
  long result = RetryingEintr([&] { return ioctl(fd, TUNSETIFF, &request); });
  if (result == 0) std::memcpy(out.data, request.ifr_name, IFNAMSIZ);
  return ResultValue(env, result);
}

}  // namespace

Napi::Object TunFamily(Napi::Env env) {
  Napi::Object family = Family(env, {{"open", Open}, {"setIff", SetIff}});
  family.Set("constants", NumberTable(env, {
                                               {"IFF_TUN", IFF_TUN},
                                               {"IFF_TAP", IFF_TAP},
                                               {"IFF_NO_PI", IFF_NO_PI},
                                               {"IFF_MULTI_QUEUE", IFF_MULTI_QUEUE},
                                               {"IFNAMSIZ", IFNAMSIZ},
                                           }));
  return family;
}
