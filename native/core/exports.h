#pragma once
// How a family hands itself to lib/: one object holding its functions, each under its own name,
// and its kernel numbers and layouts as plain objects of name: value. addon.cc lists the families.
#include <napi.h>

#include <initializer_list>

struct NamedFunction {
  const char* name;
  Napi::Function::Callback callback;
};

struct NamedNumber {
  const char* name;
  double value;
};

inline Napi::Object Family(Napi::Env env, std::initializer_list<NamedFunction> functions) {
  Napi::Object family = Napi::Object::New(env);
  for (const NamedFunction& entry : functions)
    family.Set(entry.name, Napi::Function::New(env, entry.callback, entry.name));
  return family;
}

inline Napi::Object NumberTable(Napi::Env env, std::initializer_list<NamedNumber> entries) {
  Napi::Object table = Napi::Object::New(env);
  for (const NamedNumber& entry : entries)
    table.Set(entry.name, Napi::Number::New(env, entry.value));
  return table;
}
