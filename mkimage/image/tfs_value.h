// The in-memory tuple tree the image writer builds before encoding it as a TFS v5 log
// (spec §3.4-3.5). Kept deliberately small: strings, integers, null flags, tuples and
// vectors are all the writer ever emits. Tuple entries keep their insertion order; the
// writer inserts them in sorted order so the encoding is reproducible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mkimage {

struct TfsValue {
  enum class Kind { String, Integer, Null, Tuple, Vector } kind = Kind::Tuple;
  std::string str;
  uint64_t num = 0;
  std::vector<std::pair<std::string, TfsValue>> entries; // Tuple
  std::vector<TfsValue> elems;                           // Vector

  static TfsValue string(std::string s) {
    TfsValue v;
    v.kind = Kind::String;
    v.str = std::move(s);
    return v;
  }
  static TfsValue integer(uint64_t n) {
    TfsValue v;
    v.kind = Kind::Integer;
    v.num = n;
    return v;
  }
  static TfsValue null() {
    TfsValue v;
    v.kind = Kind::Null;
    return v;
  }
  static TfsValue tuple() { return TfsValue(); }
  static TfsValue vector() {
    TfsValue v;
    v.kind = Kind::Vector;
    return v;
  }

  // Tuple helpers. set() replaces an existing entry of the same name.
  TfsValue& set(const std::string& name, TfsValue value);
  TfsValue* find(const std::string& name);
  // For callers that already know `name` is new (sorted unique directory listings):
  // set() is a linear search, quadratic for a directory of 60 000 entries.
  void append(std::string name, TfsValue value) {
    entries.emplace_back(std::move(name), std::move(value));
  }
};

} // namespace mkimage
