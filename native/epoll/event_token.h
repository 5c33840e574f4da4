#pragma once
// The data word of every epoll_event an instance registers: the fd and its registration's
// generation, by which lib/ tells a stale event from a live one (docs/DESIGN.md, "The crossing").
#include <napi.h>
#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>

#include "../core/exports.h"

// Never given to a registration, so lib/ skips every event that carries it: the wait thread's own
// wake-up event does.
constexpr uint32_t kReservedGeneration = 0;

inline uint64_t EventToken(int fd, uint32_t generation) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
}

// Where lib/ finds each event's fields in the buffer, in 32-bit words (docs/DESIGN.md, "The
// token").
inline Napi::Object EventLayout(Napi::Env env) {
  constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  constexpr uint32_t kData = offsetof(epoll_event, data) / 4;
  return NumberTable(env, {
                              {"stride", sizeof(epoll_event) / 4},
                              {"events", offsetof(epoll_event, events) / 4},
                              {"fd", kLittleEndian ? kData : kData + 1},
                              {"generation", kLittleEndian ? kData + 1 : kData},
                              {"reservedGeneration", kReservedGeneration},
                          });
}
