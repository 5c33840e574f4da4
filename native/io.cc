#include "io.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "system_error.h"

namespace {

// The bytes of any ArrayBufferView; lib/ has checked the type and the range.
uint8_t* ViewBytes(napi_env env, napi_value view) {
  void* data = nullptr;
  bool is_typed_array = false;
  napi_is_typedarray(env, view, &is_typed_array);
  if (is_typed_array) {
    napi_get_typedarray_info(env, view, nullptr, nullptr, &data, nullptr, nullptr);
  } else {
    napi_get_dataview_info(env, view, nullptr, &data, nullptr, nullptr);
  }
  return static_cast<uint8_t*>(data);
}

int Int(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

Napi::Value Result(Napi::Env env, long result) { return Napi::Number::New(env, ResultOrErrno(result)); }

// A signal arriving during a transfer is no failure of the caller's; Node's own fs retries too.
template <typename Transfer>
long Retrying(Transfer transfer) {
  long result;
  do {
    result = transfer();
  } while (result < 0 && errno == EINTR);
  return result;
}

// Fills out[0], out[1] with the two new fds; returns 0 or -errno.
Napi::Value FdPair(const Napi::CallbackInfo& info, int (*make)(int fds[2])) {
  Napi::Int32Array out = info[0].As<Napi::Int32Array>();
  int fds[2];
  int result = make(fds);
  if (result == 0) {
    out[size_t{0}] = fds[0];
    out[size_t{1}] = fds[1];
  }
  return Result(info.Env(), result);
}

int MakePipe(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }

int MakeSocketPair(int fds[2]) {
  return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
}

Napi::Value Pipe(const Napi::CallbackInfo& info) { return FdPair(info, MakePipe); }
Napi::Value SocketPair(const Napi::CallbackInfo& info) { return FdPair(info, MakeSocketPair); }

// read(fd, view, byteOffset, byteLength): bytes read or -errno.
Napi::Value Read(const Napi::CallbackInfo& info) {
  uint8_t* bytes = ViewBytes(info.Env(), info[1]);
  int fd = Int(info, 0), offset = Int(info, 2), length = Int(info, 3);
  return Result(info.Env(), Retrying([&] { return read(fd, bytes + offset, length); }));
}

// write(fd, view, byteOffset, byteLength): bytes written or -errno.
Napi::Value Write(const Napi::CallbackInfo& info) {
  uint8_t* bytes = ViewBytes(info.Env(), info[1]);
  int fd = Int(info, 0), offset = Int(info, 2), length = Int(info, 3);
  return Result(info.Env(), Retrying([&] { return write(fd, bytes + offset, length); }));
}

// Linux releases the fd even when close() reports EINTR, so retrying could close a reused number.
Napi::Value Close(const Napi::CallbackInfo& info) {
  int result = close(Int(info, 0));
  return Napi::Number::New(info.Env(), result < 0 && errno != EINTR ? -errno : 0);
}

// eventfd(initval, semaphore): the new fd or -errno.
Napi::Value EventFd(const Napi::CallbackInfo& info) {
  unsigned int initval = info[0].As<Napi::Number>().Uint32Value();
  int flags = EFD_CLOEXEC | EFD_NONBLOCK | (info[1].ToBoolean() ? EFD_SEMAPHORE : 0);
  return Result(info.Env(), eventfd(initval, flags));
}

}  // namespace

void InitIo(Napi::Env env, Napi::Object exports) {
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("socketpair", Napi::Function::New(env, SocketPair, "socketpair"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("eventfd", Napi::Function::New(env, EventFd, "eventfd"));
}
