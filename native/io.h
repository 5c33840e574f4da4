#pragma once
#include <napi.h>

// Thin non-blocking fd syscalls for lib/io.ts and lib/event-fd.ts. lib/ validated the arguments;
// byte ranges are bounded here again by the buffer itself (see syscall_helpers.h).
void InitIo(Napi::Env env, Napi::Object exports);
