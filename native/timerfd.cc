#include "timerfd.h"

#include <sys/timerfd.h>
#include <time.h>

#include "number_table.h"
#include "syscall_helpers.h"

namespace {

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

void InitTimerFd(Napi::Env env, Napi::Object exports) {
  exports.Set("timerClocks", NumberTable(env, {
      {"monotonic", CLOCK_MONOTONIC},
      {"realtime", CLOCK_REALTIME},
      {"boottime", CLOCK_BOOTTIME},
  }));
  exports.Set("timerfdCreate", Napi::Function::New(env, TimerFdCreate, "timerfdCreate"));
  exports.Set("timerfdSettime", Napi::Function::New(env, TimerFdSettime, "timerfdSettime"));
}
