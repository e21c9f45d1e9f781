// GEnum types shared by lpgst's elements, so gst-inspect lists the choices and gst-launch
// accepts their nicks (speed-preset=veryfast, container=mp4, h264-profile=main). The
// speed-preset and h264-profile enums themselves are public (lpgst/codec_adapter.h).
#pragma once

#include <glib-object.h>
#include <lpgst/codec_adapter.h>  // LpSpeedPreset, LpH264Profile

G_BEGIN_DECLS

// AUTO follows the codec: MPEG-TS for H.264 and HEVC, fragmented MP4 for VP9 and AV1,
// WebM for VP8 (rendition_format.h).
typedef enum {
  LP_CONTAINER_MPEGTS,
  LP_CONTAINER_MP4,
  LP_CONTAINER_WEBM,
  LP_CONTAINER_AUTO,
} LpContainer;

GType lp_speed_preset_get_type(void);
GType lp_h264_profile_get_type(void);
GType lp_container_get_type(void);
#define LP_TYPE_SPEED_PRESET (lp_speed_preset_get_type())
#define LP_TYPE_H264_PROFILE (lp_h264_profile_get_type())
#define LP_TYPE_CONTAINER (lp_container_get_type())

// The nick of an enum value ("veryfast"), for logs and for passing settings on.
const char* lp_enum_nick(GType type, int value);

G_END_DECLS
