#pragma once
#include <napi.h>

// The GPIO character device (uAPI v2) for lib/gpio/: its ioctls, and its structs' layout and
// constants as the kernel header gives them. Structs are filled here from plain values lib/ made
// and owns (numbers, a string, its own typed arrays), and records the kernel writes go back as
// bytes that lib/ parses with the layout table. Every view is bounded by what Node-API reports.
Napi::Object GpioFamily(Napi::Env env);
