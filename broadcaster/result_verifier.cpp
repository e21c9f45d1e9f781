#include "result_verifier.h"

#include <span>

#include "eth_key.h"
#include "rendition_probe.h"
#include "result_signing.h"
#include "sha256.h"

namespace lp {
namespace {

Error failed(const std::string& why) { return Error{ErrorCode::VerificationFailed, why}; }

std::span<const uint8_t> span_of(GBytes* bytes) {
  gsize n = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &n));
  return {data, n};
}

// A rendition fits its profile's box (either side 0 = derived from the other); scalers round
// to even sizes, so one pixel over is rounding, not a bigger picture.
bool fits(const Profile& p, int width, int height) {
  return (p.width == 0 || width <= p.width + 1) && (p.height == 0 || height <= p.height + 1);
}

}  // namespace

Result<void> verify_result(const wire::TranscodeResult& result, const std::vector<GBytes*>& renditions,
                           const std::vector<Profile>& profiles, const VerifyOptions& options,
                           std::vector<RenditionCount>* counts) {
  if (result.renditions.size() != profiles.size())
    return failed(std::to_string(result.renditions.size()) + " renditions for " + std::to_string(profiles.size()) +
                  " profiles");
  if (renditions.size() != profiles.size())
    return failed("got the bytes of " + std::to_string(renditions.size()) + " renditions, expected " +
                  std::to_string(profiles.size()));
  for (size_t i = 0; i < profiles.size(); ++i) {
    const auto& r = result.renditions[i];
    const std::string where = "rendition " + std::to_string(i) + " (" + profiles[i].name + ")";
    if (r.name != profiles[i].name) return failed(where + " is named " + r.name);
    if (!renditions[i]) return failed(where + " is missing");
    const auto bytes = span_of(renditions[i]);
    if (static_cast<int64_t>(bytes.size()) != r.bytes)
      return failed(where + " is " + std::to_string(bytes.size()) + " bytes, the result says " +
                    std::to_string(r.bytes));
    if (sha256_hex(bytes.data(), bytes.size()) != r.sha256) return failed(where + " does not hash to its sha256");
  }
  if (options.signer) {
    if (result.signature.empty()) return failed("the result is not signed");
    auto sig = eth::Signature::parse(result.signature);
    if (!sig) return failed("result signature: " + sig.error().message);
    std::vector<std::span<const uint8_t>> spans;
    for (GBytes* b : renditions) spans.push_back(span_of(b));
    auto ok = eth::verify_results(spans, *sig, *options.signer);
    if (!ok) return failed("result signature: " + ok.error().message);
  }
  if (!options.decode) return {};
  for (size_t i = 0; i < profiles.size(); ++i) {
    const auto& r = result.renditions[i];
    const std::string where = "rendition " + std::to_string(i) + " (" + profiles[i].name + ")";
    auto count = count_rendition(renditions[i]);
    if (!count) return failed(where + ": " + count.error().message);
    if (count->frames != r.frames)
      return failed(where + " decodes to " + std::to_string(count->frames) + " frames, the result claims " +
                    std::to_string(r.frames));
    if (count->pixels != r.pixels)
      return failed(where + " decodes to " + std::to_string(count->pixels) + " pixels, the result claims " +
                    std::to_string(r.pixels));
    if ((r.width && r.width != count->width) || (r.height && r.height != count->height))
      return failed(where + " decodes to " + std::to_string(count->width) + "x" + std::to_string(count->height) +
                    ", the result claims " + std::to_string(r.width) + "x" + std::to_string(r.height));
    if (!fits(profiles[i], count->width, count->height))
      return failed(where + " is " + std::to_string(count->width) + "x" + std::to_string(count->height) +
                    ", larger than its profile's " + std::to_string(profiles[i].width) + "x" +
                    std::to_string(profiles[i].height));
    if (counts) counts->push_back(*count);
  }
  return {};
}

}  // namespace lp
