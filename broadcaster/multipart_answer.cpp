#include "multipart_answer.h"

#include <cstring>
#include <memory>

namespace lp {

Result<std::vector<BytesPtr>> split_multipart_answer(SoupMessageHeaders* headers, GBytes* body) {
  gsize size = 0;
  const void* data = body ? g_bytes_get_data(body, &size) : nullptr;
  auto* copy = static_cast<char*>(g_malloc(size + 1));
  if (size) std::memcpy(copy, data, size);
  copy[size] = '\0';
  BytesPtr terminated(g_bytes_new_take(copy, size));
  auto inside = [copy, size](GBytes* part) {
    gsize n = 0;
    const auto* p = part ? static_cast<const char*>(g_bytes_get_data(part, &n)) : nullptr;
    if (p == nullptr) return n == 0;
    return p >= copy && n <= size && static_cast<gsize>(p - copy) <= size - n;
  };
  SoupMultipart* parts = soup_multipart_new_from_message(headers, terminated.get());
  if (!parts) return Error{ErrorCode::VerificationFailed, "the answer is not multipart/mixed"};
  std::unique_ptr<SoupMultipart, decltype(&soup_multipart_free)> owned(parts, soup_multipart_free);
  std::vector<BytesPtr> out;
  for (int i = 0; i < soup_multipart_get_length(parts); ++i) {
    SoupMessageHeaders* part_headers = nullptr;
    GBytes* part = nullptr;
    if (!soup_multipart_get_part(parts, i, &part_headers, &part) || !part || !inside(part))
      return Error{ErrorCode::VerificationFailed,
                   "part " + std::to_string(i) + " of the multipart answer is malformed"};
    out.emplace_back(g_bytes_ref(part));
  }
  if (out.empty()) return Error{ErrorCode::VerificationFailed, "the multipart answer has no parts"};
  return out;
}

}  // namespace lp
