#include "wire/segment.h"

#include <glib.h>

#include <charconv>
#include <optional>

#include "json_text.h"
#include "wire/json_fields.h"

namespace lp::wire {
namespace {

constexpr size_t kMaxStreamId = 128;
constexpr int64_t kMaxDurationMs = 3'600'000;

// HTTP header names are case-insensitive; peers and proxies may rewrite the casing.
const std::string* find_header(const HeaderMap& headers, const char* name) {
  if (auto it = headers.find(name); it != headers.end()) return &it->second;
  for (const auto& [key, value] : headers) {
    if (g_ascii_strcasecmp(key.c_str(), name) == 0) return &value;
  }
  return nullptr;
}

Error bad_header(const char* name, const std::string& message) {
  return json::bad_request(std::string(name) + ": " + message);
}

bool valid_stream_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxStreamId) return false;
  for (char c : id) {
    if (!g_ascii_isalnum(c) && c != '.' && c != '_' && c != '~' && c != '-') return false;
  }
  return true;
}

// A decimal integer from min to max, the whole value consumed.
std::optional<int64_t> parse_int(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

// The Lp-Profiles value through the same reader as profiles inside JSON messages, so the
// rules and messages ("Lp-Profiles[1].width: ...") are the same.
Result<std::vector<Profile>> parse_profiles_header(const std::string& value) {
  if (auto why = json_text_problem(value)) return bad_header(header::kProfiles, "invalid JSON: " + *why);
  if (json::nested_too_deep(value)) {
    return bad_header(header::kProfiles,
                      "invalid JSON: nested deeper than " + std::to_string(json::kMaxNesting) + " levels");
  }
  // json-glib cuts a string at an escaped NUL: refused before parsing, naming the field.
  if (auto at = json_nul_escape_path(value))
    return json::bad_request(std::string(header::kProfiles) + *at +
                             ": contains a NUL character (\\u0000), which no field may hold");
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, value.data(), static_cast<gssize>(value.size()), &error)) {
    return bad_header(header::kProfiles, std::string("invalid JSON: ") + error->message);
  }
  JsonNode* root = json_parser_get_root(parser);
  if (root == nullptr || !JSON_NODE_HOLDS_ARRAY(root)) {
    return bad_header(header::kProfiles, "expected a JSON array of profile objects");
  }
  g_autoptr(JsonObject) holder = json_object_new();
  json_object_set_member(holder, header::kProfiles, json_node_copy(root));
  json::Reader fields(holder, "");
  std::vector<Profile> profiles;
  fields.profiles(header::kProfiles, profiles);
  if (fields.error()) return *fields.error();
  return profiles;
}

std::string canonical_profiles(const std::vector<Profile>& list) {
  std::string profiles = "[";
  for (const auto& p : list) {
    if (profiles.size() > 1) profiles += ",";
    profiles += profile_to_json(p);
  }
  return profiles + "]";
}

}  // namespace

void write_headers(const SegmentHeaders& segment, HeaderMap& headers) {
  const std::string profiles = canonical_profiles(segment.profiles);
  headers[header::kStreamId] = segment.stream_id;
  headers[header::kSeq] = std::to_string(segment.seq);
  headers[header::kDurationMs] = std::to_string(segment.duration_ms);
  headers[header::kProfiles] = profiles;
  headers[header::kBodySha256] = segment.body_sha256;
  headers[header::kAuthToken] = to_header_value(segment.auth_token);
  if (segment.signature.empty()) {
    headers.erase(header::kSignature);
    headers.erase(header::kSigner);
  } else {
    headers[header::kSignature] = segment.signature;
    headers[header::kSigner] = segment.signer;
  }
}

std::string segment_signing_text(const SegmentHeaders& segment) {
  return "lpgst-segment-v1\n" + segment.stream_id + "\n" + std::to_string(segment.seq) + "\n" +
         std::to_string(segment.duration_ms) + "\n" + segment.body_sha256 + "\n" + canonical_profiles(segment.profiles);
}

Result<SegmentHeaders> segment_from_headers(const HeaderMap& headers) {
  SegmentHeaders s;
  const std::string* token = find_header(headers, header::kAuthToken);
  if (token == nullptr) {
    return Error{ErrorCode::Unauthorized, std::string(header::kAuthToken) + ": required"};
  }
  auto parsed_token = auth_token_from_header_value(*token);
  if (!parsed_token) {
    return Error{ErrorCode::Unauthorized, std::string(header::kAuthToken) + ": " + parsed_token.error().message};
  }
  s.auth_token = std::move(*parsed_token);

  for (const char* name :
       {header::kStreamId, header::kSeq, header::kDurationMs, header::kProfiles, header::kBodySha256}) {
    if (find_header(headers, name) == nullptr) return bad_header(name, "required");
  }
  s.stream_id = *find_header(headers, header::kStreamId);
  if (!valid_stream_id(s.stream_id)) {
    return bad_header(header::kStreamId, "expected 1-128 of A-Z a-z 0-9 . _ ~ -, got \"" + s.stream_id + "\"");
  }
  const std::string& seq = *find_header(headers, header::kSeq);
  auto seq_value = parse_int(seq, 0, INT64_MAX);
  if (!seq_value) {
    return bad_header(header::kSeq, "expected a non-negative integer, got \"" + seq + "\"");
  }
  s.seq = *seq_value;
  const std::string& duration = *find_header(headers, header::kDurationMs);
  auto duration_value = parse_int(duration, 1, kMaxDurationMs);
  if (!duration_value) {
    return bad_header(header::kDurationMs, "expected milliseconds from 1 to 3600000, got \"" + duration + "\"");
  }
  s.duration_ms = *duration_value;
  auto profiles = parse_profiles_header(*find_header(headers, header::kProfiles));
  if (!profiles) return profiles.error();
  s.profiles = std::move(*profiles);
  auto hash = json::normalize_hex(*find_header(headers, header::kBodySha256), 64, false);
  if (!hash) return bad_header(header::kBodySha256, "expected 64 hex digits (SHA-256)");
  s.body_sha256 = std::move(*hash);

  if (const std::string* sig = find_header(headers, header::kSignature)) {
    auto hex = json::normalize_hex(*sig, 130, true);
    if (!hex) return bad_header(header::kSignature, "expected 0x and 130 hex digits");
    s.signature = "0x" + *hex;
    const std::string* signer = find_header(headers, header::kSigner);
    if (signer == nullptr) return bad_header(header::kSigner, "required with Lp-Signature");
    auto address = json::normalize_hex(*signer, 40, true);
    if (!address || !signer->starts_with("0x")) return bad_header(header::kSigner, "expected 0x and 40 hex digits");
    s.signer = *signer;
  }
  return s;
}

}  // namespace lp::wire
