// Pure decisions lprendition makes from its settings and input caps: output size, frame
// rate, container and how the audio is carried. Kept apart from the element so they are
// unit-tested directly.
#pragma once

#include <gst/gst.h>

#include "error.h"
#include "lp_enums.h"
#include "profile.h"

namespace lp {

struct Size {
  int width = 0;
  int height = 0;
};

// Fits the source's display rectangle (width x height with pixel aspect par_n/par_d) inside
// box_w x box_h keeping the display aspect ratio. The result has square pixels and even sides.
// A zero box side is computed from the other; both zero keeps the source's display size.
Size fit_inside_box(int width, int height, int par_n, int par_d, int box_w, int box_h);

// go-livepeer's output size (lpms: scale='w=if(gte(iw,ih),W,-2):h=if(lt(iw,ih),H,-2)') for a
// source of iw x ih pixels, its sample aspect ignored as ffmpeg's scale does: a landscape or
// square source gets width W exactly and height round(W*ih / (2*iw)) * 2 (av_rescale: halves
// away from zero); a portrait one height H and width round(H*iw / (2*ih)) * 2. W or H 0 means
// the source's side (ffmpeg's 0); a side that would round to 0 is 2.
Size lpms_output_size(int iw, int ih, int W, int H);

// A scaled frame's size and pixel aspect ratio (reduced).
struct OutputFrame {
  Size size;
  int par_n = 1;
  int par_d = 1;
};

// The frame a rendition outputs under `rule` (profile.h). FitBox: fit_inside_box, square
// pixels. Lpms: lpms_output_size with ffmpeg's scale-filter aspect, output SAR = input SAR *
// (ow*ih) / (oh*iw), so the display aspect is kept as go-livepeer keeps it.
OutputFrame output_frame(SizeRule rule, int width, int height, int par_n, int par_d, int box_w, int box_h);

// Output frame rate: the profile's when fps_n > 0, else the source's; a variable-rate source
// (0/1) uses its max-framerate when given, else 30 fps.
void choose_frame_rate(int profile_fps_n, int profile_fps_d, const GstStructure* input, int* out_n, int* out_d);

enum class OutputContainer { MpegTs, Mp4, WebM };

// The container of a rendition of `codec` when `requested` is asked for. AUTO follows the
// codec: MPEG-TS for H.264 and HEVC (HLS's classic segments), fragmented MP4 for VP9 and AV1
// (MPEG-TS cannot carry them; HLS takes them as fMP4), WebM for VP8 (MP4 cannot carry it).
// An explicit container that cannot carry the codec is an Unsupported error naming both.
Result<OutputContainer> choose_container(LpContainer requested, VideoCodec codec);

// The container a rendition asks choose_container for: the profile's when it names one (it
// overrides the element's property), else the property's.
LpContainer requested_container(LpContainer property, ProfileContainer profile);

const char* container_name(OutputContainer container);  // "mpegts", "mp4", "webm"
const char* muxer_factory(OutputContainer container);   // "mpegtsmux", "mp4mux", "webmmux"

enum class AudioPlan { Encode, Copy, DecodeAndEncode };

// The audio codec a container gets when audio must be encoded: AAC, or Opus for WebM.
const char* audio_encoding_name(OutputContainer container);

// Raw audio is encoded (audio_encoding_name); compressed audio the container (and HLS
// players) can carry is copied; anything else is decoded and re-encoded. For Copy, *parser
// names the parser element that adapts the stream format (ADTS/raw AAC, ...).
AudioPlan plan_audio(const GstCaps* caps, OutputContainer container, const char** parser);

}  // namespace lp
