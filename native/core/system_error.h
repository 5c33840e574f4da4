#pragma once
#include <napi.h>

// Native code reports kernel failures as negative errno values; lib/ turns them into Node-style
// errors. A constructor cannot return a number, so it throws this instead: an Error carrying the
// negative errno and the syscall, which lib/ rebuilds into the documented error shape.
[[noreturn]] void ThrowSystemError(Napi::Env env, int err, const char* syscall);

// The convention every native function follows: the result, or -errno.
inline int ResultOrErrno(long result) { return result < 0 ? -errno : static_cast<int>(result); }
