#include "owned_fd.h"

#include <unistd.h>

#include <cerrno>

Napi::Function OwnedFd::Define(Napi::Env env) {
  return DefineClass(env, "OwnedFd", {InstanceMethod<&OwnedFd::Close>("close")});
}

OwnedFd::OwnedFd(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<OwnedFd>(info),
      env_(info.Env()),
      fd_(info[0].As<Napi::Number>().Int32Value()) {
  napi_add_env_cleanup_hook(env_, OnEnvTeardown, this);
}

// Runs from the garbage collector's finalizer, or at teardown after the hook: nobody is left to
// hear of a failure.
OwnedFd::~OwnedFd() { CloseFd(); }

Napi::Value OwnedFd::Close(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), CloseFd());
}

void OwnedFd::OnEnvTeardown(void* self) { static_cast<OwnedFd*>(self)->CloseFd(); }

// Linux releases the fd even when close() reports EINTR, so that is no failure, and retrying could
// close a reused number.
int OwnedFd::CloseFd() {
  if (fd_ < 0) return 0;
  int result = close(fd_);
  int error = errno;
  fd_ = -1;
  napi_remove_env_cleanup_hook(env_, OnEnvTeardown, this);
  return result < 0 && error != EINTR ? -error : 0;
}
