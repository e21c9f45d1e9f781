// GEnum types shared by lpgst's elements, so gst-inspect lists the choices and gst-launch
// accepts their nicks (speed-preset=veryfast, container=mp4, h264-profile=main).
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  LP_SPEED_PRESET_ULTRAFAST,
  LP_SPEED_PRESET_SUPERFAST,
  LP_SPEED_PRESET_VERYFAST,
  LP_SPEED_PRESET_FASTER,
  LP_SPEED_PRESET_FAST,
  LP_SPEED_PRESET_MEDIUM,
  LP_SPEED_PRESET_SLOW,
  LP_SPEED_PRESET_SLOWER,
  LP_SPEED_PRESET_VERYSLOW,
} LpSpeedPreset;

typedef enum {
  LP_H264_PROFILE_UNSET,
  LP_H264_PROFILE_BASELINE,
  LP_H264_PROFILE_MAIN,
  LP_H264_PROFILE_HIGH,
  LP_H264_PROFILE_CONSTRAINED_HIGH,
} LpH264ProfileValue;

typedef enum {
  LP_CONTAINER_MPEGTS,
  LP_CONTAINER_MP4,
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
