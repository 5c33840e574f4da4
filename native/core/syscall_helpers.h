#pragma once
// What every thin syscall wrapper needs: its arguments as C values, its result as a JS number
// (the result or -errno), and EINTR retries.
//
// lib/ validates every argument first, for the error messages. Memory is the exception to trusting
// it: a byte range is checked again here against the buffer as Node-API reports it, because a
// caller can reach the binding without lib/, and because no JS property of a view can be trusted.
#include <napi.h>

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "system_error.h"

inline int IntArg(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().Int32Value();
}

inline Napi::Value ResultValue(Napi::Env env, long result) {
  return Napi::Number::New(env, ResultOrErrno(result));
}

// A call refused before any syscall, answered the way the kernel would have answered it.
inline Napi::Value Refused(Napi::Env env, int err) { return Napi::Number::New(env, -err); }

// A signal arriving during a call is no failure of the caller's; Node's own fs retries too.
template <typename Call>
long RetryingEintr(Call call) {
  long result;
  do {
    result = call();
  } while (result < 0 && errno == EINTR);
  return result;
}

// Linux's MAX_RW_COUNT: the most one read, write, send or recv moves. A longer range is simply a
// partial transfer, which every caller handles anyway; capping here keeps results within an int.
constexpr size_t kMaxTransfer = 0x7ffff000;

struct ByteSpan {
  uint8_t* data;
  size_t size;
};

// Float16Array's type, which headers older than Node 24's lack but newer runtimes report: the
// binary is built once against the oldest headers and must still size a Float16Array right.
#ifdef NODE_API_HAS_FLOAT16_ARRAY
constexpr napi_typedarray_type kFloat16Array = napi_float16_array;
#else
constexpr napi_typedarray_type kFloat16Array = static_cast<napi_typedarray_type>(11);
#endif

// Unknown element types count as one byte: an under-estimate refuses ranges, never overruns.
inline size_t ElementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array:
    case napi_uint16_array:
    case kFloat16Array:
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

// The bytes of a TypedArray or DataView, whole, from the engine's own record of it: no JS property
// is read and no JS runs. A detached view, or one a resizable buffer shrank away from, is empty.
// False for anything that is not a view. The raw calls make no ArrayBuffer handle on the way.
inline bool ViewSpan(napi_env env, napi_value value, ByteSpan* span) {
  void* data = nullptr;
  size_t size = 0;
  bool is_typed_array = false, is_data_view = false;
  napi_is_typedarray(env, value, &is_typed_array);
  if (is_typed_array) {
    napi_typedarray_type type;
    size_t length = 0;
    if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok)
      return false;
    size = length * ElementBytes(type);
  } else {
    napi_is_dataview(env, value, &is_data_view);
    if (!is_data_view ||
        napi_get_dataview_info(env, value, &size, &data, nullptr, nullptr) != napi_ok)
      return false;
  }
  *span = {static_cast<uint8_t*>(data), data == nullptr ? 0 : size};
  return true;
}

// An offset or a length as JS carries it, a double: only an exact integer in [0, max] is one.
// Never Int32Value(), which would wrap 2^32 + 8 to 8.
inline bool SizeArg(napi_env env, napi_value value, size_t max, size_t* out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok) return false;
  if (!(number >= 0 && number <= static_cast<double>(max)) || number != std::trunc(number))
    return false;
  *out = static_cast<size_t>(number);
  return true;
}

// info[at], info[at + 1], info[at + 2] = view, offset, length: the range [offset, offset + length)
// of the view, capped at kMaxTransfer. False unless the view is one and the range lies within it.
inline bool ViewRange(const Napi::CallbackInfo& info, size_t at, ByteSpan* range) {
  napi_env env = info.Env();
  ByteSpan whole;
  size_t offset, length;
  if (!ViewSpan(env, info[at], &whole) || !SizeArg(env, info[at + 1], whole.size, &offset) ||
      !SizeArg(env, info[at + 2], whole.size - offset, &length)) {
    return false;
  }
  *range = {whole.data + offset, length < kMaxTransfer ? length : kMaxTransfer};
  return true;
}
