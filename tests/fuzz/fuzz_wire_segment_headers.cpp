// POST /v1/segment's metadata headers (wire::segment_from_headers), as the orchestrator reads
// them from any client. The input is header lines, "Name: value" separated by '\n' (a later
// line of the same name wins, as a std::map insert would not: the last one is kept). Parsed
// headers written back (write_headers) must parse to the same headers.
#include "fuzz_common.h"
#include "wire/segment.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = lp::fuzz::text(data, size);
  lp::wire::HeaderMap headers;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers[std::string(line.substr(0, colon))] = std::string(value);
  }
  auto segment = lp::wire::segment_from_headers(headers);
  if (!segment) return 0;
  (void)lp::wire::segment_signing_text(*segment);
  lp::wire::HeaderMap written;
  lp::wire::write_headers(*segment, written);
  auto again = lp::wire::segment_from_headers(written);
  if (!again) lp::fuzz::fail("segment headers: write_headers output does not parse");
  lp::wire::HeaderMap rewritten;
  lp::wire::write_headers(*again, rewritten);
  if (rewritten != written) lp::fuzz::fail("segment headers: round trip changed the headers");
  return 0;
}
