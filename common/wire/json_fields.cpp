#include "wire/json_fields.h"

#include <limits>
#include <utility>

#include "json_text.h"

namespace lp::wire::json {
namespace {

// Only scalar value nodes may be read with json_node_get_*; anything else would log a
// critical (fatal under the tests' G_DEBUG=fatal-criticals).
GType value_type(JsonNode* node) {
  return JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node) : G_TYPE_INVALID;
}

// The node as the peer wrote it (re-serialised), for "got ..." in messages.
std::string node_text(JsonNode* node) {
  g_autofree char* text = json_to_string(node, FALSE);
  return text ? text : "null";
}

std::string integer_expectation(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max() || max == std::numeric_limits<int>::max()) {
    if (min == 0) return "expected a non-negative integer";
    if (min == 1) return "expected a positive integer";
  }
  return "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

Error bad_request(std::string message) { return Error{ErrorCode::BadRequest, std::move(message)}; }

bool nested_too_deep(std::string_view text) { return json_nested_deeper_than(text, kMaxNesting); }

Result<JsonObject*> load_object(JsonParser* parser, std::string_view text) {
  if (auto why = json_text_problem(text)) return bad_request("invalid JSON: " + *why);
  if (nested_too_deep(text)) {
    return bad_request("invalid JSON: nested deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, text.data(), static_cast<gssize>(text.size()), &error)) {
    return bad_request(std::string("invalid JSON: ") + error->message);
  }
  JsonNode* root = json_parser_get_root(parser);
  if (root == nullptr) return bad_request("expected a JSON object, got nothing");
  if (!JSON_NODE_HOLDS_OBJECT(root)) {
    return bad_request("expected a JSON object, got " + node_text(root));
  }
  return json_node_get_object(root);
}

Reader::Reader(JsonObject* object, std::string path) : object_(object), path_(std::move(path)) {}

std::string Reader::path_of(const char* key) const { return path_.empty() ? std::string(key) : path_ + "." + key; }

void Reader::fail(const std::string& where, const std::string& message) {
  if (!error_) error_ = bad_request(where + ": " + message);
}

void Reader::fail_got(const std::string& where, std::string_view expected, JsonNode* got) {
  fail(where, std::string(expected) + ", got " + node_text(got));
}

void Reader::check(const char* key, bool ok, const char* expected) {
  if (!ok) fail(path_of(key), expected);
}

void Reader::adopt(const Reader& child) {
  if (!error_ && child.error_) error_ = child.error_;
}

JsonNode* Reader::member(const char* key, Need need) {
  if (error_) return nullptr;
  JsonNode* node = json_object_get_member(object_, key);
  if (node == nullptr || JSON_NODE_HOLDS_NULL(node)) {
    if (need == Need::Required) fail(path_of(key), "required");
    return nullptr;
  }
  return node;
}

JsonArray* Reader::array_member(const char* key, Need need, bool non_empty) {
  JsonNode* node = member(key, need);
  if (node == nullptr) return nullptr;
  if (!JSON_NODE_HOLDS_ARRAY(node)) {
    fail_got(path_of(key), "expected an array", node);
    return nullptr;
  }
  JsonArray* array = json_node_get_array(node);
  if (non_empty && json_array_get_length(array) == 0) {
    fail(path_of(key), "expected a non-empty array");
    return nullptr;
  }
  return array;
}

void Reader::string(const char* key, std::string& out, Need need) {
  JsonNode* node = member(key, need);
  if (node == nullptr) return;
  const bool required = need == Need::Required;
  const char* expected = required ? "expected a non-empty string" : "expected a string";
  if (value_type(node) != G_TYPE_STRING) return fail_got(path_of(key), expected, node);
  std::string value = json_node_get_string(node);
  if (value.empty() && required) return fail(path_of(key), expected);
  out = std::move(value);
}

void Reader::integer(const char* key, int64_t& out, int64_t min, int64_t max, Need need) {
  JsonNode* node = member(key, need);
  if (node == nullptr) return;
  // Only integral JSON numbers: json-glib reads 1.0 and 1e3 as doubles.
  if (value_type(node) != G_TYPE_INT64 || json_node_get_int(node) < min || json_node_get_int(node) > max) {
    return fail_got(path_of(key), integer_expectation(min, max), node);
  }
  out = json_node_get_int(node);
}

void Reader::integer(const char* key, int& out, int min, int max, Need need) {
  int64_t value = out;
  integer(key, value, min, max, need);
  if (!error_) out = static_cast<int>(value);
}

void Reader::hex(const char* key, std::string& out, size_t digits, Hex form, Need need) {
  std::string text;
  string(key, text, need);
  if (error_ || text.empty()) return;
  const bool prefixed = form != Hex::Bare;
  auto hex = normalize_hex(text, digits, prefixed);
  if (!hex || (prefixed && text.rfind("0x", 0) != 0)) {
    return fail(path_of(key),
                std::string("expected ") + (prefixed ? "0x and " : "") + std::to_string(digits) + " hex digits");
  }
  out = form == Hex::PrefixedKeepCase ? text : (prefixed ? "0x" : "") + *hex;
}

void Reader::strings(const char* key, std::vector<std::string>& out, Need need) {
  JsonArray* array = array_member(key, need, false);
  if (array == nullptr) return;
  std::vector<std::string> values;
  for (guint i = 0; i < json_array_get_length(array); ++i) {
    JsonNode* node = json_array_get_element(array, i);
    if (value_type(node) != G_TYPE_STRING || *json_node_get_string(node) == '\0') {
      return fail_got(path_of(key) + "[" + std::to_string(i) + "]", "expected a non-empty string", node);
    }
    values.emplace_back(json_node_get_string(node));
  }
  out = std::move(values);
}

void Reader::string_map(const char* key, std::map<std::string, std::string>& out, Need need) {
  JsonNode* node = member(key, need);
  if (node == nullptr) return;
  if (!JSON_NODE_HOLDS_OBJECT(node)) return fail_got(path_of(key), "expected an object", node);
  JsonObject* object = json_node_get_object(node);
  std::map<std::string, std::string> values;
  g_autoptr(GList) members = json_object_get_members(object);
  for (GList* l = members; l != nullptr; l = l->next) {
    const char* name = static_cast<const char*>(l->data);
    JsonNode* value = json_object_get_member(object, name);
    if (value_type(value) != G_TYPE_STRING) {
      return fail_got(path_of(key) + "." + name, "expected a string", value);
    }
    values[name] = json_node_get_string(value);
  }
  out = std::move(values);
}

void Reader::profiles(const char* key, std::vector<Profile>& out, Need need) {
  JsonArray* array = array_member(key, need, false);
  if (array == nullptr) return;
  if (json_array_get_length(array) == 0) return fail(path_of(key), "expected at least one profile");
  std::vector<Profile> profiles;
  for (guint i = 0; i < json_array_get_length(array); ++i) {
    const std::string where = path_of(key) + "[" + std::to_string(i) + "]";
    JsonNode* node = json_array_get_element(array, i);
    if (!JSON_NODE_HOLDS_OBJECT(node)) return fail_got(where, "expected a profile object", node);
    // Profile errors already start with the profile field ("width: ..."): prefix our path
    // and keep their code (invalid_profile / unknown_profile).
    auto profile = parse_profile_json(node_text(node));
    if (!profile) {
      error_ = Error{profile.error().code, where + "." + profile.error().message};
      return;
    }
    profiles.push_back(std::move(*profile));
  }
  out = std::move(profiles);
}

void Writer::string(const char* key, const std::string& value, Need) {
  json_builder_set_member_name(b_, key);
  json_builder_add_string_value(b_, value.c_str());
}

void Writer::integer(const char* key, int64_t value, int64_t, int64_t, Need) {
  json_builder_set_member_name(b_, key);
  json_builder_add_int_value(b_, value);
}

void Writer::hex(const char* key, const std::string& value, size_t, Hex form, Need) {
  std::string text = value;
  if (form != Hex::PrefixedKeepCase) {
    for (char& c : text) c = g_ascii_tolower(c);
  }
  string(key, text);
}

void Writer::strings(const char* key, const std::vector<std::string>& values, Need) {
  json_builder_set_member_name(b_, key);
  json_builder_begin_array(b_);
  for (const auto& v : values) json_builder_add_string_value(b_, v.c_str());
  json_builder_end_array(b_);
}

void Writer::string_map(const char* key, const std::map<std::string, std::string>& values, Need) {
  json_builder_set_member_name(b_, key);
  json_builder_begin_object(b_);
  for (const auto& [name, value] : values) {
    json_builder_set_member_name(b_, name.c_str());
    json_builder_add_string_value(b_, value.c_str());
  }
  json_builder_end_object(b_);
}

void Writer::profiles(const char* key, const std::vector<Profile>& profiles, Need) {
  json_builder_set_member_name(b_, key);
  json_builder_begin_array(b_);
  for (const auto& p : profiles) {
    // profile_to_json is the one canonical profile writer; splice its object in.
    json_builder_add_value(b_, json_from_string(profile_to_json(p).c_str(), nullptr));
  }
  json_builder_end_array(b_);
}

std::string to_text(JsonBuilder* b) {
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, root);
  g_autofree gchar* text = json_generator_to_data(gen, nullptr);
  return text;
}

std::optional<std::string> normalize_hex(std::string_view text, size_t digits, bool prefix_ok) {
  if (prefix_ok && text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.size() != digits) return std::nullopt;
  std::string out(text);
  for (char& c : out) {
    if (!g_ascii_isxdigit(c)) return std::nullopt;
    c = g_ascii_tolower(c);
  }
  return out;
}

}  // namespace lp::wire::json
