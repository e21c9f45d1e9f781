#include "rendition_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lp {
namespace {

int round_even(double v) { return std::max(2, 2 * static_cast<int>(std::lround(v / 2.0))); }

}  // namespace

Size fit_inside_box(int width, int height, int par_n, int par_d, int box_w, int box_h) {
  if (par_n <= 0 || par_d <= 0) par_n = par_d = 1;
  double display_w = static_cast<double>(width) * par_n / par_d;
  double display_h = height;
  if (box_w <= 0 && box_h <= 0) return {round_even(display_w), round_even(display_h)};
  if (box_w <= 0) return {round_even(box_h * display_w / display_h), round_even(box_h)};
  if (box_h <= 0) return {round_even(box_w), round_even(box_w * display_h / display_w)};
  if (display_w * box_h >= box_w * display_h) {
    return {round_even(box_w), round_even(box_w * display_h / display_w)};
  }
  return {round_even(box_h * display_w / display_h), round_even(box_h)};
}

void choose_frame_rate(int profile_fps_n, int profile_fps_d, const GstStructure* input,
                       int* out_n, int* out_d) {
  if (profile_fps_n > 0) {
    *out_n = profile_fps_n;
    *out_d = profile_fps_d > 0 ? profile_fps_d : 1;
    return;
  }
  int n = 0, d = 1;
  if (input && gst_structure_get_fraction(input, "framerate", &n, &d) && n > 0 && d > 0) {
    *out_n = n;
    *out_d = d;
    return;
  }
  if (input && gst_structure_get_fraction(input, "max-framerate", &n, &d) && n > 0 && d > 0) {
    *out_n = n;
    *out_d = d;
    return;
  }
  *out_n = 30;
  *out_d = 1;
}

AudioPlan plan_audio(const GstCaps* caps, bool mp4, const char** parser) {
  *parser = nullptr;
  if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) return AudioPlan::DecodeAndEncode;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* name = gst_structure_get_name(s);
  if (std::strcmp(name, "audio/x-raw") == 0) return AudioPlan::Encode;
  if (std::strcmp(name, "audio/mpeg") == 0) {
    int version = 0;
    gst_structure_get_int(s, "mpegversion", &version);
    *parser = version == 1 ? "mpegaudioparse" : "aacparse";
    return AudioPlan::Copy;
  }
  // AC-3 plays in HLS from MPEG-TS; mp4mux does not take it.
  if (!mp4 && (std::strcmp(name, "audio/x-ac3") == 0 || std::strcmp(name, "audio/x-eac3") == 0)) {
    *parser = "ac3parse";
    return AudioPlan::Copy;
  }
  return AudioPlan::DecodeAndEncode;
}

}  // namespace lp
