#pragma once
#include <napi.h>

// timerfd_create and timerfd_settime for lib/timer-fd.ts. Arguments were validated in JS.
void InitTimerFd(Napi::Env env, Napi::Object exports);
