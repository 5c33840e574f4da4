#pragma once
#include <napi.h>

// One fd that a JS object owns: closed by close(), when the object is collected, or when its
// environment (a worker) is torn down, whichever comes first, and never twice: once closed, a
// number the kernel hands out again belongs to someone else.
class OwnedFd : public Napi::ObjectWrap<OwnedFd> {
 public:
  static Napi::Function Define(Napi::Env env);

  // new OwnedFd(fd): takes fd over.
  explicit OwnedFd(const Napi::CallbackInfo& info);
  ~OwnedFd() override;

 private:
  // close(): 0 or -errno. Idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info);

  int CloseFd();
  static void OnEnvTeardown(void* self);

  napi_env env_;
  int fd_;
};
