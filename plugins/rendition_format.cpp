#include "rendition_format.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>

namespace lp {
namespace {

int round_even(double v) { return std::max(2, 2 * static_cast<int>(std::lround(v / 2.0))); }

bool carries(OutputContainer container, VideoCodec codec) {
  switch (container) {
    case OutputContainer::MpegTs: return codec == VideoCodec::H264 || codec == VideoCodec::HEVC;
    case OutputContainer::Mp4: return codec != VideoCodec::VP8;
    case OutputContainer::WebM: return codec == VideoCodec::VP8 || codec == VideoCodec::VP9 || codec == VideoCodec::AV1;
  }
  return false;
}

bool is(const char* name, const char* media_type) { return std::strcmp(name, media_type) == 0; }

// ffmpeg's av_rescale(a, b, c) for positive values: a*b/c rounded to nearest, halves up.
int64_t rescale_round(int64_t a, int64_t b, int64_t c) { return (a * b + c / 2) / c; }

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

Size lpms_output_size(int iw, int ih, int W, int H) {
  if (iw <= 0 || ih <= 0) return {std::max(2, W), std::max(2, H)};
  if (W <= 0) W = iw;
  if (H <= 0) H = ih;
  // Both factors fit easily in 64 bits: sides are at most a few thousand.
  if (iw >= ih) return {W, std::max(2, static_cast<int>(rescale_round(W, ih, int64_t{2} * iw) * 2))};
  return {std::max(2, static_cast<int>(rescale_round(H, iw, int64_t{2} * ih) * 2)), H};
}

OutputFrame output_frame(SizeRule rule, int width, int height, int par_n, int par_d, int box_w, int box_h) {
  OutputFrame out;
  if (rule == SizeRule::FitBox) {
    out.size = fit_inside_box(width, height, par_n, par_d, box_w, box_h);
    return out;
  }
  out.size = lpms_output_size(width, height, box_w, box_h);
  if (par_n <= 0 || par_d <= 0 || width <= 0 || height <= 0) return out;
  // ffmpeg's scale filter: SAR_out = SAR_in * (ow * ih) / (oh * iw), reduced (av_reduce).
  int64_t n = int64_t{par_n} * out.size.width * height;
  int64_t d = int64_t{par_d} * out.size.height * width;
  const int64_t g = std::gcd(n, d);
  n /= g;
  d /= g;
  // Past int range (absurd sizes and PARs together) the nearest fraction GStreamer can hold.
  if (n > INT32_MAX || d > INT32_MAX) {
    gst_util_double_to_fraction(static_cast<double>(n) / static_cast<double>(d), &out.par_n, &out.par_d);
    return out;
  }
  out.par_n = static_cast<int>(n);
  out.par_d = static_cast<int>(d);
  return out;
}

void choose_frame_rate(int profile_fps_n, int profile_fps_d, const GstStructure* input, int* out_n, int* out_d) {
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

Result<OutputContainer> choose_container(LpContainer requested, VideoCodec codec) {
  switch (requested) {
    case LP_CONTAINER_MPEGTS:
    case LP_CONTAINER_MP4:
    case LP_CONTAINER_WEBM: {
      auto container = requested == LP_CONTAINER_MPEGTS ? OutputContainer::MpegTs
                       : requested == LP_CONTAINER_MP4  ? OutputContainer::Mp4
                                                        : OutputContainer::WebM;
      if (carries(container, codec)) return container;
      std::string others;
      for (auto c : {OutputContainer::MpegTs, OutputContainer::Mp4, OutputContainer::WebM})
        if (carries(c, codec)) others += std::string(others.empty() ? "" : " or ") + container_name(c);
      return Error{ErrorCode::Unsupported, std::string("container ") + container_name(container) + " cannot carry " +
                                               video_codec_name(codec) + ": use container=" + others + " (or auto)"};
    }
    case LP_CONTAINER_AUTO: break;
  }
  switch (codec) {
    case VideoCodec::H264:
    case VideoCodec::HEVC: return OutputContainer::MpegTs;
    case VideoCodec::VP9:
    case VideoCodec::AV1: return OutputContainer::Mp4;
    case VideoCodec::VP8: return OutputContainer::WebM;
  }
  return OutputContainer::MpegTs;
}

LpContainer requested_container(LpContainer property, ProfileContainer profile) {
  switch (profile) {
    case ProfileContainer::Unset: return property;
    case ProfileContainer::MpegTs: return LP_CONTAINER_MPEGTS;
    case ProfileContainer::Mp4: return LP_CONTAINER_MP4;
    case ProfileContainer::WebM: return LP_CONTAINER_WEBM;
  }
  return property;
}

const char* container_name(OutputContainer container) {
  switch (container) {
    case OutputContainer::MpegTs: return "mpegts";
    case OutputContainer::Mp4: return "mp4";
    case OutputContainer::WebM: return "webm";
  }
  return "";
}

const char* muxer_factory(OutputContainer container) {
  switch (container) {
    case OutputContainer::MpegTs: return "mpegtsmux";
    case OutputContainer::Mp4: return "mp4mux";
    case OutputContainer::WebM: return "webmmux";
  }
  return "";
}

const char* audio_encoding_name(OutputContainer container) {
  return container == OutputContainer::WebM ? "Opus" : "AAC";
}

AudioPlan plan_audio(const GstCaps* caps, OutputContainer container, const char** parser) {
  *parser = nullptr;
  if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) return AudioPlan::DecodeAndEncode;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* name = gst_structure_get_name(s);
  if (is(name, "audio/x-raw")) return AudioPlan::Encode;
  if (container == OutputContainer::WebM) {
    // WebM takes Opus and Vorbis only.
    if (is(name, "audio/x-opus")) *parser = "opusparse";
    if (is(name, "audio/x-vorbis")) *parser = "vorbisparse";
    return *parser ? AudioPlan::Copy : AudioPlan::DecodeAndEncode;
  }
  if (is(name, "audio/mpeg")) {
    int version = 0;
    gst_structure_get_int(s, "mpegversion", &version);
    *parser = version == 1 ? "mpegaudioparse" : "aacparse";
    return AudioPlan::Copy;
  }
  // AC-3 plays in HLS from MPEG-TS; mp4mux does not take it.
  if (container == OutputContainer::MpegTs && (is(name, "audio/x-ac3") || is(name, "audio/x-eac3"))) {
    *parser = "ac3parse";
    return AudioPlan::Copy;
  }
  return AudioPlan::DecodeAndEncode;
}

}  // namespace lp
