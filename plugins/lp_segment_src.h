// lpsegmentsrc: emits the bytes of one media segment, then EOS. The bytes come from a file
// (location), an http(s) URL (uri, fetched with libsoup) or application memory (bytes).
// Random access is supported, so demuxers that want pull mode (qtdemux) get it.
#pragma once

#include <gst/base/gstbasesrc.h>

G_BEGIN_DECLS

#define LP_TYPE_SEGMENT_SRC (lp_segment_src_get_type())
G_DECLARE_FINAL_TYPE(LpSegmentSrc, lp_segment_src, LP, SEGMENT_SRC, GstBaseSrc)

G_END_DECLS
