#pragma once
#include <napi.h>

// Processes as fds for lib/fds/pid-fd.ts: pidfd_open, pidfd_send_signal and a waitid that looks at
// the exit status without reaping. Arguments were validated in JS.
Napi::Object PidFdFamily(Napi::Env env);
