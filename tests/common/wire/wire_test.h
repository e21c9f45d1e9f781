// Helpers shared by the wire tests: error expectations, JSON surgery for the invalid-field
// tables, and sample messages.
#pragma once

#include <glib.h>
#include <gtest/gtest.h>
#include <json-glib/json-glib.h>

#include <string>
#include <vector>

#include "error.h"
#include "profile.h"
#include "wire/auth_token.h"
#include "wire/capabilities.h"

namespace lp::wire {

// `r` failed with `code` and a message that starts with `prefix` (the field's name first).
template <typename T>
::testing::AssertionResult FailsWith(const Result<T>& r, ErrorCode code, const std::string& prefix) {
  if (r.ok()) return ::testing::AssertionFailure() << "parsed, expected: " << prefix;
  if (r.error().code != code || r.error().message.rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure() << error_code_name(r.error().code) << ": " << r.error().message
                                         << "\n  expected " << error_code_name(code) << " starting with: " << prefix;
  }
  return ::testing::AssertionSuccess();
}

inline constexpr const char* kAbsent = "<absent>";

// One row of an invalid-field table: set `path` to `value` (JSON text, or kAbsent to drop
// the member) and expect an error starting with `message`.
struct FieldCase {
  const char* path;
  const char* value;
  const char* message;
  ErrorCode code = ErrorCode::BadRequest;
};

// `json` with the member at `path` ("capacity.max", "renditions.0.bytes": a number steps
// into an array) replaced by the JSON `value`, or removed when `value` is kAbsent.
inline std::string mutate(const std::string& json, const std::string& path, const std::string& value) {
  g_autoptr(JsonParser) parser = json_parser_new();
  EXPECT_TRUE(json_parser_load_from_data(parser, json.c_str(), -1, nullptr)) << json;
  JsonNode* node = json_parser_get_root(parser);
  g_auto(GStrv) parts = g_strsplit(path.c_str(), ".", -1);
  const guint n = g_strv_length(parts);
  for (guint i = 0; i + 1 < n; ++i) {
    node = JSON_NODE_HOLDS_ARRAY(node) ? json_array_get_element(json_node_get_array(node), std::stoi(parts[i]))
                                       : json_object_get_member(json_node_get_object(node), parts[i]);
    EXPECT_NE(node, nullptr) << path;
  }
  JsonObject* parent = json_node_get_object(node);
  if (value == kAbsent) {
    json_object_remove_member(parent, parts[n - 1]);
  } else {
    json_object_set_member(parent, parts[n - 1], json_from_string(value.c_str(), nullptr));
  }
  g_autofree char* text = json_to_string(json_parser_get_root(parser), FALSE);
  return text;
}

// Every row of `cases`, applied to the valid `json`, makes `parse` fail as the row says.
template <typename T>
void ExpectFieldErrors(Result<T> (*parse)(std::string_view), const std::string& json,
                       std::initializer_list<FieldCase> cases) {
  ASSERT_TRUE(parse(json).ok()) << json;
  for (const FieldCase& c : cases) {
    EXPECT_TRUE(FailsWith(parse(mutate(json, c.path, c.value)), c.code, c.message)) << c.path << " = " << c.value;
  }
}

inline constexpr const char* kSecret = "s3cret-for-tests";
inline constexpr int64_t kExpiry = 1767225600;  // 2026-01-01T00:00:00Z

inline AuthToken sample_token() { return *issue_token(kSecret, "sess-42_a", kExpiry); }

inline Capabilities sample_capabilities() {
  Capabilities c;
  c.codecs = {"H.264", "HEVC"};
  c.presets = {"P720p30fps16x9", "P360p30fps16x9"};
  c.max_width = 1920;
  c.max_height = 1080;
  c.hardware = {{"cpu", 0, "", "", 0, 0, 0, ""}, {"nvidia", 1, "NVIDIA H100 80GB HBM3", "", 0, 0, 0, ""}};
  return c;
}

// Two presets and one custom profile with every optional profile field set.
inline std::vector<Profile> sample_profiles() {
  Profile custom = *find_preset("P240p30fps16x9");
  custom.name = "low";
  custom.h264_profile = H264Profile::High;
  custom.gop = {Gop::Kind::Seconds, 2.0};
  custom.fps_den = 1001;
  return {*find_preset("P720p30fps16x9"), *find_preset("P360p30fps16x9"), custom};
}

// Profiles have no operator==: compare their canonical JSON.
inline std::string profiles_text(const std::vector<Profile>& profiles) {
  std::string text;
  for (const auto& p : profiles) text += profile_to_json(p) + "\n";
  return text;
}

inline std::string hex_digits(size_t n, char c = 'a') { return std::string(n, c); }

}  // namespace lp::wire
