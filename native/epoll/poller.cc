#include "poller.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../core/exports.h"
#include "../core/system_error.h"
#include "event_token.h"
#include "loop_watcher.h"
#include "wait_thread.h"

// As unsigned 32-bit numbers: EPOLLET is 2147483648 on every architecture.
Napi::Object EpollFamily(Napi::Env env) {
  Napi::Object family = Napi::Object::New(env);
  family.Set("constants", NumberTable(env, {
                                               {"EPOLLIN", EPOLLIN},
                                               {"EPOLLPRI", EPOLLPRI},
                                               {"EPOLLOUT", EPOLLOUT},
                                               {"EPOLLERR", EPOLLERR},
                                               {"EPOLLHUP", EPOLLHUP},
                                               {"EPOLLRDNORM", EPOLLRDNORM},
                                               {"EPOLLRDBAND", EPOLLRDBAND},
                                               {"EPOLLWRNORM", EPOLLWRNORM},
                                               {"EPOLLWRBAND", EPOLLWRBAND},
                                               {"EPOLLMSG", EPOLLMSG},
                                               {"EPOLLRDHUP", EPOLLRDHUP},
                                               {"EPOLLEXCLUSIVE", EPOLLEXCLUSIVE},
                                               {"EPOLLWAKEUP", EPOLLWAKEUP},
                                               {"EPOLLONESHOT", EPOLLONESHOT},
                                               {"EPOLLET", EPOLLET},
                                               {"EPOLL_CTL_ADD", EPOLL_CTL_ADD},
                                               {"EPOLL_CTL_MOD", EPOLL_CTL_MOD},
                                               {"EPOLL_CTL_DEL", EPOLL_CTL_DEL},
                                           }));
  family.Set("Poller", Poller::Define(env));
  return family;
}

Napi::Function Poller::Define(Napi::Env env) {
  return DefineClass(
      env, "Poller",
      {
          InstanceMethod<&Poller::Ctl>("ctl"),
          InstanceMethod<&Poller::SetActive>("setActive"),
          InstanceMethod<&Poller::Release>("release"),
          InstanceMethod<&Poller::Close>("close"),
          InstanceAccessor<&Poller::GetFd>("fd"),
          InstanceAccessor<&Poller::GetBuffer>("buffer"),
          StaticValue("eventLayout", EventLayout(env), napi_enumerable),
          StaticValue("maxEvents", Napi::Number::New(env, kMaxEvents), napi_enumerable),
      });
}

Poller::Poller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poller>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  // lib/ validates maxEvents for its messages; this bound keeps a direct caller of the binding from
  // sizing the buffer negative or huge, which V8 would answer by aborting the process.
  double requested = info[0].As<Napi::Number>().DoubleValue();
  if (!(requested >= 1 && requested <= kMaxEvents) || requested != static_cast<int>(requested)) {
    throw Napi::RangeError::New(env, "maxEvents must be an integer from 1 to 65536");
  }
  int max_events = static_cast<int>(requested);
  bool loop_mode = info[1].ToBoolean();
  on_batch_ = Napi::Reference<Napi::Function>::New(info[2].As<Napi::Function>(), 0);

  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, max_events * sizeof(epoll_event));
  js_buffer_ = Napi::Persistent(buffer);

  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) ThrowSystemError(env, errno, "epoll_create1");
  buffer_ = {epfd_, static_cast<epoll_event*>(buffer.Data()), max_events};

  // A fresh resource, held by the Poller's object: see "What is held weakly" in docs/DESIGN.md.
  if (info[3].ToBoolean()) {
    Napi::Object resource = Napi::Object::New(env);
    info.This().As<Napi::Object>().DefineProperty(
        Napi::PropertyDescriptor::Value("asyncResource", resource));
    napi_async_init(env, resource, Napi::String::New(env, kAsyncResourceName), &async_context_);
  }
  try {
    source_ = StartSource(env, loop_mode);
  } catch (...) {
    close(epfd_);
    epfd_ = -1;
    DestroyAsyncContext();
    throw;
  }
  // Registered after the source, because hooks run newest first: the source must be stopped
  // before the runtime tears down what the source relies on (its thread-safe function).
  napi_add_env_cleanup_hook(env, OnEnvTeardown, this);
}

Poller::~Poller() { Shutdown(); }

EventSource* Poller::StartSource(Napi::Env env, bool loop_mode) {
  if (loop_mode) return LoopWatcher::Start(env, buffer_, this);
  return WaitThread::Start(env, buffer_, this);
}

// The one crossing into JS per batch: onBatch(count) reads the events from the shared buffer.
void Poller::Deliver(napi_env env, int count) {
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[1];
  napi_create_int32(env, count, &argv[0]);
  Call(env, 1, argv);
  napi_close_handle_scope(env, scope);
}

// onBatch(-errno, syscall): see "Failures" in docs/DESIGN.md.
void Poller::Fail(napi_env env, int err, const char* syscall) {
  // From epoll_wait these mean the number is no epoll fd any more; libuv's EBADF means only that
  // the kernel reported an error on it.
  if (std::strcmp(syscall, "epoll_wait") == 0 && (err == EBADF || err == EINVAL))
    owns_epfd_ = false;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[2];
  napi_create_int32(env, -err, &argv[0]);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &argv[1]);
  Call(env, 2, argv);
  napi_close_handle_scope(env, scope);
}

void Poller::Call(napi_env env, size_t argc, const napi_value* argv) {
  napi_value on_batch = nullptr;
  napi_get_reference_value(env, on_batch_, &on_batch);
  if (on_batch == nullptr) return;
  // Deno writes the result without checking the pointer.
  napi_value result;
  napi_status status =
      async_context_ == nullptr
          ? napi_call_function(env, on_batch, on_batch, argc, argv, &result)
          : napi_make_callback(env, async_context_, on_batch, on_batch, argc, argv, &result);
  // A handler's exception must reach 'uncaughtException' like any Node callback's; neither a
  // uv callback nor a thread-safe function would report it on their own.
  if (status == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

// ctl(op, fd, events, generation): 0 or -errno.
Napi::Value Poller::Ctl(const Napi::CallbackInfo& info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  int fd = info[1].As<Napi::Number>().Int32Value();
  epoll_event event{};
  event.events = info[2].As<Napi::Number>().Uint32Value();
  event.data.u64 = EventToken(fd, info[3].As<Napi::Number>().Uint32Value());
  return Napi::Number::New(info.Env(), ResultOrErrno(epoll_ctl(epfd_, op, fd, &event)));
}

// setActive(active): an active instance keeps the event loop and its own JS object alive.
Napi::Value Poller::SetActive(const Napi::CallbackInfo& info) {
  bool active = info[0].ToBoolean();
  if (active != active_ && source_ != nullptr) {
    active_ = active;
    if (active) {
      on_batch_.Ref();
    } else {
      on_batch_.Unref();
    }
    source_->SetRef(active);
  }
  return info.Env().Undefined();
}

// release(): the count of a batch already in the buffer, for lib/ to dispatch now, or 0.
Napi::Value Poller::Release(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), source_ == nullptr ? 0 : source_->Release());
}

Napi::Value Poller::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

Napi::Value Poller::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), epfd_);
}

Napi::Value Poller::GetBuffer(const Napi::CallbackInfo& /*info*/) { return js_buffer_.Value(); }

void Poller::OnEnvTeardown(void* self) { static_cast<Poller*>(self)->Shutdown(); }

// Idempotent. Stops the source first so that nothing waits on or writes into what is closed next.
void Poller::Shutdown() {
  if (epfd_ < 0) return;
  source_->Stop();
  source_ = nullptr;
  if (owns_epfd_) close(epfd_);
  epfd_ = -1;
  if (active_) {
    // The C call: a cleanup hook or a finalizer can run this (see addon.cc).
    napi_reference_unref(env_, on_batch_, nullptr);
    active_ = false;
  }
  napi_remove_env_cleanup_hook(env_, OnEnvTeardown, this);
  DestroyAsyncContext();
}

void Poller::DestroyAsyncContext() {
  if (async_context_ == nullptr) return;
  napi_async_destroy(env_, async_context_);
  async_context_ = nullptr;
}
