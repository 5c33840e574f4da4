#include "gpio_layout.h"

#include <linux/gpio.h>

#include <cstddef>
#include <cstdint>

#include "../core/exports.h"

namespace {

// Flags newer than the oldest headers the prebuilt binaries are compiled against (Debian 11's
// 5.10), given by their ABI values, which the kernel never changes: REALTIME came in 5.11 and HTE
// in 5.19. An older kernel refuses them with EINVAL, as it would refuse any flag it lacks.
constexpr uint64_t kFlagEventClockRealtime = 1ULL << 11;
constexpr uint64_t kFlagEventClockHte = 1ULL << 12;

}  // namespace

Napi::Object GpioLayout(Napi::Env env) {
  using Attr = gpio_v2_line_attribute;
  using Info = gpio_v2_line_info;
  using Changed = gpio_v2_line_info_changed;
  using Event = gpio_v2_line_event;
  return NumberTable(env, {
                              {"chipInfoSize", sizeof(gpiochip_info)},
                              {"chipInfoName", offsetof(gpiochip_info, name)},
                              {"chipInfoLabel", offsetof(gpiochip_info, label)},
                              {"chipInfoLines", offsetof(gpiochip_info, lines)},
                              {"lineInfoSize", sizeof(Info)},
                              {"lineInfoName", offsetof(Info, name)},
                              {"lineInfoConsumer", offsetof(Info, consumer)},
                              {"lineInfoOffset", offsetof(Info, offset)},
                              {"lineInfoNumAttrs", offsetof(Info, num_attrs)},
                              {"lineInfoFlags", offsetof(Info, flags)},
                              {"lineInfoAttrs", offsetof(Info, attrs)},
                              {"attrSize", sizeof(Attr)},
                              {"attrId", offsetof(Attr, id)},
                              {"attrValue", offsetof(Attr, flags)},
                              {"changedSize", sizeof(Changed)},
                              {"changedInfo", offsetof(Changed, info)},
                              {"changedTimestamp", offsetof(Changed, timestamp_ns)},
                              {"changedType", offsetof(Changed, event_type)},
                              {"eventSize", sizeof(Event)},
                              {"eventTimestamp", offsetof(Event, timestamp_ns)},
                              {"eventId", offsetof(Event, id)},
                              {"eventOffset", offsetof(Event, offset)},
                              {"eventSeqno", offsetof(Event, seqno)},
                              {"eventLineSeqno", offsetof(Event, line_seqno)},
                              {"requestSize", sizeof(gpio_v2_line_request)},
                              {"configSize", sizeof(gpio_v2_line_config)},
                          });
}

Napi::Object GpioConstants(Napi::Env env) {
  return NumberTable(env, {
                              {"MAX_NAME_SIZE", GPIO_MAX_NAME_SIZE},
                              {"LINES_MAX", GPIO_V2_LINES_MAX},
                              {"NUM_ATTRS_MAX", GPIO_V2_LINE_NUM_ATTRS_MAX},
                              {"FLAG_USED", GPIO_V2_LINE_FLAG_USED},
                              {"FLAG_ACTIVE_LOW", GPIO_V2_LINE_FLAG_ACTIVE_LOW},
                              {"FLAG_INPUT", GPIO_V2_LINE_FLAG_INPUT},
                              {"FLAG_OUTPUT", GPIO_V2_LINE_FLAG_OUTPUT},
                              {"FLAG_EDGE_RISING", GPIO_V2_LINE_FLAG_EDGE_RISING},
                              {"FLAG_EDGE_FALLING", GPIO_V2_LINE_FLAG_EDGE_FALLING},
                              {"FLAG_OPEN_DRAIN", GPIO_V2_LINE_FLAG_OPEN_DRAIN},
                              {"FLAG_OPEN_SOURCE", GPIO_V2_LINE_FLAG_OPEN_SOURCE},
                              {"FLAG_BIAS_PULL_UP", GPIO_V2_LINE_FLAG_BIAS_PULL_UP},
                              {"FLAG_BIAS_PULL_DOWN", GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN},
                              {"FLAG_BIAS_DISABLED", GPIO_V2_LINE_FLAG_BIAS_DISABLED},
                              {"FLAG_EVENT_CLOCK_REALTIME", kFlagEventClockRealtime},
                              {"FLAG_EVENT_CLOCK_HTE", kFlagEventClockHte},
                              {"ATTR_ID_FLAGS", GPIO_V2_LINE_ATTR_ID_FLAGS},
                              {"ATTR_ID_OUTPUT_VALUES", GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES},
                              {"ATTR_ID_DEBOUNCE", GPIO_V2_LINE_ATTR_ID_DEBOUNCE},
                              {"EVENT_RISING_EDGE", GPIO_V2_LINE_EVENT_RISING_EDGE},
                              {"EVENT_FALLING_EDGE", GPIO_V2_LINE_EVENT_FALLING_EDGE},
                              {"CHANGED_REQUESTED", GPIO_V2_LINE_CHANGED_REQUESTED},
                              {"CHANGED_RELEASED", GPIO_V2_LINE_CHANGED_RELEASED},
                              {"CHANGED_CONFIG", GPIO_V2_LINE_CHANGED_CONFIG},
                          });
}
