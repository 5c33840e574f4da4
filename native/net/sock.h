#pragma once
#include <napi.h>

// Socket syscalls for lib/net/sock.ts: sockets are created non-blocking and close-on-exec, and
// sockaddr structures are packed and unpacked here. lib/ validated the arguments; buffers and
// addresses are bounded here again by what Node-API reports (see syscall_helpers.h).
Napi::Object SockFamily(Napi::Env env);
