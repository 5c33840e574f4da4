#include "pid_fd.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "../core/exports.h"
#include "../core/syscall_helpers.h"

// Older C libraries name neither the syscalls nor P_PIDFD; the numbers are the kernel's ABI.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace {

// PIDFD_NONBLOCK is O_NONBLOCK (Linux 5.10). A pidfd is always close-on-exec.
constexpr unsigned int kPidFdNonBlock = 04000;

// pidfdOpen(pid): the new fd or -errno. Kernels 5.3 to 5.9 refuse the flag with EINVAL; their
// pidfd is the same fd, and waitid below never blocks on it anyway (WNOHANG).
Napi::Value PidFdOpen(const Napi::CallbackInfo& info) {
  pid_t pid = IntArg(info, 0);
  long fd = syscall(SYS_pidfd_open, pid, kPidFdNonBlock);
  if (fd < 0 && errno == EINVAL && pid > 0) fd = syscall(SYS_pidfd_open, pid, 0u);
  return ResultValue(info.Env(), fd);
}

// pidfdSendSignal(fd, signal): 0 or -errno. The signal goes to the process the fd was opened on,
// never to a later one that reused its pid.
Napi::Value PidFdSendSignal(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(),
                     syscall(SYS_pidfd_send_signal, IntArg(info, 0), IntArg(info, 1), nullptr, 0u));
}

// pidfdExitStatus(fd, out): out = Int32Array [pid, code, status]; 0 or -errno (-EFAULT when out is
// not lib/'s Int32Array of 3). WNOWAIT leaves the zombie for its parent to reap (child_process's
// 'exit' relies on that); pid 0 means it has not exited. ECHILD: not our child, or reaped already.
Napi::Value PidFdExitStatus(const Napi::CallbackInfo& info) {
  int32_t* out = Int32Out(info, 1, 3);
  if (out == nullptr) return Refused(info.Env(), EFAULT);
  siginfo_t status{};
  int fd = IntArg(info, 0);
  long result = RetryingEintr([&] {
    return waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &status,
                  WEXITED | WNOWAIT | WNOHANG);
  });
  if (result == 0) {
    out[0] = status.si_pid;
    out[1] = status.si_code;
    out[2] = status.si_status;
  }
  return ResultValue(info.Env(), result);
}

}  // namespace

Napi::Object PidFdFamily(Napi::Env env) {
  Napi::Object family = Family(env, {
                                        {"pidfdOpen", PidFdOpen},
                                        {"pidfdSendSignal", PidFdSendSignal},
                                        {"pidfdExitStatus", PidFdExitStatus},
                                    });
  family.Set("constants", NumberTable(env, {
                                               {"CLD_EXITED", CLD_EXITED},
                                               {"CLD_DUMPED", CLD_DUMPED},
                                           }));
  return family;
}
