// lprendition: a bin from decoded raw video (+ optional audio) to one encoded, muxed
// rendition: scale into the profile's box (display aspect kept, square pixels, even sides),
// constant frame rate, encode through a codec adapter, mux (MPEG-TS, fragmented MP4 or WebM,
// by default as the codec needs) with the source's own timestamps.
//
// Pads: "video" (always, raw video), "audio" (request, raw or compressed audio), "src".
// On EOS it posts an element message "lprendition-stats" {name, profile, width, height,
// frames, pixels, codec, container} — pixels is sum(width x height) over encoded frames, as
// go-livepeer reports.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define LP_TYPE_RENDITION (lp_rendition_get_type())
G_DECLARE_FINAL_TYPE(LpRendition, lp_rendition, LP, RENDITION, GstBin)

G_END_DECLS
