#include "wait_thread.h"

#include <unistd.h>

#include <csignal>
#include <cstdint>

#include "../core/system_error.h"
#include "reserved_fd.h"

namespace {

// What crosses through the thread-safe function, as one intptr_t: a batch's count (> 0), the
// wait's failure as -errno (< 0), or the wake-up the JS thread posts to its own loop (0,
// WakeLoopIfUnrefd).
constexpr intptr_t kWakeLoopItem = 0;

void* Item(intptr_t value) { return reinterpret_cast<void*>(value); }

class ScopedLock {
 public:
  explicit ScopedLock(pthread_mutex_t* mutex) : mutex_(mutex) { pthread_mutex_lock(mutex_); }
  ~ScopedLock() { pthread_mutex_unlock(mutex_); }
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;

 private:
  pthread_mutex_t* mutex_;
};

}  // namespace

WaitThread* WaitThread::Start(Napi::Env env, EventBuffer buffer, BatchSink* sink) {
  WaitThread* self = new WaitThread(buffer, sink);
  self->env_ = env;
  // lib/ would skip its event; the thread never posts it anyway, as it fires only once stopping.
  ReservedFd wake = AddReservedEventFd(buffer.epfd);
  if (wake.fd < 0) {
    delete self;
    ThrowSystemError(env, wake.err, wake.syscall);
  }
  self->wakefd_ = wake.fd;
  napi_status status = napi_create_threadsafe_function(
      env, nullptr, nullptr, Napi::String::New(env, kAsyncResourceName), 0, 1, self, Finalize, self,
      CallJs, &self->tsfn_);
  if (status != napi_ok) {
    delete self;
    // Node-API gives a status, no errno; in Node the one way this fails is the runtime running
    // out of what a thread-safe function needs (its async handle, its queue).
    ThrowSystemError(env, ENOMEM, "napi_create_threadsafe_function");
  }
  // A new instance must not hold the process open; lib/ refs it once it has registrations.
  napi_unref_threadsafe_function(env, self->tsfn_);

  // Signals belong to the JS thread: the wait thread starts with all of them blocked, so a signal
  // storm never lands here, and never makes epoll_wait return early.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int err = pthread_create(&self->thread_, nullptr, Main, self);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (err != 0) {
    // The thread-safe function now owns self and frees it in Finalize.
    napi_release_threadsafe_function(self->tsfn_, napi_tsfn_abort);
    ThrowSystemError(env, err, "pthread_create");
  }
  // So that top -H, gdb and /proc/PID/task/*/comm tell it apart from libuv's threads.
  pthread_setname_np(self->thread_, "linux-epoll");
  return self;
}

WaitThread::~WaitThread() {
  if (wakefd_ >= 0) close(wakefd_);
  pthread_cond_destroy(&released_);
  pthread_mutex_destroy(&mutex_);
}

void* WaitThread::Main(void* self) {
  static_cast<WaitThread*>(self)->Run();
  return nullptr;
}

// An epoll_wait failure other than EINTR is for good: the epoll fd was closed (EBADF) or replaced
// by another file (EINVAL) behind the instance's back, as the buffer and its size are the
// instance's own. It goes to the JS thread, which reports it and closes the instance; the thread
// ends here, so that close can join it.
void WaitThread::Run() {
  for (;;) {
    int count = epoll_wait(buffer_.epfd, buffer_.events, buffer_.max_events, -1);
    if (count < 0 && errno == EINTR) continue;
    intptr_t item = count < 0 ? -errno : count;
    {
      ScopedLock lock(&mutex_);
      if (stopping_) return;
      batch_in_flight_ = count > 0;
    }
    if (!Post(item) || count < 0 || !AwaitRelease()) return;
  }
}

// False when the runtime is closing the function: an orderly stop, as Stop aborts it. The queue
// is unbounded (napi_queue_full) and the thread holds its share until Stop joins it
// (napi_invalid_arg), so any other status is a broken runtime, and like libuv on an impossible
// error this aborts rather than let the instance go deaf.
bool WaitThread::Post(intptr_t item) {
  napi_status status = napi_call_threadsafe_function(tsfn_, Item(item), napi_tsfn_nonblocking);
  switch (status) {
    case napi_ok:
      return true;
    case napi_closing:
      return false;
    default:
      napi_fatal_error("linux-epoll", NAPI_AUTO_LENGTH, "napi_call_threadsafe_function failed",
                       NAPI_AUTO_LENGTH);
  }
}

// Polling again before JS has released the batch would overwrite the buffer it reads, and would
// flood it with the same level-triggered events. Returns false when stopping.
bool WaitThread::AwaitRelease() {
  ScopedLock lock(&mutex_);
  while (batch_in_flight_ && !stopping_) pthread_cond_wait(&released_, &mutex_);
  return !stopping_;
}

void WaitThread::CallJs(napi_env env, napi_value /*js_callback*/, void* context, void* data) {
  // A null env means the runtime is discarding queued items; the thread was joined before that.
  if (env == nullptr) return;
  WaitThread* self = static_cast<WaitThread*>(context);
  intptr_t item = reinterpret_cast<intptr_t>(data);
  if (item == kWakeLoopItem || self->sink_ == nullptr) return;
  if (item < 0) return self->sink_->Fail(env, static_cast<int>(-item), "epoll_wait");
  self->sink_->Deliver(env, static_cast<int>(item));
  self->WakeLoopIfUnrefd();
}

// While fds stay ready, the next batch is collected here, with the thread still parked; see "Why
// the hand-back is deferred" in docs/DESIGN.md.
// Returned to JS rather than delivered through the sink: a callback made from inside this JS call
// would nest an async context in the immediate's, and a worker terminated meanwhile makes Node
// clear its async stack under the immediate, which then fails as corrupted and kills the process.
int WaitThread::Release() {
  {
    ScopedLock lock(&mutex_);
    // Only the thread may poll while it is not parked.
    if (!batch_in_flight_ || stopping_) return 0;
  }
  // A failure here is left to the thread, whose own wait meets it and reports it.
  int count = epoll_wait(buffer_.epfd, buffer_.events, buffer_.max_events, 0);
  if (count > 0) {
    WakeLoopIfUnrefd();
    return count;
  }
  {
    ScopedLock lock(&mutex_);
    batch_in_flight_ = false;
  }
  pthread_cond_signal(&released_);
  return 0;
}

void WaitThread::SetRef(bool ref) {
  refed_ = ref;
  if (ref) {
    napi_ref_threadsafe_function(env_, tsfn_);
  } else {
    napi_unref_threadsafe_function(env_, tsfn_);
    WakeLoopIfUnrefd();
  }
}

// An unref'd instance's release immediate would let the loop block in its poll: the no-op item
// makes the poll return (docs/DESIGN.md, "Why the hand-back is deferred").
void WaitThread::WakeLoopIfUnrefd() {
  if (refed_ || sink_ == nullptr) return;
  {
    ScopedLock lock(&mutex_);
    if (!batch_in_flight_ || stopping_) return;
  }
  Post(kWakeLoopItem);
}

// May run inside a handler (close() from JS during dispatch), so the thread can be waiting for
// this very dispatch to finish: wake it before joining.
void WaitThread::Stop() {
  sink_ = nullptr;
  WakeForStop();
  pthread_join(thread_, nullptr);
  // Closed now, not in Finalize: that runs only once the event loop turns, and a caller that
  // creates and closes instances in one synchronous run would hold an eventfd for each (EMFILE).
  close(wakefd_);
  wakefd_ = -1;
  // Abort, not release: queued batches are for a closed instance and must never reach JS.
  napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
}

void WaitThread::WakeForStop() {
  {
    ScopedLock lock(&mutex_);
    stopping_ = true;
  }
  pthread_cond_signal(&released_);
  uint64_t one = 1;
  // The eventfd counter cannot overflow from a single write, so this write cannot fail.
  (void)!write(wakefd_, &one, sizeof one);
}

void WaitThread::Finalize(napi_env /*env*/, void* data, void* /*hint*/) {
  delete static_cast<WaitThread*>(data);
}
