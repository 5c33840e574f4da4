#include "sock.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "../core/exports.h"
#include "../core/syscall_helpers.h"

namespace {

// An address crosses as (family, bytes, port, scopeId): bytes are the 4 or 16 address bytes, or
// a Unix path without its terminating NUL (a leading NUL names the abstract namespace). Native
// fills a record of the same shape for lib/: four uint32 words, then the bytes.
constexpr size_t kRecordFamily = 0, kRecordPort = 1, kRecordScopeId = 2, kRecordLength = 3;
constexpr size_t kRecordBytes = 16;
constexpr size_t kRecordSize = kRecordBytes + sizeof(sockaddr_un::sun_path);
// A writev or readv takes at most this many buffers (the kernel's UIO_MAXIOV).
constexpr size_t kMaxIov = 1024;

// info[at..at+3] = family, bytes, port, scopeId, into storage and length. 0, or the errno the
// kernel gives such an address: EAFNOSUPPORT for another family, EINVAL for bytes of the wrong
// size, EFAULT for bytes that are no view.
int Pack(const Napi::CallbackInfo& info, size_t at, sockaddr_storage* storage, socklen_t* length) {
  std::memset(storage, 0, sizeof(*storage));
  int family = IntArg(info, at);
  ByteSpan bytes;
  if (!ViewSpan(info.Env(), info[at + 1], &bytes)) return EFAULT;
  uint16_t port = htons(static_cast<uint16_t>(IntArg(info, at + 2)));
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(storage);
    if (bytes.size != sizeof(in->sin_addr)) return EINVAL;
    in->sin_family = AF_INET;
    in->sin_port = port;
    std::memcpy(&in->sin_addr, bytes.data, sizeof(in->sin_addr));
    *length = sizeof(sockaddr_in);
    return 0;
  }
  if (family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(storage);
    if (bytes.size != sizeof(in6->sin6_addr)) return EINVAL;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = port;
    in6->sin6_scope_id = info[at + 3].As<Napi::Number>().Uint32Value();
    std::memcpy(&in6->sin6_addr, bytes.data, sizeof(in6->sin6_addr));
    *length = sizeof(sockaddr_in6);
    return 0;
  }
  if (family != AF_UNIX) return EAFNOSUPPORT;
  auto* un = reinterpret_cast<sockaddr_un*>(storage);
  // An abstract name is exactly its bytes; a path is NUL-terminated (the memset wrote the NUL).
  bool abstract = bytes.size > 0 && bytes.data[0] == 0;
  if (bytes.size == 0 || bytes.size > sizeof(un->sun_path) - (abstract ? 0 : 1)) return EINVAL;
  un->sun_family = AF_UNIX;
  std::memcpy(un->sun_path, bytes.data, bytes.size);
  *length = offsetof(sockaddr_un, sun_path) + bytes.size + (abstract ? 0 : 1);
  return 0;
}

// Where an address record goes: a view of at least kRecordSize bytes, or nullptr.
uint8_t* RecordArg(const Napi::CallbackInfo& info, size_t i) {
  ByteSpan span;
  return ViewSpan(info.Env(), info[i], &span) && span.size >= kRecordSize ? span.data : nullptr;
}

// The words go in with memcpy: a record need not be 4-byte aligned.
void Unpack(const sockaddr_storage& storage, socklen_t length, uint8_t* record) {
  uint32_t words[4] = {storage.ss_family, 0, 0, 0};
  uint8_t* bytes = record + kRecordBytes;
  if (storage.ss_family == AF_INET) {
    auto& in = reinterpret_cast<const sockaddr_in&>(storage);
    words[kRecordPort] = ntohs(in.sin_port);
    words[kRecordLength] = sizeof(in.sin_addr);
    std::memcpy(bytes, &in.sin_addr, sizeof(in.sin_addr));
  } else if (storage.ss_family == AF_INET6) {
    auto& in6 = reinterpret_cast<const sockaddr_in6&>(storage);
    words[kRecordPort] = ntohs(in6.sin6_port);
    words[kRecordScopeId] = in6.sin6_scope_id;
    words[kRecordLength] = sizeof(in6.sin6_addr);
    std::memcpy(bytes, &in6.sin6_addr, sizeof(in6.sin6_addr));
  } else if (storage.ss_family == AF_UNIX && length > offsetof(sockaddr_un, sun_path)) {
    auto& un = reinterpret_cast<const sockaddr_un&>(storage);
    size_t size = std::min<size_t>(length - offsetof(sockaddr_un, sun_path), sizeof(un.sun_path));
    // The kernel may count a path's terminating NUL; an abstract name keeps every byte.
    if (un.sun_path[0] != 0) size = strnlen(un.sun_path, size);
    words[kRecordLength] = size;
    std::memcpy(bytes, un.sun_path, size);
  }
  std::memcpy(record, words, sizeof(words));
}

// socket(family, type): the new non-blocking, close-on-exec fd or -errno.
Napi::Value Socket(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(),
                     socket(IntArg(info, 0), IntArg(info, 1) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
}

// bind(fd, family, bytes, port, scopeId): 0 or -errno.
Napi::Value Bind(const Napi::CallbackInfo& info) {
  sockaddr_storage storage;
  socklen_t length;
  if (int err = Pack(info, 1, &storage, &length)) return Refused(info.Env(), err);
  return ResultValue(info.Env(),
                     bind(IntArg(info, 0), reinterpret_cast<sockaddr*>(&storage), length));
}

// connect(fd, family, bytes, port, scopeId): 0, -EINPROGRESS or -errno. Not retried on EINTR:
// the connection then continues in the background, exactly as EINPROGRESS says.
Napi::Value Connect(const Napi::CallbackInfo& info) {
  sockaddr_storage storage;
  socklen_t length;
  if (int err = Pack(info, 1, &storage, &length)) return Refused(info.Env(), err);
  return ResultValue(info.Env(),
                     connect(IntArg(info, 0), reinterpret_cast<sockaddr*>(&storage), length));
}

Napi::Value Listen(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(), listen(IntArg(info, 0), IntArg(info, 1)));
}

// accept(fd, record): the new non-blocking, close-on-exec fd or -errno; the peer goes to record.
// A record too small is refused before the connection is taken.
Napi::Value Accept(const Napi::CallbackInfo& info) {
  uint8_t* record = RecordArg(info, 1);
  if (record == nullptr) return Refused(info.Env(), EFAULT);
  sockaddr_storage storage;
  socklen_t length = sizeof(storage);
  int fd = IntArg(info, 0);
  long result = RetryingEintr([&] {
    return accept4(fd, reinterpret_cast<sockaddr*>(&storage), &length,
                   SOCK_NONBLOCK | SOCK_CLOEXEC);
  });
  if (result >= 0) Unpack(storage, length, record);
  return ResultValue(info.Env(), result);
}

using NameCall = int (*)(int, sockaddr*, socklen_t*);

Napi::Value Name(const Napi::CallbackInfo& info, NameCall call) {
  uint8_t* record = RecordArg(info, 1);
  if (record == nullptr) return Refused(info.Env(), EFAULT);
  sockaddr_storage storage;
  socklen_t length = sizeof(storage);
  int result = call(IntArg(info, 0), reinterpret_cast<sockaddr*>(&storage), &length);
  if (result == 0) Unpack(storage, length, record);
  return ResultValue(info.Env(), result);
}

Napi::Value LocalAddress(const Napi::CallbackInfo& info) { return Name(info, getsockname); }
Napi::Value PeerAddress(const Napi::CallbackInfo& info) { return Name(info, getpeername); }

// setIntOption(fd, level, name, value): 0 or -errno.
Napi::Value SetIntOption(const Napi::CallbackInfo& info) {
  int value = IntArg(info, 3);
  return ResultValue(info.Env(), setsockopt(IntArg(info, 0), IntArg(info, 1), IntArg(info, 2),
                                            &value, sizeof(value)));
}

// getIntOption(fd, level, name): the value (every option lib/ reads is >= 0) or -errno.
Napi::Value GetIntOption(const Napi::CallbackInfo& info) {
  int value = 0;
  socklen_t length = sizeof(value);
  int result = getsockopt(IntArg(info, 0), IntArg(info, 1), IntArg(info, 2), &value, &length);
  return ResultValue(info.Env(), result < 0 ? result : value);
}

// setLinger(fd, on, seconds): 0 or -errno.
Napi::Value SetLinger(const Napi::CallbackInfo& info) {
  linger value{info[1].ToBoolean() ? 1 : 0, IntArg(info, 2)};
  return ResultValue(info.Env(),
                     setsockopt(IntArg(info, 0), SOL_SOCKET, SO_LINGER, &value, sizeof(value)));
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  return ResultValue(info.Env(), shutdown(IntArg(info, 0), IntArg(info, 1)));
}

using VectorCall = ssize_t (*)(int, const iovec*, int);

// fd, array of views: bytes transferred or -errno. lib/ passes an array of its own, whose elements
// are plain data; even so, every element is fetched before the first pointer is taken, so that a
// getter running here anyway could not detach or shrink a buffer already in the iovecs. More than
// kMaxIov buffers is EINVAL, as from the kernel. The iovecs live on the stack: no allocation.
Napi::Value Vectored(const Napi::CallbackInfo& info, VectorCall call) {
  Napi::Env env = info.Env();
  if (!info[1].IsArray()) return Refused(env, EFAULT);
  Napi::Array array = info[1].As<Napi::Array>();
  uint32_t count = array.Length();
  if (count > kMaxIov) return Refused(env, EINVAL);
  napi_value views[kMaxIov];
  for (uint32_t i = 0; i < count; i++) views[i] = array.Get(i);
  iovec iov[kMaxIov];
  for (uint32_t i = 0; i < count; i++) {
    ByteSpan span;
    if (!ViewSpan(env, views[i], &span)) return Refused(env, EFAULT);
    iov[i] = {span.data, span.size};
  }
  int fd = IntArg(info, 0);
  return ResultValue(env, RetryingEintr([&] { return call(fd, iov, static_cast<int>(count)); }));
}

Napi::Value Writev(const Napi::CallbackInfo& info) { return Vectored(info, writev); }
Napi::Value Readv(const Napi::CallbackInfo& info) { return Vectored(info, readv); }

// send(fd, view, offset, length, flags): bytes sent or -errno. MSG_NOSIGNAL: a reset peer is
// an EPIPE for the caller, never a process-killing SIGPIPE in an embedder that did not ignore it.
Napi::Value Send(const Napi::CallbackInfo& info) {
  ByteSpan span;
  if (!ViewRange(info, 1, &span)) return Refused(info.Env(), EFAULT);
  int fd = IntArg(info, 0), flags = IntArg(info, 4) | MSG_NOSIGNAL;
  return ResultValue(info.Env(),
                     RetryingEintr([&] { return send(fd, span.data, span.size, flags); }));
}

// recv(fd, view, offset, length, flags): bytes received or -errno.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  ByteSpan span;
  if (!ViewRange(info, 1, &span)) return Refused(info.Env(), EFAULT);
  int fd = IntArg(info, 0), flags = IntArg(info, 4);
  return ResultValue(info.Env(),
                     RetryingEintr([&] { return recv(fd, span.data, span.size, flags); }));
}

// sendto(fd, view, offset, length, family, bytes, port, scopeId): bytes sent or -errno.
Napi::Value SendTo(const Napi::CallbackInfo& info) {
  ByteSpan span;
  if (!ViewRange(info, 1, &span)) return Refused(info.Env(), EFAULT);
  sockaddr_storage storage;
  socklen_t length;
  if (int err = Pack(info, 4, &storage, &length)) return Refused(info.Env(), err);
  int fd = IntArg(info, 0);
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  return ResultValue(info.Env(), RetryingEintr([&] {
                       return sendto(fd, span.data, span.size, MSG_NOSIGNAL, address, length);
                     }));
}

// recvfrom(fd, view, offset, length, record): bytes received or -errno; the sender goes to record.
Napi::Value RecvFrom(const Napi::CallbackInfo& info) {
  ByteSpan span;
  uint8_t* record = RecordArg(info, 4);
  if (!ViewRange(info, 1, &span) || record == nullptr) return Refused(info.Env(), EFAULT);
  sockaddr_storage storage;
  socklen_t length = sizeof(storage);
  int fd = IntArg(info, 0);
  auto* address = reinterpret_cast<sockaddr*>(&storage);
  long result =
      RetryingEintr([&] { return recvfrom(fd, span.data, span.size, 0, address, &length); });
  if (result >= 0) Unpack(storage, length, record);
  return ResultValue(info.Env(), result);
}

Napi::Object SockConstants(Napi::Env env) {
  return NumberTable(env, {
                              {"AF_INET", AF_INET},
                              {"AF_INET6", AF_INET6},
                              {"AF_UNIX", AF_UNIX},
                              {"SOCK_STREAM", SOCK_STREAM},
                              {"SOCK_DGRAM", SOCK_DGRAM},
                              {"SOL_SOCKET", SOL_SOCKET},
                              {"SO_REUSEADDR", SO_REUSEADDR},
                              {"SO_REUSEPORT", SO_REUSEPORT},
                              {"SO_KEEPALIVE", SO_KEEPALIVE},
                              {"SO_RCVBUF", SO_RCVBUF},
                              {"SO_SNDBUF", SO_SNDBUF},
                              {"SO_ERROR", SO_ERROR},
                              {"SO_LINGER", SO_LINGER},
                              {"SO_OOBINLINE", SO_OOBINLINE},
                              {"IPPROTO_TCP", IPPROTO_TCP},
                              {"IPPROTO_IPV6", IPPROTO_IPV6},
                              {"TCP_NODELAY", TCP_NODELAY},
                              {"IPV6_V6ONLY", IPV6_V6ONLY},
                              {"SHUT_RD", SHUT_RD},
                              {"SHUT_WR", SHUT_WR},
                              {"SHUT_RDWR", SHUT_RDWR},
                              {"MSG_OOB", MSG_OOB},
                              {"MSG_PEEK", MSG_PEEK},
                              {"ADDRESS_RECORD_SIZE", kRecordSize},
                              {"ADDRESS_RECORD_BYTES", kRecordBytes},
                              {"MAX_IOV", kMaxIov},
                              {"UNIX_PATH_MAX", sizeof(sockaddr_un::sun_path)},
                          });
}

}  // namespace

Napi::Object SockFamily(Napi::Env env) {
  Napi::Object family = Family(env, {
                                        {"socket", Socket},
                                        {"bind", Bind},
                                        {"connect", Connect},
                                        {"listen", Listen},
                                        {"accept", Accept},
                                        {"localAddress", LocalAddress},
                                        {"peerAddress", PeerAddress},
                                        {"setIntOption", SetIntOption},
                                        {"getIntOption", GetIntOption},
                                        {"setLinger", SetLinger},
                                        {"shutdown", Shutdown},
                                        {"writev", Writev},
                                        {"readv", Readv},
                                        {"send", Send},
                                        {"recv", Recv},
                                        {"sendto", SendTo},
                                        {"recvfrom", RecvFrom},
                                    });
  family.Set("constants", SockConstants(env));
  return family;
}
