#include "lp_enums.h"

namespace {

GType register_enum(const char* name, const GEnumValue* values) { return g_enum_register_static(name, values); }

}  // namespace

GType lp_speed_preset_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {{LP_SPEED_PRESET_ULTRAFAST, "ultrafast", "ultrafast"},
                                      {LP_SPEED_PRESET_SUPERFAST, "superfast", "superfast"},
                                      {LP_SPEED_PRESET_VERYFAST, "veryfast", "veryfast"},
                                      {LP_SPEED_PRESET_FASTER, "faster", "faster"},
                                      {LP_SPEED_PRESET_FAST, "fast", "fast"},
                                      {LP_SPEED_PRESET_MEDIUM, "medium", "medium"},
                                      {LP_SPEED_PRESET_SLOW, "slow", "slow"},
                                      {LP_SPEED_PRESET_SLOWER, "slower", "slower"},
                                      {LP_SPEED_PRESET_VERYSLOW, "veryslow", "veryslow"},
                                      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, register_enum("LpSpeedPreset", values));
  return type;
}

GType lp_h264_profile_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {LP_H264_PROFILE_UNSET, "Encoder default (High for x264)", "unset"},
      {LP_H264_PROFILE_BASELINE, "Constrained Baseline (go-livepeer H264Baseline)", "baseline"},
      {LP_H264_PROFILE_MAIN, "Main (H264Main)", "main"},
      {LP_H264_PROFILE_HIGH, "High (H264High)", "high"},
      {LP_H264_PROFILE_CONSTRAINED_HIGH, "High without B-frames (H264ConstrainedHigh)", "constrained-high"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, register_enum("LpH264Profile", values));
  return type;
}

GType lp_container_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {LP_CONTAINER_MPEGTS, "MPEG transport stream (H.264, HEVC)", "mpegts"},
      {LP_CONTAINER_MP4, "Fragmented MP4 (H.264, HEVC, VP9, AV1)", "mp4"},
      {LP_CONTAINER_WEBM, "WebM (VP8, VP9, AV1)", "webm"},
      {LP_CONTAINER_AUTO, "By codec: MPEG-TS for H.264/HEVC, fragmented MP4 for VP9/AV1, WebM for VP8", "auto"},
      {0, nullptr, nullptr}};
  if (g_once_init_enter(&type)) g_once_init_leave(&type, register_enum("LpContainer", values));
  return type;
}

const char* lp_enum_nick(GType type, int value) {
  GEnumClass* klass = static_cast<GEnumClass*>(g_type_class_ref(type));
  GEnumValue* v = g_enum_get_value(klass, value);
  const char* nick = v ? v->value_nick : "";
  g_type_class_unref(klass);  // enum classes are static: the nick stays valid
  return nick;
}
