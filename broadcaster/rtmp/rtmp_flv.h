// RTMP media messages as FLV (the container flvdemux reads): audio, video and script-data
// messages carry FLV tag bodies, so a stream becomes a file header plus one tag per message.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "transcode.h"  // BytesPtr

namespace lp::rtmp {

// "FLV", version 1, flags audio + video, header size 9, PreviousTagSize0 = 0. Both flags
// always: onMetaData cannot tell (flvmux, for one, may name only the codec whose caps came
// first), and flvdemux adds pads for the tags it meets whatever the header says.
BytesPtr flv_file_header();

// One tag: the 11-byte tag header (type, size, timestamp with its upper byte, stream id 0),
// the body, and PreviousTagSize. `type` is 8 (audio), 9 (video) or 18 (script data).
BytesPtr flv_tag(uint8_t type, uint32_t timestamp, std::string_view body);

// A data message's body as an FLV script tag body: an "@setDataFrame" wrapper (what
// publishers send for onMetaData) is removed; nullopt for other "@" server directives
// (such as "@clearDataFrame"), which are not stream content.
std::optional<std::string_view> script_tag_body(std::string_view data_message);

}  // namespace lp::rtmp
