#pragma once
// The kernel's numbers and layouts that lib/ needs, handed over as plain objects of name: value.
#include <napi.h>

#include <initializer_list>

struct NamedNumber {
  const char* name;
  double value;
};

inline Napi::Object NumberTable(Napi::Env env, std::initializer_list<NamedNumber> entries) {
  Napi::Object table = Napi::Object::New(env);
  for (const NamedNumber& entry : entries) table.Set(entry.name, Napi::Number::New(env, entry.value));
  return table;
}
