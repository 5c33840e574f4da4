#pragma once
#include <napi.h>

// The kernel's counter fds for lib/fds/event-fd.ts and lib/fds/timer-fd.ts: eventfd, timerfd_create
// and timerfd_settime, and OwnedFd, which owns the fds they make. Arguments were validated in JS.
Napi::Object CounterFdFamily(Napi::Env env);
