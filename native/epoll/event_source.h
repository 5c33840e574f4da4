#pragma once
#include <node_api.h>
#include <sys/epoll.h>

// The async resource name of everything an instance makes: its async context and its thread-safe
// function, as async_hooks and diagnostics show them.
constexpr char kAsyncResourceName[] = "EpollInstance";

// The two dispatch modes differ only in who notices that the epoll fd has events. Everything else
// (the batch buffer, the crossing into JS, the stale-event rules in lib/) is shared through these.

// Where a filled batch goes. Called on the JS thread that owns the instance.
class BatchSink {
 public:
  virtual void Deliver(napi_env env, int count) = 0;
  // The source met an error it cannot recover from (err > 0, an errno) and delivers nothing more.
  virtual void Fail(napi_env env, int err, const char* syscall) = 0;

 protected:
  ~BatchSink() = default;
};

// What a batch is filled into: the events array that JS sees as the Poller's ArrayBuffer, and the
// epoll fd whose epoll_wait fills it.
struct EventBuffer {
  int epfd;
  epoll_event* events;
  int max_events;
};

// Fills the batch with what is ready now, without waiting, and hands it to the sink. Returns the
// count handed over, 0 when nothing is ready, or -errno when epoll_wait failed (it cannot meet
// EINTR with no timeout): then nothing was handed over, and the caller reports or defers it.
inline int DeliverReady(const EventBuffer& buffer, BatchSink* sink, napi_env env) {
  int count = epoll_wait(buffer.epfd, buffer.events, buffer.max_events, 0);
  if (count < 0) return -errno;
  if (count > 0) sink->Deliver(env, count);
  return count;
}

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Whether the source keeps the event loop (and so the process or worker) alive.
  virtual void SetRef(bool ref) = 0;
  // JS has let the last batch go: the source may fill the buffer again. Returns the count of a
  // batch it filled at once, for JS to dispatch on return (never through the sink: JS is below this
  // call), or 0. See "Why the hand-back is deferred" in docs/DESIGN.md.
  virtual int Release() { return 0; }
  // After Stop returns, the sink is never called again and nothing touches the batch buffer. The
  // source frees itself once the runtime has let go of it.
  virtual void Stop() = 0;
};
