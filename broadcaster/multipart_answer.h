// The parts of an orchestrator's multipart/mixed answer to POST /v1/segment: the JSON result
// first, then one part per rendition. libsoup 3.2 (Debian 12) cuts them, but reads past a
// body without a trailing NUL (upstream CVE-2025-32914) and can hand back a part that lies
// outside the body (CVE-2025-4948): the body is copied with a NUL after it, and every part is
// checked to lie inside the copy. Fuzzed by tests/fuzz/fuzz_multipart_answer.cpp.
#pragma once

#include <libsoup/soup.h>

#include <vector>

#include "error.h"
#include "transcode.h"

namespace lp {

// `headers`: the answer's headers (its Content-Type names the boundary).
Result<std::vector<BytesPtr>> split_multipart_answer(SoupMessageHeaders* headers, GBytes* body);

}  // namespace lp
