// AMF0 (Action Message Format 0), the encoding of RTMP commands and data messages: enough to
// read what publishers send (connect, publish, ...) and to write a server's replies.
// AMF3 values and AMF0 references are refused (no publisher sends them in commands).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace lp::rtmp {

struct Amf0Property;

struct Amf0Value {
  enum class Type { Number, Boolean, String, Object, Null, Undefined, EcmaArray, StrictArray, Date };

  Type type = Type::Null;
  double number = 0;                     // Number; Date (ms since the epoch)
  bool boolean = false;                  // Boolean
  std::string string;                    // String, long string, XML document
  std::vector<Amf0Property> properties;  // Object (typed objects too), EcmaArray; in wire order
  std::vector<Amf0Value> items;          // StrictArray

  bool is_string() const { return type == Type::String; }
  bool is_number() const { return type == Type::Number; }
  // The first property named `key` of an Object or EcmaArray, else nullptr.
  const Amf0Value* field(std::string_view key) const;
  // The property's string, or "" when it is absent or not a string.
  std::string string_field(std::string_view key) const;
};

struct Amf0Property {
  std::string key;
  Amf0Value value;
};

Amf0Value amf0_number(double v);
Amf0Value amf0_boolean(bool v);
Amf0Value amf0_string(std::string v);
Amf0Value amf0_null();
Amf0Value amf0_undefined();
Amf0Value amf0_object(std::vector<Amf0Property> properties);

// Reads consecutive values from a buffer (a command is a sequence of values).
class Amf0Reader {
 public:
  explicit Amf0Reader(std::string_view data) : data_(data) {}
  bool at_end() const { return pos_ >= data_.size(); }
  size_t position() const { return pos_; }
  // The next value; ErrorCode::BadRequest for truncated, malformed or unsupported input.
  Result<Amf0Value> read();

 private:
  Result<Amf0Value> read_value(int depth);
  Result<void> read_properties(Amf0Value& into, int depth);
  bool take(size_t n, std::string_view& out);

  std::string_view data_;
  size_t pos_ = 0;
};

// Every value in `data`; an error if any is malformed or bytes are left over.
Result<std::vector<Amf0Value>> amf0_decode_all(std::string_view data);

// Appends the AMF0 encoding of `v`.
void amf0_write(std::string& out, const Amf0Value& v);
std::string amf0_encode(std::initializer_list<Amf0Value> values);

}  // namespace lp::rtmp
