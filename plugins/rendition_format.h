// Pure decisions lprendition makes from its input caps: output size, frame rate and how the
// audio is carried. Kept apart from the element so they are unit-tested directly.
#pragma once

#include <gst/gst.h>

namespace lp {

struct Size {
  int width = 0;
  int height = 0;
};

// Fits the source's display rectangle (width x height with pixel aspect par_n/par_d) inside
// box_w x box_h keeping the display aspect ratio. The result has square pixels and even sides.
// A zero box side is computed from the other; both zero keeps the source's display size.
Size fit_inside_box(int width, int height, int par_n, int par_d, int box_w, int box_h);

// Output frame rate: the profile's when fps_n > 0, else the source's; a variable-rate source
// (0/1) uses its max-framerate when given, else 30 fps.
void choose_frame_rate(int profile_fps_n, int profile_fps_d, const GstStructure* input,
                       int* out_n, int* out_d);

enum class AudioPlan { Encode, Copy, DecodeAndEncode };

// Raw audio is encoded to AAC; compressed audio the container (and HLS players) can carry is
// copied; anything else is decoded and re-encoded to AAC. For Copy, *parser names the parser
// element that adapts the stream format (ADTS/raw AAC, ...).
AudioPlan plan_audio(const GstCaps* caps, bool mp4, const char** parser);

}  // namespace lp
