#include "rendition_branch.h"

#include <gst/video/video.h>

#include "adapter_registry.h"
#include "cuda_memory.h"
#include "rendition_format.h"

namespace lp {
namespace {

GstElement* make(const char* factory) { return gst_element_factory_make(factory, nullptr); }

// The audio encoders we know for a container, best first: AAC, or Opus for WebM.
GstElement* make_audio_encoder(OutputContainer container) {
  static const std::vector<const char*> opus = {"opusenc"};
  static const std::vector<const char*> aac = {"fdkaacenc", "avenc_aac", "voaacenc"};
  for (const char* name : container == OutputContainer::WebM ? opus : aac) {
    if (GstElement* e = make(name)) {
      g_object_set(e, "bitrate", 128000, nullptr);
      return e;
    }
  }
  return nullptr;
}

bool all_made(const std::vector<GstElement*>& elements) {
  for (GstElement* e : elements)
    if (!e) return false;
  return true;
}

void drop_unowned(std::vector<GstElement*>& elements) {
  for (GstElement* e : elements)
    if (e) gst_object_unref(gst_object_ref_sink(e));
  elements.clear();
}

void remove_all(GstBin* bin, std::vector<GstElement*>& elements) {
  for (GstElement* e : elements) {
    gst_element_set_state(e, GST_STATE_NULL);
    gst_bin_remove(bin, e);
  }
  elements.clear();
}

// Chroma sited as H.264/HEVC decoders assume (MPEG-2's). Stating it also keeps it in the
// encoder's caps, which mp4mux 1.22.0 needs for VP9 (it crashes on VP9 caps without it).
// The pixel aspect is square except under the lpms size rule (rendition_format.h); the
// encoder writes it into the stream (H.264/HEVC VUI).
GstCaps* raw_output_caps(const VideoChainPlan& plan, const OutputFrame& frame, int fps_n, int fps_d) {
  GstCaps* caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, plan.format.c_str(), "width", G_TYPE_INT,
                                      frame.size.width, "height", G_TYPE_INT, frame.size.height, "pixel-aspect-ratio",
                                      GST_TYPE_FRACTION, frame.par_n, frame.par_d, "framerate", GST_TYPE_FRACTION,
                                      fps_n, fps_d, "chroma-site", G_TYPE_STRING, "mpeg2", nullptr);
  if (plan.cuda_frames) set_cuda_memory(caps);
  return caps;
}

// The GPU a rendition runs on: the configured one, else for CUDA input the one its frames
// are on (the context upstream elements share), else the first.
int rendition_device(const BranchConfig& config, bool cuda_input, GstElement* from) {
  if (config.cuda_device >= 0 || !cuda_input) return config.cuda_device;
  g_autoptr(GstPad) sink = from ? gst_element_get_static_pad(from, "sink") : nullptr;
  return sink ? upstream_cuda_device(sink).value_or(0) : 0;
}

void set_device(GstElement* e, int device) {
  if (device >= 0 && g_object_class_find_property(G_OBJECT_GET_CLASS(e), "cuda-device-id"))
    g_object_set(e, "cuda-device-id", device, nullptr);
}

// Properties of the scaler the plan chose.
void configure_scaler(GstElement* scale, int device) {
  g_object_set(scale, "add-borders", FALSE, nullptr);
  if (g_str_equal(GST_OBJECT_NAME(gst_element_get_factory(scale)), "cudaconvertscale")) {
    // No method or sharpness to choose: the CUDA converter samples bilinearly.
    set_device(scale, device);
    return;
  }
  // The default 2-tap bilinear loses 1-8 dB PSNR at 360p/240p; multi-tap bilinear does not.
  // bilinear2 rounds its tap count up and stretches the filter to fit, blurring non-integer
  // ratios (1080p -> 480p, 240p) by ~11%: sharpness 1.25 narrows it back, +0.7 to +1.9 dB
  // PSNR at 480p/360p/240p and 8% less scaler CPU (docs/performance.md).
  gst_util_set_object_arg(G_OBJECT(scale), "method", "bilinear2");
  g_object_set(scale, "sharpness", 1.25, nullptr);
}

std::string missing_names(const std::vector<std::string>& names, const std::vector<GstElement*>& made) {
  std::string missing;
  for (size_t i = 0; i < names.size(); ++i)
    if (!made[i]) missing += (missing.empty() ? "" : ", ") + names[i];
  return missing;
}

}  // namespace

bool add_chain(GstBin* bin, GstElement* from, const std::vector<GstElement*>& elements, GstPad* to) {
  for (GstElement* e : elements) gst_bin_add(bin, e);
  GstElement* prev = from;
  for (GstElement* e : elements) {
    if (prev && !gst_element_link(prev, e)) return false;
    prev = e;
  }
  if (to && prev) {
    g_autoptr(GstPad) src = gst_element_get_static_pad(prev, "src");
    if (!src || GST_PAD_LINK_FAILED(gst_pad_link(src, to))) return false;
  }
  for (auto it = elements.rbegin(); it != elements.rend(); ++it) gst_element_sync_state_with_parent(*it);
  return true;
}

Result<void> VideoBranch::configure(GstBin* bin, GstCaps* input_caps, const BranchConfig& config, GstElement* from,
                                    GstPad* to, GstElement* scaled_tee) {
  GstVideoInfo info;
  if (!gst_video_info_from_caps(&info, input_caps)) return Error{ErrorCode::Internal, "unusable video caps"};
  const GstStructure* s = gst_caps_get_structure(input_caps, 0);
  const OutputFrame frame = output_frame(config.profile.size_rule, GST_VIDEO_INFO_WIDTH(&info),
                                         GST_VIDEO_INFO_HEIGHT(&info), GST_VIDEO_INFO_PAR_N(&info),
                                         GST_VIDEO_INFO_PAR_D(&info), config.profile.width, config.profile.height);
  const Size size = frame.size;
  width_ = size.width;
  height_ = size.height;
  if (filter_) {
    // Input changed mid-stream: keep the rate, path and encoder, refit the size.
    g_autoptr(GstCaps) caps = raw_output_caps(plan_, frame, fps_n_, fps_d_);
    g_object_set(filter_, "caps", caps, nullptr);
    return {};
  }
  choose_frame_rate(config.profile.fps, config.profile.fps_den, s, &fps_n_, &fps_d_);
  const bool cuda_input = caps_in_cuda_memory(input_caps);

  EncodeSettings settings;
  settings.width = size.width;
  settings.height = size.height;
  settings.fps_n = fps_n_;
  settings.fps_d = fps_d_;
  settings.bitrate = config.profile.bitrate;
  settings.gop = config.profile.gop;
  settings.h264_profile = config.profile.h264_profile;
  settings.quality = config.profile.quality;
  settings.speed_preset = config.speed_preset;
  settings.device = rendition_device(config, cuda_input, from);
  auto adapter = find_codec_adapter(config.encoder, config.profile.codec, settings.device);
  if (!adapter) return adapter.error();
  auto coded_caps = (*adapter)->output_caps(settings);
  if (!coded_caps) return coded_caps.error();
  auto encoder = (*adapter)->make_encoder(settings);
  if (!encoder) return encoder.error();

  plan_ = plan_video_chain(cuda_input, (*adapter)->takes_cuda_memory(),
                           GST_OBJECT_NAME(gst_element_get_factory(*encoder)), (*adapter)->parser());
  path_ = plan_.path;
  std::vector<GstElement*> scale_part, encode_part;
  for (const std::string& name : plan_.scale) scale_part.push_back(make(name.c_str()));
  for (size_t i = 0; i < plan_.encode.size(); ++i)
    encode_part.push_back(i == plan_.encoder_index ? *encoder : make(plan_.encode[i].c_str()));
  std::string missing = missing_names(plan_.scale, scale_part);
  const std::string missing_encode = missing_names(plan_.encode, encode_part);
  if (!missing_encode.empty()) missing += (missing.empty() ? "" : ", ") + missing_encode;
  std::vector<GstElement*> chain = scale_part;
  chain.insert(chain.end(), encode_part.begin(), encode_part.end());
  if (!missing.empty()) {
    drop_unowned(chain);
    return Error{ErrorCode::Internal, "missing GStreamer elements for the " + std::string(video_path_name(plan_.path)) +
                                          " video path: " + missing};
  }
  // The first frame opens the output, as ffmpeg's fps filter does: by default videorate
  // repeats it back to the segment start, which demuxers may put well before it (lpladder
  // opens MPEG-PS and Matroska segments from 0: demux_guards.h).
  g_object_set(scale_part[0], "skip-to-first", TRUE, nullptr);
  GstElement* scale = scale_part[1];
  GstElement* raw_filter = scale_part[2];
  GstElement* coded_filter = encode_part[plan_.encoder_index + 1];
  configure_scaler(scale, settings.device);
  if (plan_.encoder_index > 0) set_device(encode_part[0], settings.device);  // up/download
  g_autoptr(GstCaps) raw_caps = raw_output_caps(plan_, frame, fps_n_, fps_d_);
  g_object_set(raw_filter, "caps", raw_caps, nullptr);
  g_object_set(coded_filter, "caps", coded_caps->get(), nullptr);
  // H.264/HEVC parameter sets before every IDR, so each segment decodes on its own.
  GstElement* parser = encode_part.back();
  if (parser != coded_filter && g_object_class_find_property(G_OBJECT_GET_CLASS(parser), "config-interval"))
    g_object_set(parser, "config-interval", -1, nullptr);
  filter_ = raw_filter;

  g_autoptr(GstPad) encoder_src = gst_element_get_static_pad(*encoder, "src");
  gst_pad_add_probe(encoder_src, GST_PAD_PROBE_TYPE_BUFFER, count_frame, this, nullptr);
  elements_ = chain;
  if (!scaled_tee) {
    if (!add_chain(bin, from, chain, to)) return Error{ErrorCode::Internal, "could not link the video branch"};
    return {};
  }
  // from -> rate -> scale -> filter -> scaled_tee -> [transfer ->] encoder -> ... -> to
  if (!add_chain(bin, nullptr, encode_part, to) || !gst_element_link(scaled_tee, encode_part[0]) ||
      !add_chain(bin, from, scale_part, nullptr) || !gst_element_link(scale_part.back(), scaled_tee))
    return Error{ErrorCode::Internal, "could not link the video branch"};
  return {};
}

GstPadProbeReturn VideoBranch::count_frame(GstPad*, GstPadProbeInfo*, gpointer data) {
  auto* self = static_cast<VideoBranch*>(data);
  self->frames_++;
  self->pixels_ += static_cast<guint64>(self->width_.load()) * self->height_.load();
  return GST_PAD_PROBE_OK;
}

void VideoBranch::remove(GstBin* bin) {
  remove_all(bin, elements_);
  filter_ = nullptr;
  reset_counts();
}

Result<void> AudioBranch::configure(GstBin* bin, GstCaps* input_caps, OutputContainer container, GstElement* from,
                                    GstPad* to) {
  if (!elements_.empty()) return {};  // later caps: the chain adapts by negotiation
  const char* parser = nullptr;
  AudioPlan plan = plan_audio(input_caps, container, &parser);
  std::vector<GstElement*> chain;
  if (plan == AudioPlan::Copy) {
    chain = {make(parser)};
  } else {
    chain = {make("audioconvert"), make("audioresample"), make_audio_encoder(container)};
    if (container != OutputContainer::WebM) chain.push_back(make("aacparse"));  // opusenc frames its own
    if (plan == AudioPlan::DecodeAndEncode) chain.insert(chain.begin(), make("decodebin"));
  }
  if (!all_made(chain)) {
    drop_unowned(chain);
    return Error{ErrorCode::Internal, std::string("missing GStreamer elements for audio (an ") +
                                          audio_encoding_name(container) + " encoder, audioconvert, parsers)"};
  }
  elements_ = chain;
  if (plan != AudioPlan::DecodeAndEncode) {
    if (!add_chain(bin, from, chain, to)) return Error{ErrorCode::Internal, "could not link the audio branch"};
    return {};
  }
  // decodebin's pad appears later: link it to the AAC chain then.
  GstElement* decodebin = chain[0];
  encode_head_ = chain[1];
  std::vector<GstElement*> tail(chain.begin() + 1, chain.end());
  gst_bin_add(bin, decodebin);
  if (!gst_element_link(from, decodebin)) return Error{ErrorCode::Internal, "could not link the audio decoder"};
  if (!add_chain(bin, nullptr, tail, to)) return Error{ErrorCode::Internal, "could not link the audio encoder"};
  g_signal_connect(decodebin, "pad-added", G_CALLBACK(on_decoded_pad), this);
  gst_element_sync_state_with_parent(decodebin);
  return {};
}

void AudioBranch::on_decoded_pad(GstElement*, GstPad* pad, gpointer data) {
  auto* self = static_cast<AudioBranch*>(data);
  g_autoptr(GstPad) sink = gst_element_get_static_pad(self->encode_head_, "sink");
  if (!gst_pad_is_linked(sink)) gst_pad_link(pad, sink);
}

void AudioBranch::remove(GstBin* bin) {
  remove_all(bin, elements_);
  encode_head_ = nullptr;
}

}  // namespace lp
