// The JSON answer to POST /v1/segment: one entry per rendition, in profile order, plus the
// orchestrator's signature over them (empty until signing is wired in).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "wire/json_fwd.h"

namespace lp::wire {

struct RenditionResult {
  std::string name;  // the profile's name
  std::string url;   // where to GET the bytes (for a bounded time); "" when not offered
  int64_t bytes = 0;
  int64_t frames = 0;
  int64_t pixels = 0;  // width x height summed over frames (what go-livepeer bills)
  std::string sha256;  // hex of the rendition's bytes, 64 lower-case digits
  int width = 0;       // of the encoded pictures; 0 = not stated (optional on the wire)
  int height = 0;

  bool operator==(const RenditionResult&) const = default;
};

struct TranscodeResult {
  std::vector<RenditionResult> renditions;  // at least one
  // personal_sign over keccak256 of the renditions (docs/identity.md): "0x" + 130 hex digits,
  // and the signer's 0x address (case kept: EIP-55). Both "" while unsigned.
  std::string signature;
  std::string signer;

  bool operator==(const TranscodeResult&) const = default;
};

// {"renditions":[{"name":"P240p30fps16x9","url":"...","bytes":1,"frames":60,"pixels":1,
//   "sha256":"..."}],"signature":"","signer":""}
std::string to_json(const TranscodeResult& result);
Result<TranscodeResult> transcode_result_from_json(std::string_view text);

// One rendition, for the transcoder's job result; see json_fields.h.
namespace json {
void describe(Reader& io, RenditionResult& rendition);
void describe(Writer& io, const RenditionResult& rendition);
}  // namespace json

}  // namespace lp::wire
