#pragma once
#include <napi.h>
#include <pthread.h>

#include <cstdint>

#include "event_source.h"

// The portable dispatch mode: a native thread blocks in epoll_wait and hands a batch to the JS
// thread through a thread-safe function; while fds stay ready, the JS thread collects the next
// batches itself (Release) and the thread sleeps. It needs nothing but Node-API.
class WaitThread : public EventSource {
 public:
  static WaitThread* Start(Napi::Env env, EventBuffer buffer, BatchSink* sink);

  void SetRef(bool ref) override;
  int Release() override;
  void Stop() override;

 private:
  WaitThread(EventBuffer buffer, BatchSink* sink) : buffer_(buffer), sink_(sink) {}
  ~WaitThread() override;

  static void* Main(void* self);
  void Run();
  bool Post(intptr_t item);
  bool AwaitRelease();
  void WakeForStop();
  void WakeLoopIfUnrefd();
  static void CallJs(napi_env env, napi_value js_callback, void* context, void* data);
  static void Finalize(napi_env env, void* data, void* hint);

  EventBuffer buffer_;
  BatchSink* sink_;  // JS thread only; null once stopped
  int wakefd_ = -1;
  napi_env env_ = nullptr;
  napi_threadsafe_function tsfn_ = nullptr;
  pthread_t thread_{};
  bool refed_ = false;  // JS thread only

  // pthread's own, not std::condition_variable: g++ 12 binds that one's wait() to GLIBCXX_3.4.30,
  // and prebuilt binaries would then need a libstdc++ from 2022 (docs/RELEASE.md, baseline).
  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t released_ = PTHREAD_COND_INITIALIZER;
  bool batch_in_flight_ = false;  // posted to the JS thread and not released yet
  bool stopping_ = false;
};
