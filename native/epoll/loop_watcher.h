#pragma once
#include <napi.h>
#include <uv.h>

#include "event_source.h"

// The fast dispatch mode: the epoll fd is itself pollable, so the event loop of the JS thread that
// owns the instance watches it, and epoll_wait(..., 0) runs on that thread with no thread hop.
// It needs libuv from the runtime, which Node provides; Start() fails cleanly where it is missing.
class LoopWatcher : public EventSource {
 public:
  static LoopWatcher* Start(Napi::Env env, EventBuffer buffer, BatchSink* sink);

  ~LoopWatcher() override;
  void SetRef(bool ref) override;
  void Stop() override;

 private:
  LoopWatcher(napi_env env, EventBuffer buffer, BatchSink* sink, int anchorfd)
      : env_(env), buffer_(buffer), sink_(sink), anchorfd_(anchorfd) {}

  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnClosed(uv_handle_t* handle);
  static void OnEnvTeardown(napi_async_cleanup_hook_handle hook, void* self);

  napi_env env_;
  EventBuffer buffer_;
  BatchSink* sink_;
  // In the instance's set so that every kernel counts the loop's level (loop_watcher.cc).
  int anchorfd_;
  uv_poll_t poll_{};
  napi_async_cleanup_hook_handle teardown_hook_ = nullptr;
  bool closing_ = false;
};
