#include "wire/result.h"

#include <limits>

#include "wire/json_fields.h"

namespace lp::wire::json {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int kMaxDimension = 16384;

template <typename Io, typename Self>
void map_rendition(Io& io, Self& r) {
  io.string("name", r.name);
  io.string("url", r.url, Need::Optional);
  io.integer("bytes", r.bytes, 0, kInt64Max);
  io.integer("frames", r.frames, 0, kInt64Max);
  io.integer("pixels", r.pixels, 0, kInt64Max);
  io.hex("sha256", r.sha256, 64, Hex::Bare);
  io.integer("width", r.width, 0, kMaxDimension, Need::Optional);
  io.integer("height", r.height, 0, kMaxDimension, Need::Optional);
}

template <typename Io, typename Self>
void map_result(Io& io, Self& r) {
  io.objects("renditions", r.renditions, Need::Required, true);
  io.hex("signature", r.signature, 130, Hex::Prefixed, Need::Optional);
  io.hex("signer", r.signer, 40, Hex::PrefixedKeepCase, Need::Optional);
}

}  // namespace

void describe(Reader& io, RenditionResult& rendition) { map_rendition(io, rendition); }
void describe(Writer& io, const RenditionResult& rendition) { map_rendition(io, rendition); }
void describe(Reader& io, TranscodeResult& result) { map_result(io, result); }
void describe(Writer& io, const TranscodeResult& result) { map_result(io, result); }

}  // namespace lp::wire::json

namespace lp::wire {

std::string to_json(const TranscodeResult& result) { return json::write(result); }

Result<TranscodeResult> transcode_result_from_json(std::string_view text) { return json::parse<TranscodeResult>(text); }

}  // namespace lp::wire
