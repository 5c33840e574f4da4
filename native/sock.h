#pragma once
#include <napi.h>

// Socket syscalls for lib/sock.ts: sockets are created non-blocking and close-on-exec, and
// sockaddr structures are packed and unpacked here. Arguments were validated in JS.
void InitSock(Napi::Env env, Napi::Object exports);
