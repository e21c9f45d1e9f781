#include "livepeer_transcode_results.h"

#include <charconv>

#include "wire/auth_token.h"

namespace lp::livepeer {
namespace {

std::string header(SoupMessageHeaders* headers, const char* name) {
  const char* v = soup_message_headers_get_one(headers, name);
  return v ? v : "";
}

// Go's strconv.ParseInt(text, 10, 64): an optional sign, then decimal digits, nothing else.
std::optional<int64_t> parse_int64(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::variant<ResultsHead, Refusal> check_results_head(SoupMessageHeaders* headers, const std::string& secret) {
  if (header(headers, "Authorization") != kTranscoderAuthType) return Refusal{401, "Unauthorized"};
  if (secret.empty() || !wire::constant_time_equal(header(headers, "Credentials"), secret))
    return Refusal{401, "Unauthorized"};
  const char* type = soup_message_headers_get_content_type(headers, nullptr);
  if (!type) return Refusal{415, "mime: no media type"};
  auto task = parse_int64(header(headers, "TaskId"));
  if (!task) return Refusal{400, "Invalid Task ID"};
  ResultsHead head;
  head.task_id = *task;
  head.error_body = g_ascii_strcasecmp(type, kTranscodingErrorType) == 0;
  head.multipart = g_ascii_strcasecmp(type, "multipart/mixed") == 0;
  if (!head.error_body && !parse_int64(header(headers, "Pixels"))) return Refusal{400, "Invalid Pixels"};
  return head;
}

std::variant<ResultsBody, Refusal> read_results_body(SoupMessageHeaders* headers, GBytes* body) {
  ResultsBody out;
  out.decoded_pixels = parse_int64(header(headers, "Pixels")).value_or(0);
  SoupMultipart* multipart = soup_multipart_new_from_message(headers, body);
  if (!multipart) return Refusal{500, "multipart: the body does not parse as multipart/mixed"};
  const int parts = soup_multipart_get_length(multipart);
  std::optional<Refusal> refused;
  for (int i = 0; i < parts && !refused; ++i) {
    SoupMessageHeaders* part_headers = nullptr;
    GBytes* part_body = nullptr;
    soup_multipart_get_part(multipart, i, &part_headers, &part_body);
    const char* pixels = soup_message_headers_get_one(part_headers, "Pixels");
    const char* type = soup_message_headers_get_content_type(part_headers, nullptr);
    if (!pixels) {
      // A perceptual hash follows its rendition; anything else without Pixels is not read.
      if (type && g_ascii_strcasecmp(type, "application/octet-stream") == 0 && out.renditions.empty())
        refused = Refusal{500, "Unknown perceptual hash"};
      continue;
    }
    auto value = parse_int64(pixels);
    if (!value) {
      refused = Refusal{500, "strconv.ParseInt: parsing \"" + std::string(pixels) + "\": invalid syntax"};
      break;
    }
    out.renditions.push_back(UploadedRendition{share_bytes(g_bytes_ref(part_body)), *value, type ? type : ""});
  }
  soup_multipart_free(multipart);
  if (refused) return *refused;
  return out;
}

Result<void> check_renditions(const ResultsBody& body, size_t expected_renditions) {
  if (body.renditions.size() != expected_renditions)
    return Error{ErrorCode::BadRequest, "MismatchedSegments: " + std::to_string(body.renditions.size()) +
                                            " renditions for " + std::to_string(expected_renditions) + " profiles"};
  for (size_t i = 0; i < body.renditions.size(); ++i) {
    const size_t size = g_bytes_get_size(body.renditions[i].bytes.get());
    if (size < kMinRenditionBytes)
      return Error{ErrorCode::BadRequest, "ZeroSegments: rendition " + std::to_string(i) + " has " +
                                              std::to_string(size) + " bytes (fewer than " +
                                              std::to_string(kMinRenditionBytes) + ")"};
    if (body.renditions[i].pixels < 0)
      return Error{ErrorCode::BadRequest, "rendition " + std::to_string(i) + " states negative Pixels"};
  }
  return {};
}

}  // namespace lp::livepeer
