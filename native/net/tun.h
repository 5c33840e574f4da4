#pragma once
#include <napi.h>

// /dev/net/tun for lib/net/tun.ts: the open, non-blocking and close-on-exec, and the TUNSETIFF
// that attaches it to an interface. lib/ validated the name and the flags; the name's bytes are
// bounded here again by what Node-API reports (see syscall_helpers.h).
Napi::Object TunFamily(Napi::Env env);
