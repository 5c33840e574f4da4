#include "loop_watcher.h"

#include <unistd.h>

#include <cerrno>

#include "../core/system_error.h"
#include "reserved_fd.h"

// Weak, so the addon still loads in a Node-API runtime without libuv: the thread mode needs none
// of these, and Start() reports their absence instead of the loader failing on every mode.
#pragma weak uv_poll_init
#pragma weak uv_poll_start
#pragma weak uv_poll_stop
#pragma weak uv_close
#pragma weak uv_ref
#pragma weak uv_unref
#pragma weak uv_backend_fd

namespace {

// The kernel limits how deep epoll sets nest, counting every set above and below the one being
// added to, and refuses a deeper chain with ELOOP. libuv puts a watched fd into its own epoll set
// only at the loop's next poll, and aborts the process if the kernel refuses it then: in the
// first tick a new instance is in no set yet, so add() would accept a chain that is one level too
// deep once libuv's set is above it. Putting the epoll fd into libuv's set now, while it is still
// empty, makes the kernel count libuv's level from the start, for every epoll fd ever nested
// below, ours or not: an add() that would nest too deep is refused to its caller with ELOOP, and
// libuv's own add at its next poll meets EEXIST, which libuv expects (a fd watched before) and
// turns into a modify, which the kernel never refuses for depth. The data is the fd, as libuv's.
// Linux 5.10 counts the levels above only on the paths up from ordinary files, and checks its
// nesting limit before EEXIST: a chain of bare sets one level too deep under the loop's set is
// accepted by add(), then refused to libuv (ELOOP), which aborts. Each instance's anchor, an
// eventfd that is never ready, is such an ordinary file, so that 5.10 refuses the add() instead
// (with EINVAL), as a thread-mode instance's wake-up eventfd makes it do.
int JoinLoopEpollSet(uv_loop_t* loop, int epfd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = epfd;
  return epoll_ctl(uv_backend_fd(loop), EPOLL_CTL_ADD, epfd, &event) < 0 ? errno : 0;
}

}  // namespace

LoopWatcher* LoopWatcher::Start(Napi::Env env, EventBuffer buffer, BatchSink* sink) {
  uv_loop_t* loop = nullptr;
  if (uv_poll_init == nullptr || uv_backend_fd == nullptr ||
      napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    ThrowSystemError(env, ENOSYS, "uv_poll_init");
  }
  ReservedFd anchor = AddReservedEventFd(buffer.epfd);
  if (anchor.fd < 0) ThrowSystemError(env, anchor.err, anchor.syscall);
  LoopWatcher* self = new LoopWatcher(env, buffer, sink, anchor.fd);
  int err = uv_poll_init(loop, &self->poll_, buffer.epfd);
  if (err != 0) {
    delete self;
    ThrowSystemError(env, -err, "uv_poll_init");
  }
  self->poll_.data = self;
  // The handle closes asynchronously: this hook keeps a terminating worker's loop running until
  // OnClosed has freed it.
  napi_add_async_cleanup_hook(env, OnEnvTeardown, self, &self->teardown_hook_);
  err = uv_poll_start(&self->poll_, UV_READABLE, OnReadable);
  if (err != 0) {
    self->Stop();
    ThrowSystemError(env, -err, "uv_poll_start");
  }
  err = JoinLoopEpollSet(loop, buffer.epfd);
  if (err != 0) {
    self->Stop();
    ThrowSystemError(env, err, "epoll_ctl");
  }
  // A new instance must not hold the process open; lib/ refs it once it has registrations.
  uv_unref(reinterpret_cast<uv_handle_t*>(&self->poll_));
  return self;
}

// One batch per loop turn: a level-triggered fd that stays ready leaves the epoll fd readable, and
// the loop comes back here only after its timers, I/O and immediates have had their turn.
// A failure stops the watcher for good (libuv has stopped the handle on a bad status, and an
// epoll_wait that fails with no timeout fails again: EBADF or EINVAL, the fd was closed or
// replaced behind the instance's back), so the sink hears of it rather than the instance going
// deaf.
void LoopWatcher::OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  LoopWatcher* self = static_cast<LoopWatcher*>(handle->data);
  if (self->sink_ == nullptr) return;
  // libuv's status is -errno on Linux.
  if (status < 0) return self->sink_->Fail(self->env_, -status, "uv_poll");
  int result = DeliverReady(self->buffer_, self->sink_, self->env_);
  if (result < 0) self->sink_->Fail(self->env_, -result, "epoll_wait");
}

void LoopWatcher::SetRef(bool ref) {
  uv_handle_t* handle = reinterpret_cast<uv_handle_t*>(&poll_);
  if (ref) {
    uv_ref(handle);
  } else {
    uv_unref(handle);
  }
}

// uv_close drops the epoll fd from libuv's own interest set at once, so the caller may close the
// epoll fd as soon as this returns.
void LoopWatcher::Stop() {
  if (closing_) return;
  closing_ = true;
  sink_ = nullptr;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), OnClosed);
  // Now, not once the handle has closed: see WaitThread::Stop on creating and closing in one run.
  close(anchorfd_);
  anchorfd_ = -1;
}

LoopWatcher::~LoopWatcher() {
  if (anchorfd_ >= 0) close(anchorfd_);
}

void LoopWatcher::OnClosed(uv_handle_t* handle) {
  LoopWatcher* self = static_cast<LoopWatcher*>(handle->data);
  napi_remove_async_cleanup_hook(self->teardown_hook_);
  delete self;
}

// The Poller's own teardown hook runs first and has called Stop(); removing this hook in OnClosed
// tells the runtime that the handle is gone.
void LoopWatcher::OnEnvTeardown(napi_async_cleanup_hook_handle /*hook*/, void* self) {
  static_cast<LoopWatcher*>(self)->Stop();
}
