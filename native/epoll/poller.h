#pragma once
#include <napi.h>

#include "event_source.h"

// The epoll family: its kernel numbers, and the Poller class.
Napi::Object EpollFamily(Napi::Env env);

// The native half of an EpollInstance: the epoll fd, the batch buffer shared with JS, and the event
// source that fills it. JS-facing methods return 0 or -errno; lib/ owns every policy decision.
class Poller : public Napi::ObjectWrap<Poller>, public BatchSink {
 public:
  static Napi::Function Define(Napi::Env env);
  // The largest batch: 65536 events of 12 or 16 bytes, a buffer of at most 1 MiB.
  static constexpr int kMaxEvents = 65536;

  // new Poller(maxEvents, loopMode, onBatch, asyncContext): with asyncContext, handlers run in the
  // async context of the Poller's creation.
  explicit Poller(const Napi::CallbackInfo& info);
  ~Poller() override;

  void Deliver(napi_env env, int count) override;
  void Fail(napi_env env, int err, const char* syscall) override;

 private:
  Napi::Value Ctl(const Napi::CallbackInfo& info);
  Napi::Value SetActive(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetBuffer(const Napi::CallbackInfo& info);

  EventSource* StartSource(Napi::Env env, bool loop_mode);
  void Call(napi_env env, size_t argc, const napi_value* argv);
  void Shutdown();
  void DestroyAsyncContext();
  static void OnEnvTeardown(void* self);

  napi_env env_;
  int epfd_ = -1;
  // False once the number is no longer the epoll fd (closed or replaced behind the instance's
  // back): closing it then would close whatever file has the number now.
  bool owns_epfd_ = true;
  EventBuffer buffer_{};
  EventSource* source_ = nullptr;
  bool active_ = false;
  Napi::Reference<Napi::ArrayBuffer> js_buffer_;
  // Weak unless the instance is active (docs/DESIGN.md, "What is held weakly").
  Napi::FunctionReference on_batch_;
  // None where the runtime's AsyncLocalStorage cannot see it anyway (see lib/core/runtime.ts).
  napi_async_context async_context_ = nullptr;
};
