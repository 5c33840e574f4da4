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

inline size_t ElementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array:
      return 8;
    default:
      return 1;
  }
}

// The bytes of any ArrayBufferView, whole. The raw calls hand back the view's own start, with no
// ArrayBuffer handle made on the way: this runs for every read and write.
inline ByteSpan ViewSpan(Napi::Value value) {
  napi_env env = value.Env();
  void* data = nullptr;
  size_t size = 0;
  if (value.IsTypedArray()) {
    napi_typedarray_type type;
    size_t length = 0;
    napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
    size = length * ElementBytes(type);
  } else {
    napi_get_dataview_info(env, value, &size, &data, nullptr, nullptr);
  }
  return {static_cast<uint8_t*>(data), size};
}
