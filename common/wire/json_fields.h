// JSON plumbing shared by the wire messages (internal to lpwire).
//
// Each message type describes its members once, in a function template that works on either
// a Reader or a Writer:
//
//   template <typename Io, typename Self> void map_price(Io& io, Self& p) {
//     io.integer("price_per_unit", p.price_per_unit, 0, kInt64Max);
//     ...
//   }
//   void describe(Reader& io, Price& p) { map_price(io, p); }
//   void describe(Writer& io, const Price& p) { map_price(io, p); }
//
// so the reader and the writer cannot disagree on a name or a member. Nested objects find
// their describe() overloads by argument-dependent lookup, which is why those overloads
// live in this namespace.
//
// Reader errors name the field by its full path ("capacity.max: ..."); they are
// ErrorCode::BadRequest unless a nested parser (profiles) says otherwise.
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "profile.h"

namespace lp::wire::json {

// Required strings must be non-empty; optional ones default to "" and may be empty.
enum class Need { Required, Optional };

// How a hex member is spelled: bare lower-case digits (hashes, MACs), or "0x" first
// (Ethereum: signatures are lower-cased, addresses keep their EIP-55 checksum case).
enum class Hex { Bare, Prefixed, PrefixedKeepCase };

Error bad_request(std::string message);

// Parses `text` as one JSON object; `parser`, owned by the caller, owns the result.
Result<JsonObject*> load_object(JsonParser* parser, std::string_view text);

// Arrays and objects nested deeper than any message needs. json-glib 1.6 parses them
// recursively without a limit, so text nested some 100k levels deep (100 KB of "[") overflows
// the stack: such text is refused before json-glib sees it (load_object does this).
inline constexpr int kMaxNesting = 128;
bool nested_too_deep(std::string_view text);

// Lower-case `digits` hex digits of `text` ("0x" allowed in front when `prefix_ok`), or nullopt.
std::optional<std::string> normalize_hex(std::string_view text, size_t digits, bool prefix_ok);

// Reads the members of one object. The first error sticks and later reads do nothing, so a
// description is a plain list of members with one error() check at the end. Absent members
// and null leave the value at its default; members nobody asks for are ignored, which keeps
// older peers working when newer ones add fields.
class Reader {
 public:
  // `path` is the object's own place in the message ("" at the top, "capacity" below).
  Reader(JsonObject* object, std::string path);

  void string(const char* key, std::string& out, Need need = Need::Required);
  void integer(const char* key, int64_t& out, int64_t min, int64_t max, Need need = Need::Required);
  void integer(const char* key, int& out, int min, int max, Need need = Need::Required);
  void hex(const char* key, std::string& out, size_t digits, Hex form, Need need = Need::Required);
  void strings(const char* key, std::vector<std::string>& out, Need need = Need::Required);
  void string_map(const char* key, std::map<std::string, std::string>& out, Need need = Need::Required);
  // An array of at least one go-livepeer profile object, checked by parse_profile_json
  // (whose rule is stricter: unknown profile fields are errors).
  void profiles(const char* key, std::vector<Profile>& out, Need need = Need::Required);

  template <typename T>
  void object(const char* key, T& out, Need need = Need::Required) {
    JsonNode* node = member(key, need);
    if (node == nullptr) return;
    if (!JSON_NODE_HOLDS_OBJECT(node)) return fail_got(path_of(key), "expected an object", node);
    Reader child(json_node_get_object(node), path_of(key));
    describe(child, out);
    adopt(child);
  }

  // An array of objects, named "key[i]" in messages; `non_empty` refuses [].
  template <typename T>
  void objects(const char* key, std::vector<T>& out, Need need = Need::Required, bool non_empty = false) {
    JsonArray* array = array_member(key, need, non_empty);
    if (array == nullptr) return;
    std::vector<T> items;
    for (guint i = 0; i < json_array_get_length(array) && !error_; ++i) {
      const std::string where = path_of(key) + "[" + std::to_string(i) + "]";
      JsonNode* node = json_array_get_element(array, i);
      if (!JSON_NODE_HOLDS_OBJECT(node)) return fail_got(where, "expected an object", node);
      Reader child(json_node_get_object(node), where);
      describe(child, items.emplace_back());
      adopt(child);
    }
    if (!error_) out = std::move(items);
  }

  // A rule of the caller's own: when `ok` is false, "<path.key>: <expected>".
  void check(const char* key, bool ok, const char* expected);
  const std::optional<Error>& error() const { return error_; }

 private:
  std::string path_of(const char* key) const;
  // The member's node; nullptr when absent or null (an error if required) or after an error.
  JsonNode* member(const char* key, Need need);
  JsonArray* array_member(const char* key, Need need, bool non_empty);
  void fail(const std::string& where, const std::string& message);
  void fail_got(const std::string& where, std::string_view expected, JsonNode* got);
  void adopt(const Reader& child);

  JsonObject* object_;
  std::string path_;
  std::optional<Error> error_;
};

// Writes members into an open JsonBuilder object; the same calls as Reader, with the
// reading-only arguments (limits, Need, Hex) ignored.
class Writer {
 public:
  explicit Writer(JsonBuilder* builder) : b_(builder) {}

  void string(const char* key, const std::string& value, Need = Need::Required);
  void integer(const char* key, int64_t value, int64_t, int64_t, Need = Need::Required);
  // Lower-cased unless PrefixedKeepCase.
  void hex(const char* key, const std::string& value, size_t, Hex form, Need = Need::Required);
  void strings(const char* key, const std::vector<std::string>& values, Need = Need::Required);
  void string_map(const char* key, const std::map<std::string, std::string>& values, Need = Need::Required);
  void profiles(const char* key, const std::vector<Profile>& profiles, Need = Need::Required);

  template <typename T>
  void object(const char* key, const T& value, Need = Need::Required) {
    json_builder_set_member_name(b_, key);
    json_builder_begin_object(b_);
    describe(*this, value);
    json_builder_end_object(b_);
  }

  template <typename T>
  void objects(const char* key, const std::vector<T>& values, Need = Need::Required, bool = false) {
    json_builder_set_member_name(b_, key);
    json_builder_begin_array(b_);
    for (const T& v : values) {
      json_builder_begin_object(b_);
      describe(*this, v);
      json_builder_end_object(b_);
    }
    json_builder_end_array(b_);
  }

  void check(const char*, bool, const char*) {}

 private:
  JsonBuilder* b_;
};

// A whole message: one object at the top.
template <typename T>
Result<T> parse(JsonObject* object) {
  Reader reader(object, "");
  T out;
  describe(reader, out);
  if (reader.error()) return *reader.error();
  return out;
}

template <typename T>
Result<T> parse(std::string_view text) {
  g_autoptr(JsonParser) parser = json_parser_new();
  auto object = load_object(parser, text);
  if (!object) return object.error();
  return parse<T>(*object);
}

std::string to_text(JsonBuilder* b);

// `type`, when given, goes first as the "type" member (the transcoder channel's tag), so a
// reader of the raw text (logs, tcpdump) sees what a message is at once.
template <typename T>
std::string write(const T& value, const char* type = nullptr) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  Writer writer(b);
  if (type != nullptr) writer.string("type", type);
  describe(writer, value);
  json_builder_end_object(b);
  return to_text(b);
}

}  // namespace lp::wire::json
