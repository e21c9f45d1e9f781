#include "rtmp_amf0.h"

#include <bit>

#include "rtmp_bytes.h"

namespace lp::rtmp {
namespace {

// Type markers (AMF0 spec 2.1).
enum Marker : uint8_t {
  kNumber = 0x00,
  kBoolean = 0x01,
  kString = 0x02,
  kObject = 0x03,
  kMovieClip = 0x04,
  kNull = 0x05,
  kUndefined = 0x06,
  kReference = 0x07,
  kEcmaArray = 0x08,
  kObjectEnd = 0x09,
  kStrictArray = 0x0a,
  kDate = 0x0b,
  kLongString = 0x0c,
  kUnsupported = 0x0d,
  kRecordSet = 0x0e,
  kXmlDocument = 0x0f,
  kTypedObject = 0x10,
  kAvmPlus = 0x11,
};

// Deep enough for any real command; bounds the recursion a hostile peer can cause.
constexpr int kMaxDepth = 32;

Error bad(std::string what) { return Error{ErrorCode::BadRequest, "AMF0: " + std::move(what)}; }

Amf0Value of_type(Amf0Value::Type type) {
  Amf0Value v;
  v.type = type;
  return v;
}

double double_from_be(std::string_view s) {
  uint64_t bits = (uint64_t{read_be32(s)} << 32) | read_be32(s.substr(4));
  return std::bit_cast<double>(bits);
}

void put_double(std::string& out, double v) {
  auto bits = std::bit_cast<uint64_t>(v);
  put_be32(out, static_cast<uint32_t>(bits >> 32));
  put_be32(out, static_cast<uint32_t>(bits));
}

void put_key(std::string& out, const std::string& key) {
  // Keys are UTF-8 strings of at most 65535 bytes; ours are short literals.
  size_t n = key.size() > 0xffff ? 0xffff : key.size();
  put_be16(out, static_cast<uint32_t>(n));
  out.append(key, 0, n);
}

void put_properties(std::string& out, const std::vector<Amf0Property>& properties) {
  for (const auto& p : properties) {
    put_key(out, p.key);
    amf0_write(out, p.value);
  }
  put_be16(out, 0);
  put_u8(out, kObjectEnd);
}

}  // namespace

const Amf0Value* Amf0Value::field(std::string_view key) const {
  for (const auto& p : properties) {
    if (p.key == key) return &p.value;
  }
  return nullptr;
}

std::string Amf0Value::string_field(std::string_view key) const {
  const Amf0Value* v = field(key);
  return v && v->is_string() ? v->string : std::string();
}

Amf0Value amf0_number(double v) {
  Amf0Value out = of_type(Amf0Value::Type::Number);
  out.number = v;
  return out;
}

Amf0Value amf0_boolean(bool v) {
  Amf0Value out = of_type(Amf0Value::Type::Boolean);
  out.boolean = v;
  return out;
}

Amf0Value amf0_string(std::string v) {
  Amf0Value out = of_type(Amf0Value::Type::String);
  out.string = std::move(v);
  return out;
}

Amf0Value amf0_null() { return of_type(Amf0Value::Type::Null); }
Amf0Value amf0_undefined() { return of_type(Amf0Value::Type::Undefined); }

Amf0Value amf0_object(std::vector<Amf0Property> properties) {
  Amf0Value out = of_type(Amf0Value::Type::Object);
  out.properties = std::move(properties);
  return out;
}

bool Amf0Reader::take(size_t n, std::string_view& out) {
  if (data_.size() - pos_ < n) return false;
  out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

Result<Amf0Value> Amf0Reader::read() { return read_value(0); }

Result<Amf0Value> Amf0Reader::read_value(int depth) {
  if (depth > kMaxDepth) return bad("values nested deeper than " + std::to_string(kMaxDepth));
  std::string_view b;
  if (!take(1, b)) return bad("truncated value");
  const uint8_t marker = byte_at(b, 0);
  switch (marker) {
    case kNumber:
      if (!take(8, b)) return bad("truncated number");
      return amf0_number(double_from_be(b));
    case kBoolean:
      if (!take(1, b)) return bad("truncated boolean");
      return amf0_boolean(byte_at(b, 0) != 0);
    case kString:
    case kLongString:
    case kXmlDocument: {
      const size_t len_size = marker == kString ? 2 : 4;
      if (!take(len_size, b)) return bad("truncated string length");
      const uint32_t len = len_size == 2 ? read_be16(b) : read_be32(b);
      if (!take(len, b)) return bad("string of " + std::to_string(len) + " bytes runs past the end");
      return amf0_string(std::string(b));
    }
    case kObject:
    case kEcmaArray:
    case kTypedObject: {
      Amf0Value v = of_type(marker == kEcmaArray ? Amf0Value::Type::EcmaArray : Amf0Value::Type::Object);
      // The ECMA array count is only a hint (encoders get it wrong); the end marker decides.
      if (marker == kEcmaArray && !take(4, b)) return bad("truncated ECMA array");
      if (marker == kTypedObject) {
        if (!take(2, b) || !take(read_be16(b), b)) return bad("truncated typed object class name");
      }
      if (auto err = read_properties(v, depth); !err.ok()) return err.error();
      return v;
    }
    case kNull: return amf0_null();
    case kUndefined:
    case kUnsupported: return amf0_undefined();
    case kStrictArray: {
      if (!take(4, b)) return bad("truncated strict array");
      const uint32_t count = read_be32(b);
      // Every item takes at least one byte: a count beyond the data is a lie, not an allocation.
      if (count > data_.size() - pos_) return bad("strict array claims " + std::to_string(count) + " items");
      Amf0Value v = of_type(Amf0Value::Type::StrictArray);
      for (uint32_t i = 0; i < count; ++i) {
        auto item = read_value(depth + 1);
        if (!item) return item.error();
        v.items.push_back(std::move(*item));
      }
      return v;
    }
    case kDate: {
      if (!take(10, b)) return bad("truncated date");
      Amf0Value v = of_type(Amf0Value::Type::Date);
      v.number = double_from_be(b);
      return v;
    }
    case kReference: return bad("references are not supported");
    case kAvmPlus: return bad("AMF3 values are not supported");
    default: return bad("unknown type marker " + std::to_string(marker));
  }
}

Result<void> Amf0Reader::read_properties(Amf0Value& into, int depth) {
  for (;;) {
    std::string_view b;
    if (!take(2, b)) return bad("truncated object");
    const uint32_t key_len = read_be16(b);
    if (key_len == 0) {
      if (!take(1, b)) return bad("truncated object end");
      if (byte_at(b, 0) != kObjectEnd) return bad("empty property name");
      return {};
    }
    std::string_view key;
    if (!take(key_len, key)) return bad("truncated property name");
    auto value = read_value(depth + 1);
    if (!value) return value.error();
    into.properties.push_back(Amf0Property{std::string(key), std::move(*value)});
  }
}

Result<std::vector<Amf0Value>> amf0_decode_all(std::string_view data) {
  Amf0Reader reader(data);
  std::vector<Amf0Value> values;
  while (!reader.at_end()) {
    auto v = reader.read();
    if (!v) return v.error();
    values.push_back(std::move(*v));
  }
  return values;
}

void amf0_write(std::string& out, const Amf0Value& v) {
  switch (v.type) {
    case Amf0Value::Type::Number:
      put_u8(out, kNumber);
      put_double(out, v.number);
      break;
    case Amf0Value::Type::Boolean:
      put_u8(out, kBoolean);
      put_u8(out, v.boolean ? 1 : 0);
      break;
    case Amf0Value::Type::String:
      if (v.string.size() <= 0xffff) {
        put_u8(out, kString);
        put_be16(out, static_cast<uint32_t>(v.string.size()));
      } else {
        put_u8(out, kLongString);
        put_be32(out, static_cast<uint32_t>(v.string.size()));
      }
      out += v.string;
      break;
    case Amf0Value::Type::Object:
      put_u8(out, kObject);
      put_properties(out, v.properties);
      break;
    case Amf0Value::Type::EcmaArray:
      put_u8(out, kEcmaArray);
      put_be32(out, static_cast<uint32_t>(v.properties.size()));
      put_properties(out, v.properties);
      break;
    case Amf0Value::Type::StrictArray:
      put_u8(out, kStrictArray);
      put_be32(out, static_cast<uint32_t>(v.items.size()));
      for (const auto& item : v.items) amf0_write(out, item);
      break;
    case Amf0Value::Type::Date:
      put_u8(out, kDate);
      put_double(out, v.number);
      put_be16(out, 0);  // time zone: reserved, always 0
      break;
    case Amf0Value::Type::Null: put_u8(out, kNull); break;
    case Amf0Value::Type::Undefined: put_u8(out, kUndefined); break;
  }
}

std::string amf0_encode(std::initializer_list<Amf0Value> values) {
  std::string out;
  for (const auto& v : values) amf0_write(out, v);
  return out;
}

}  // namespace lp::rtmp
