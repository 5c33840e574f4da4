#include "inotify.h"

#include <limits.h>
#include <sys/inotify.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "../core/exports.h"
#include "../core/syscall_helpers.h"

namespace {

// inotifyInit(): a non-blocking, close-on-exec inotify fd or -errno.
Napi::Value InotifyInit(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(), inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
}

// inotifyAddWatch(fd, path, mask): the watch descriptor or -errno. path is lib/'s own Uint8Array
// of the path's bytes and a NUL; -EFAULT unless the engine's record of it ends in that NUL, so the
// kernel never reads past it.
Napi::Value InotifyAddWatch(const Napi::CallbackInfo& info) {
  ByteSpan path;
  if (!ViewSpan(info.Env(), info[1], &path) || path.size == 0 || path.data[path.size - 1] != 0)
    return Refused(info.Env(), EFAULT);
  uint32_t mask = info[2].As<Napi::Number>().Uint32Value();
  return ResultValue(info.Env(), inotify_add_watch(IntArg(info, 0),
                                                   reinterpret_cast<const char*>(path.data), mask));
}

// inotifyRmWatch(fd, wd): 0 or -errno. The kernel then queues IN_IGNORED for wd.
Napi::Value InotifyRmWatch(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(), inotify_rm_watch(IntArg(info, 0), IntArg(info, 1)));
}

}  // namespace

Napi::Object InotifyFamily(Napi::Env env) {
  Napi::Object family = Family(env, {
                                        {"inotifyInit", InotifyInit},
                                        {"inotifyAddWatch", InotifyAddWatch},
                                        {"inotifyRmWatch", InotifyRmWatch},
                                    });
  family.Set("constants", NumberTable(env, {
                                               {"IN_ACCESS", IN_ACCESS},
                                               {"IN_MODIFY", IN_MODIFY},
                                               {"IN_ATTRIB", IN_ATTRIB},
                                               {"IN_CLOSE_WRITE", IN_CLOSE_WRITE},
                                               {"IN_CLOSE_NOWRITE", IN_CLOSE_NOWRITE},
                                               {"IN_CLOSE", IN_CLOSE},
                                               {"IN_OPEN", IN_OPEN},
                                               {"IN_MOVED_FROM", IN_MOVED_FROM},
                                               {"IN_MOVED_TO", IN_MOVED_TO},
                                               {"IN_MOVE", IN_MOVE},
                                               {"IN_CREATE", IN_CREATE},
                                               {"IN_DELETE", IN_DELETE},
                                               {"IN_DELETE_SELF", IN_DELETE_SELF},
                                               {"IN_MOVE_SELF", IN_MOVE_SELF},
                                               {"IN_ALL_EVENTS", IN_ALL_EVENTS},
                                               {"IN_UNMOUNT", IN_UNMOUNT},
                                               {"IN_Q_OVERFLOW", IN_Q_OVERFLOW},
                                               {"IN_IGNORED", IN_IGNORED},
                                               {"IN_ONLYDIR", IN_ONLYDIR},
                                               {"IN_DONT_FOLLOW", IN_DONT_FOLLOW},
                                               {"IN_EXCL_UNLINK", IN_EXCL_UNLINK},
                                               {"IN_MASK_CREATE", IN_MASK_CREATE},
                                               {"IN_MASK_ADD", IN_MASK_ADD},
                                               {"IN_ISDIR", IN_ISDIR},
                                               {"IN_ONESHOT", IN_ONESHOT},
                                           }));
  // struct inotify_event: a fixed header, then len bytes of NUL-padded name.
  family.Set("eventLayout",
             NumberTable(env, {
                                  {"headerBytes", sizeof(inotify_event)},
                                  {"wd", offsetof(inotify_event, wd)},
                                  {"mask", offsetof(inotify_event, mask)},
                                  {"cookie", offsetof(inotify_event, cookie)},
                                  {"len", offsetof(inotify_event, len)},
                                  {"maxEventBytes", sizeof(inotify_event) + NAME_MAX + 1},
                              }));
  return family;
}
