#pragma once
#include <napi.h>

// Thin non-blocking fd syscalls for lib/fds/io.ts and every family that reads or writes an fd. lib/
// validated the arguments; byte ranges are bounded here again by the buffer itself (ViewRange in
// syscall_helpers.h).
Napi::Object IoFamily(Napi::Env env);
