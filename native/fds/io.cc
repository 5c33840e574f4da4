#include "io.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../core/exports.h"
#include "../core/syscall_helpers.h"

namespace {

// Fills out[0], out[1] with the two new fds; returns 0 or -errno. out is checked before the fds
// are made, so a caller's wrong buffer costs no fd.
Napi::Value FdPair(const Napi::CallbackInfo& info, int (*make)(int fds[2])) {
  int32_t* out = Int32Out(info, 0, 2);
  if (out == nullptr) return Refused(info.Env(), EFAULT);
  int fds[2];
  int result = make(fds);
  if (result == 0) std::memcpy(out, fds, sizeof(fds));
  return ResultValue(info.Env(), result);
}

int MakePipe(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }

int MakeSocketPair(int fds[2]) {
  return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
}

Napi::Value Pipe(const Napi::CallbackInfo& info) { return FdPair(info, MakePipe); }
Napi::Value SocketPair(const Napi::CallbackInfo& info) { return FdPair(info, MakeSocketPair); }

// read(fd, view, byteOffset, byteLength): bytes read or -errno; -EFAULT for a range outside the
// view.
Napi::Value Read(const Napi::CallbackInfo& info) {
  ByteSpan range;
  if (!ViewRange(info, 1, &range)) return Refused(info.Env(), EFAULT);
  int fd = IntArg(info, 0);
  return ResultValue(info.Env(), RetryingEintr([&] { return read(fd, range.data, range.size); }));
}

// write(fd, view, byteOffset, byteLength): bytes written or -errno; -EFAULT for a range outside the
// view.
Napi::Value Write(const Napi::CallbackInfo& info) {
  ByteSpan range;
  if (!ViewRange(info, 1, &range)) return Refused(info.Env(), EFAULT);
  int fd = IntArg(info, 0);
  return ResultValue(info.Env(), RetryingEintr([&] { return write(fd, range.data, range.size); }));
}

// Linux releases the fd even when close() reports EINTR, so retrying could close a reused number.
Napi::Value Close(const Napi::CallbackInfo& info) {
  int result = close(IntArg(info, 0));
  return Napi::Number::New(info.Env(), result < 0 && errno != EINTR ? -errno : 0);
}

}  // namespace

Napi::Object IoFamily(Napi::Env env) {
  return Family(env, {
                         {"pipe", Pipe},
                         {"socketpair", SocketPair},
                         {"read", Read},
                         {"write", Write},
                         {"close", Close},
                     });
}
