#pragma once
#include <napi.h>

// Where each field lib/gpio/ parses sits in the structs of <linux/gpio.h>, and the uAPI's numbers
// (flags, attribute ids, event ids, limits), from the header itself by sizeof and offsetof.
Napi::Object GpioLayout(Napi::Env env);
Napi::Object GpioConstants(Napi::Env env);
