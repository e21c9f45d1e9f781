// The orchestrator's answer to POST /v1/segment as OrchestratorClient::transcode reads it:
// a multipart/mixed body cut into parts by lp::split_multipart_answer
// (broadcaster/multipart_answer.cpp, over libsoup's parser), the first part the JSON result
// (wire::transcode_result_from_json), the others the renditions. The input is the answer's
// Content-Type value, a '\n', then the body.
#include <libsoup/soup.h>

#include <cstring>
#include <string>

#include "fuzz_common.h"
#include "multipart_answer.h"
#include "wire/result.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in = lp::fuzz::text(data, size);
  const size_t eol = in.find('\n');
  if (eol == std::string_view::npos) return 0;
  const std::string content_type(in.substr(0, eol));
  if (content_type.find('\0') != std::string::npos || content_type.find('\r') != std::string::npos) return 0;
  const std::string_view body_text = in.substr(eol + 1);

  SoupMessageHeaders* headers = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_replace(headers, "Content-Type", content_type.c_str());
  // The body as libsoup's session hands it over: exactly its bytes, no NUL after them (the
  // splitter must cope; libsoup 3.2.3's parser alone reads past such a body).
  GBytes* body = g_bytes_new(body_text.data(), body_text.size());
  if (auto parts = lp::split_multipart_answer(headers, body)) {
    gsize json_size = 0;
    const auto* json_data = static_cast<const char*>(g_bytes_get_data((*parts)[0].get(), &json_size));
    const std::string json(json_data ? json_data : "", json_size);
    auto result = lp::wire::transcode_result_from_json(json);
    (void)result;
    for (size_t i = 1; i < parts->size(); ++i) {
      gsize size = 0;
      const auto* bytes = static_cast<const unsigned char*>(g_bytes_get_data((*parts)[i].get(), &size));
      unsigned sum = 0;  // read every rendition byte, as the verifier hashes them
      for (gsize k = 0; k < size; ++k) sum += bytes[k];
      (void)sum;
    }
  }
  g_bytes_unref(body);
  soup_message_headers_unref(headers);
  return 0;
}
