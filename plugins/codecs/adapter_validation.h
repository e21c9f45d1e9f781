// What the registry checks before it takes a codec adapter: every field lprendition relies
// on, so a broken adapter is refused at registration with a reason, not at encode time.
#pragma once

#include <lpgst/codec_adapter.h>

#include <optional>
#include <string>

namespace lp {

// nullopt when `adapter` is usable, else what is wrong ("output caps 'video/x-h264' are
// not VP8 (video/x-vp8)"). Does not check that the elements are installed: an adapter
// for a missing encoder is valid, just unavailable.
std::optional<std::string> adapter_problem(const LpCodecAdapter* adapter);

// A full-size copy of a validated `adapter` holding only the fields its api_version has
// (later ones zero): a struct built against an older header is shorter than ours.
LpCodecAdapter adapter_fields(const LpCodecAdapter& adapter);

// The caps media type of a codec's elementary stream: "video/x-h265" for HEVC.
const char* codec_media_type(LpVideoCodec codec);

}  // namespace lp
