// lpladder: one segment's bytes in, N renditions out. Demuxes any container this GStreamer
// can (parsebin), decodes the video once, and feeds one lprendition per profile through a
// tee; audio is carried into every rendition. Request src pads src_%u follow profile order.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define LP_TYPE_LADDER (lp_ladder_get_type())
G_DECLARE_FINAL_TYPE(LpLadder, lp_ladder, LP, LADDER, GstBin)

G_END_DECLS
