#pragma once
#include <napi.h>

// Thin non-blocking fd syscalls for lib/io.ts and lib/eventfd.ts. Arguments were validated in JS.
void InitIo(Napi::Env env, Napi::Object exports);
