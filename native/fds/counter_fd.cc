#include "counter_fd.h"

#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "../core/exports.h"
#include "../core/owned_fd.h"
#include "../core/syscall_helpers.h"

namespace {

// eventfd(initval, semaphore): the new fd or -errno.
Napi::Value EventFd(const Napi::CallbackInfo& info) {
  unsigned int initval = info[0].As<Napi::Number>().Uint32Value();
  int flags = EFD_CLOEXEC | EFD_NONBLOCK | (info[1].ToBoolean() ? EFD_SEMAPHORE : 0);
  return ResultValue(info.Env(), eventfd(initval, flags));
}

// timerfdCreate(clock): a non-blocking, close-on-exec timerfd or -errno.
Napi::Value TimerFdCreate(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(), timerfd_create(IntArg(info, 0), TFD_NONBLOCK | TFD_CLOEXEC));
}

timespec Timespec(const Napi::CallbackInfo& info, size_t i) {
  return {static_cast<time_t>(info[i].As<Napi::Number>().Int64Value()), IntArg(info, i + 1)};
}

// timerfdSettime(fd, firstSeconds, firstNanoseconds, intervalSeconds, intervalNanoseconds):
// 0 or -errno. A zero first expiration disarms the timer.
Napi::Value TimerFdSettime(const Napi::CallbackInfo& info) {
  itimerspec spec{Timespec(info, 3), Timespec(info, 1)};
  return ResultValue(info.Env(), timerfd_settime(IntArg(info, 0), 0, &spec, nullptr));
}

}  // namespace

Napi::Object CounterFdFamily(Napi::Env env) {
  Napi::Object family = Family(env, {
                                        {"eventfd", EventFd},
                                        {"timerfdCreate", TimerFdCreate},
                                        {"timerfdSettime", TimerFdSettime},
                                    });
  family.Set("timerClocks", NumberTable(env, {
                                                 {"monotonic", CLOCK_MONOTONIC},
                                                 {"realtime", CLOCK_REALTIME},
                                                 {"boottime", CLOCK_BOOTTIME},
                                             }));
  family.Set("OwnedFd", OwnedFd::Define(env));
  return family;
}
