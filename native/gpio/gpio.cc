#include "gpio.h"

#include <linux/gpio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../core/exports.h"
#include "../core/syscall_helpers.h"
#include "gpio_layout.h"

namespace {

// A line config crosses as 64-bit words: flags, then (id, value, mask) for each attribute.
constexpr size_t kConfigWords = 1 + 3 * GPIO_V2_LINE_NUM_ATTRS_MAX;
// Values cross as two 64-bit words: bits, mask.
constexpr size_t kValueWords = 2;

// The whole of a view, copied into out as `count` units of `unit` bytes: false unless it is a view
// of a whole number of units, at most max of them. memcpy, as lib/'s view need not be aligned.
bool CopyUnits(napi_env env, napi_value value, void* out, size_t unit, size_t max, size_t* count) {
  ByteSpan span;
  if (!ViewSpan(env, value, &span) || span.size % unit != 0 || span.size / unit > max) return false;
  // An empty view may have no data pointer at all, which memcpy must not be given.
  if (span.size > 0) std::memcpy(out, span.data, span.size);
  *count = span.size / unit;
  return true;
}

bool U32Arg(napi_env env, napi_value value, uint32_t* out) {
  size_t number;
  if (!SizeArg(env, value, UINT32_MAX, &number)) return false;
  *out = static_cast<uint32_t>(number);
  return true;
}

// Where a record the kernel wrote goes: a view of at least size bytes, or nullptr.
uint8_t* RecordArg(napi_env env, napi_value value, size_t size) {
  ByteSpan span;
  return ViewSpan(env, value, &span) && span.size >= size ? span.data : nullptr;
}

template <typename Struct>
long Ioctl(int fd, unsigned long request, Struct* argument) {
  return RetryingEintr([&] { return ioctl(fd, request, argument); });
}

// The config in words, as gpio_v2_line_config; false for words of the wrong shape. Padding and
// unused attributes stay zero, as the kernel requires.
bool FillConfig(napi_env env, napi_value words_value, gpio_v2_line_config* config) {
  uint64_t words[kConfigWords];
  size_t count;
  if (!CopyUnits(env, words_value, words, sizeof(uint64_t), kConfigWords, &count) || count == 0 ||
      (count - 1) % 3 != 0) {
    return false;
  }
  std::memset(config, 0, sizeof(*config));
  config->flags = words[0];
  config->num_attrs = static_cast<uint32_t>((count - 1) / 3);
  for (uint32_t i = 0; i < config->num_attrs; i++) {
    const uint64_t* triple = words + 1 + 3 * i;
    gpio_v2_line_config_attribute& entry = config->attrs[i];
    entry.attr.id = static_cast<uint32_t>(triple[0]);
    if (entry.attr.id == GPIO_V2_LINE_ATTR_ID_DEBOUNCE)
      entry.attr.debounce_period_us = static_cast<uint32_t>(triple[1]);
    else
      entry.attr.values = triple[1];
    entry.mask = triple[2];
  }
  return true;
}

// chipInfo(fd, out): 0 or -errno; out receives struct gpiochip_info.
Napi::Value ChipInfo(const Napi::CallbackInfo& info) {
  uint8_t* out = RecordArg(info.Env(), info[1], sizeof(gpiochip_info));
  if (out == nullptr) return Refused(info.Env(), EFAULT);
  gpiochip_info chip{};
  long result = Ioctl(IntArg(info, 0), GPIO_GET_CHIPINFO_IOCTL, &chip);
  if (result == 0) std::memcpy(out, &chip, sizeof(chip));
  return ResultValue(info.Env(), result);
}

// (fd, offset, out): 0 or -errno; out receives struct gpio_v2_line_info.
Napi::Value LineInfoCall(const Napi::CallbackInfo& info, unsigned long request) {
  uint32_t offset;
  if (!U32Arg(info.Env(), info[1], &offset)) return Refused(info.Env(), EINVAL);
  uint8_t* out = RecordArg(info.Env(), info[2], sizeof(gpio_v2_line_info));
  if (out == nullptr) return Refused(info.Env(), EFAULT);
  gpio_v2_line_info line{};
  line.offset = offset;
  long result = Ioctl(IntArg(info, 0), request, &line);
  if (result == 0) std::memcpy(out, &line, sizeof(line));
  return ResultValue(info.Env(), result);
}

Napi::Value LineInfo(const Napi::CallbackInfo& info) {
  return LineInfoCall(info, GPIO_V2_GET_LINEINFO_IOCTL);
}

// Also makes the chip fd readable with a gpio_v2_line_info_changed record per change of the line.
Napi::Value WatchLineInfo(const Napi::CallbackInfo& info) {
  return LineInfoCall(info, GPIO_V2_GET_LINEINFO_WATCH_IOCTL);
}

// unwatchLineInfo(fd, offset): 0 or -errno (EBUSY when the line was not watched).
Napi::Value UnwatchLineInfo(const Napi::CallbackInfo& info) {
  uint32_t offset;
  if (!U32Arg(info.Env(), info[1], &offset)) return Refused(info.Env(), EINVAL);
  return ResultValue(info.Env(), Ioctl(IntArg(info, 0), GPIO_GET_LINEINFO_UNWATCH_IOCTL, &offset));
}

// requestLines(chipFd, offsets (uint32 each), consumer, config words, eventBufferSize): the
// line-request fd, close-on-exec (the kernel's) and made non-blocking here, or -errno. A request
// that cannot be made non-blocking is closed again: a blocking read would stall the JS thread.
Napi::Value RequestLines(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  gpio_v2_line_request request;
  std::memset(&request, 0, sizeof(request));
  size_t lines, consumer_length;
  if (!CopyUnits(env, info[1], request.offsets, sizeof(uint32_t), GPIO_V2_LINES_MAX, &lines) ||
      lines == 0 || !FillConfig(env, info[3], &request.config) ||
      !U32Arg(env, info[4], &request.event_buffer_size) ||
      napi_get_value_string_utf8(env, info[2], request.consumer, sizeof(request.consumer),
                                 &consumer_length) != napi_ok) {
    return Refused(env, EINVAL);
  }
  request.num_lines = static_cast<uint32_t>(lines);
  long result = Ioctl(IntArg(info, 0), GPIO_V2_GET_LINE_IOCTL, &request);
  if (result < 0) return ResultValue(env, result);
  int fd = request.fd;
  // FIONBIO sets O_NONBLOCK as fcntl would; fcntl binds to glibc 2.28's fcntl64 when built against
  // newer headers, above the prebuilt binaries' baseline (prebuilds/requirements.json).
  int on = 1;
  if (ioctl(fd, FIONBIO, &on) < 0) {
    int error = errno;
    close(fd);
    return Refused(env, error);
  }
  return Napi::Number::New(env, fd);
}

// setConfig(requestFd, config words): 0 or -errno. Replaces the whole config of every line.
Napi::Value SetConfig(const Napi::CallbackInfo& info) {
  gpio_v2_line_config config;
  if (!FillConfig(info.Env(), info[1], &config)) return Refused(info.Env(), EINVAL);
  return ResultValue(info.Env(), Ioctl(IntArg(info, 0), GPIO_V2_LINE_SET_CONFIG_IOCTL, &config));
}

// (requestFd, words): words is [bits, mask], 16 bytes, read in and, for a get, written back.
Napi::Value ValuesCall(const Napi::CallbackInfo& info, unsigned long request, bool write_back) {
  uint8_t* words = RecordArg(info.Env(), info[1], kValueWords * sizeof(uint64_t));
  if (words == nullptr) return Refused(info.Env(), EFAULT);
  gpio_v2_line_values values;
  std::memcpy(&values.bits, words, sizeof(uint64_t));
  std::memcpy(&values.mask, words + sizeof(uint64_t), sizeof(uint64_t));
  long result = Ioctl(IntArg(info, 0), request, &values);
  if (result == 0 && write_back) std::memcpy(words, &values.bits, sizeof(uint64_t));
  return ResultValue(info.Env(), result);
}

// getValues(requestFd, [bits, mask]): 0 or -errno; bits receives the lines of mask.
Napi::Value GetValues(const Napi::CallbackInfo& info) {
  return ValuesCall(info, GPIO_V2_LINE_GET_VALUES_IOCTL, true);
}

// setValues(requestFd, [bits, mask]): 0 or -errno; drives the lines of mask to their bits.
Napi::Value SetValues(const Napi::CallbackInfo& info) {
  return ValuesCall(info, GPIO_V2_LINE_SET_VALUES_IOCTL, false);
}

}  // namespace

Napi::Object GpioFamily(Napi::Env env) {
  Napi::Object family = Family(env, {
                                        {"chipInfo", ChipInfo},
                                        {"lineInfo", LineInfo},
                                        {"watchLineInfo", WatchLineInfo},
                                        {"unwatchLineInfo", UnwatchLineInfo},
                                        {"requestLines", RequestLines},
                                        {"setConfig", SetConfig},
                                        {"getValues", GetValues},
                                        {"setValues", SetValues},
                                    });
  family.Set("layout", GpioLayout(env));
  family.Set("constants", GpioConstants(env));
  family.Set("configWords", Napi::Number::New(env, kConfigWords));
  return family;
}
