#pragma once
#include <napi.h>

// inotify for lib/fds/inotify.ts: the instance, its watches, the IN_* bits and the layout of an
// event in what read() returns. lib/ reads the fd with io.read and parses the events itself, so a
// read of many events crosses once. Arguments were validated in JS.
Napi::Object InotifyFamily(Napi::Env env);
