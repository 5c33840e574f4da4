#pragma once
// What every thin syscall wrapper needs: its arguments as C values, its result as a JS number
// (the result or -errno), and EINTR retries. lib/ has validated every argument.
#include <napi.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "system_error.h"

inline int IntArg(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

inline Napi::Value ResultValue(Napi::Env env, long result) { return Napi::Number::New(env, ResultOrErrno(result)); }

// A signal arriving during a call is no failure of the caller's; Node's own fs retries too.
template <typename Call>
long RetryingEintr(Call call) {
  long result;
  do {
    result = call();
  } while (result < 0 && errno == EINTR);
  return result;
}

struct ByteSpan {
  uint8_t* data;
  size_t size;
};

// The bytes of any ArrayBufferView, whole.
inline ByteSpan ViewSpan(Napi::Value value) {
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    auto* base = static_cast<uint8_t*>(array.ArrayBuffer().Data());
    return {base + array.ByteOffset(), array.ByteLength()};
  }
  Napi::DataView view = value.As<Napi::DataView>();
  return {static_cast<uint8_t*>(view.Data()), view.ByteLength()};
}
