// Test-support: make_media, the synthetic media generator (videotestsrc/audiotestsrc + encoders + muxers).
#include "media.h"

#include "ts_restamp.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace lp::test {

bool vfr_keeps_frame(int64_t n) { return !(n % 5 == 2 || n % 7 == 3); }

namespace {

int nominal_frames(const MediaSpec& spec) {
  return static_cast<int>(std::llround(spec.seconds * spec.fps_n / spec.fps_d));
}

std::string fraction(int n, int d) { return std::to_string(n) + "/" + std::to_string(d); }

int64_t start_ns(const MediaSpec& spec) { return std::llround(spec.start_seconds * 1e9); }

// Moves a timestamp to the time that mpegtsmux (which truncates) writes as its nearest tick.
void to_exact_tick(const GstSegment* segment, GstClockTime* ts) {
  guint64 abs_running = 0;
  int sign =
      GST_CLOCK_TIME_IS_VALID(*ts) ? gst_segment_to_running_time_full(segment, GST_FORMAT_TIME, *ts, &abs_running) : 0;
  if (sign == 0) return;
  const int64_t running = static_cast<int64_t>(abs_running) * sign;
  const int64_t moved = static_cast<int64_t>(*ts) + lp::mux_time_for_ticks(lp::ns_to_ts_ticks(running)) - running;
  if (moved >= 0) *ts = static_cast<GstClockTime>(moved);
}

GstPadProbeReturn exact_tick_probe(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstEvent* event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (!event) return GST_PAD_PROBE_OK;
  const GstSegment* segment = nullptr;
  gst_event_parse_segment(event, &segment);
  GstBuffer* buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  to_exact_tick(segment, &GST_BUFFER_PTS(buf));
  to_exact_tick(segment, &GST_BUFFER_DTS(buf));
  GST_PAD_PROBE_INFO_DATA(info) = buf;
  gst_event_unref(event);
  return GST_PAD_PROBE_OK;
}

gboolean add_exact_tick_probe(GstElement*, GstPad* pad, gpointer) {
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, exact_tick_probe, nullptr, nullptr);
  return TRUE;
}

// Drops frames in the fixed VFR pattern; the frame number comes from the PTS at the nominal rate.
GstPadProbeReturn vfr_probe(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
  const auto* spec = static_cast<const MediaSpec*>(user_data);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buf || !GST_BUFFER_PTS_IS_VALID(buf)) return GST_PAD_PROBE_OK;
  const auto n = static_cast<int64_t>(
      gst_util_uint64_scale_round(GST_BUFFER_PTS(buf) - static_cast<GstClockTime>(start_ns(*spec)),
                                  static_cast<guint64>(spec->fps_n), static_cast<guint64>(spec->fps_d) * GST_SECOND));
  return vfr_keeps_frame(n) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

std::string video_branch(const MediaSpec& spec) {
  if (spec.width <= 0 || spec.height <= 0 || spec.fps_n <= 0 || spec.fps_d <= 0 || spec.par_n <= 0 || spec.par_d <= 0)
    throw std::runtime_error("make_media: invalid video dimensions, frame rate or PAR");
  const long pixel_rate = static_cast<long>(spec.width) * spec.height * spec.fps_n / spec.fps_d;
  int kbps =
      spec.video_bitrate_kbps > 0 ? spec.video_bitrate_kbps : static_cast<int>(std::max(300L, pixel_rate / 10000L));
  std::ostringstream d;
  d << "videotestsrc name=lpvsrc is-live=false pattern=" << spec.pattern << " num-buffers=" << nominal_frames(spec)
    << " timestamp-offset=" << start_ns(spec);
  if (spec.pattern != "ball") d << " horizontal-speed=4";
  d << " ! video/x-raw,format=" << spec.chroma << ",width=" << spec.width << ",height=" << spec.height
    << ",framerate=" << fraction(spec.fps_n, spec.fps_d) << ",pixel-aspect-ratio=" << fraction(spec.par_n, spec.par_d)
    << ",interlace-mode=progressive";
  if (spec.variable_frame_rate) {
    if (spec.video_codec != "h264") throw std::runtime_error("make_media: variable frame rate needs h264");
    d << " ! identity name=lpvfr ! capssetter name=lpvfrcaps";
  }
  if (spec.video_codec == "h264") {
    d << " ! x264enc speed-preset=" << spec.x264_speed_preset << " key-int-max=" << spec.gop_frames
      << " bframes=" << spec.x264_bframes << " bitrate=" << kbps << " option-string=scenecut=0 ! h264parse";
  } else if (spec.video_codec == "h265") {
    // open-gop=0: key frames are IDR, not CRA, like the H.264 streams.
    d << " ! x265enc speed-preset=" << spec.x264_speed_preset << " key-int-max=" << spec.gop_frames
      << " bitrate=" << kbps << " option-string=\"scenecut=0:open-gop=0:bframes=" << spec.x264_bframes
      << "\" ! h265parse";
  } else if (spec.video_codec == "vp9") {
    d << " ! vp9enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=" << kbps * 1000L
      << " keyframe-max-dist=" << spec.gop_frames << " ! queue";
  } else if (spec.video_codec == "mpeg2") {
    if (spec.chroma != "I420") throw std::runtime_error("make_media: mpeg2 (mpeg2enc) takes I420 only");
    // mpeg2enc (mjpegtools), not avenc_mpeg2video: gst-libav 1.22.0 hands libavcodec a 1/1000000000
    // time base and the MPEG-1/2 encoder refuses it ("does not support 1000000000/1 fps").
    // I/P only: mpeg2enc's B-frames come out with PTS == DTS. 4:2:0 input only.
    d << " ! mpeg2enc format=3 bitrate=" << std::min(kbps * 2, 40000) << " min-gop-size=" << spec.gop_frames
      << " max-gop-size=" << spec.gop_frames
      << " closed-gop=true b-per-refframe=0 sequence-header-every-gop=true disable-encode-retries=true"
         " reduction-2x2=4 reduction-4x4=4 ! mpegvideoparse";
  } else {
    throw std::runtime_error("make_media: unknown video_codec " + spec.video_codec);
  }
  d << " ! queue ! mux. ";
  return d.str();
}

std::string audio_branch(const MediaSpec& spec) {
  const int per_buffer = spec.audio_rate / 50;  // 20 ms buffers
  std::ostringstream d;
  d << "audiotestsrc is-live=false wave=sine freq=440 volume=0.3 samplesperbuffer=" << per_buffer
    << " num-buffers=" << std::llround(spec.seconds * 50) << " timestamp-offset=" << start_ns(spec)
    << " ! audio/x-raw,rate=" << spec.audio_rate << ",channels=" << spec.audio_channels << " ! audioconvert ! ";
  const std::string& c = spec.audio_codec;
  if (spec.container == "mpegps" && c != "mp3" && c != "aac")  // mpegpsmux 1.22 takes MPEG audio and LPCM only
    throw std::runtime_error("make_media: mpegps carries mp3 or aac audio, not " + c);
  if (c == "aac")
    d << "avenc_aac bitrate=128000 ! aacparse";
  else if (c == "mp3")
    d << "lamemp3enc target=bitrate bitrate=128 ! mpegaudioparse";
  else if (c == "ac3")
    d << "avenc_ac3 bitrate=192000 ! ac3parse";
  else if (c == "opus")
    d << "opusenc bitrate=64000 ! opusparse";
  else if (c == "pcm") {
    if (spec.container != "matroska") throw std::runtime_error("make_media: pcm audio needs container=matroska");
    d << "audio/x-raw,format=S16LE";
  } else {
    throw std::runtime_error("make_media: unknown audio_codec " + c);
  }
  d << " ! queue ! mux. ";
  return d.str();
}

}  // namespace

int expected_frames(const MediaSpec& spec) {
  if (spec.video_codec == "none") return 0;
  const int n = nominal_frames(spec);
  if (!spec.variable_frame_rate) return n;
  int kept = 0;
  for (int i = 0; i < n; ++i) kept += vfr_keeps_frame(i) ? 1 : 0;
  return kept;
}

void make_media(const MediaSpec& spec, const std::string& path) {
  if (spec.seconds <= 0) throw std::runtime_error("make_media: seconds must be > 0");
  std::string mux;
  if (spec.container == "mpegts")
    mux = "mpegtsmux";
  else if (spec.container == "mp4")
    mux = "mp4mux";
  else if (spec.container == "matroska")
    mux = "matroskamux";
  else if (spec.container == "mpegps")
    mux = "mpegpsmux";
  else
    throw std::runtime_error("make_media: unknown container " + spec.container);
  const bool video = spec.video_codec != "none", audio = spec.audio_codec != "none";
  if (!video && !audio) throw std::runtime_error("make_media: neither video nor audio requested");

  std::string desc = mux + " name=mux ! filesink name=lpsink ";
  if (video) desc += video_branch(spec);
  if (audio) desc += audio_branch(spec);

  detail::Pipeline pipeline(detail::parse_pipeline(desc));
  detail::ElementPtr sink(gst_bin_get_by_name(pipeline.bin(), "lpsink"));
  g_object_set(sink.get(), "location", path.c_str(), nullptr);
  if (spec.ts_exact_ticks) {
    if (spec.container != "mpegts") throw std::runtime_error("make_media: ts_exact_ticks needs mpegts");
    detail::ElementPtr mux_element(gst_bin_get_by_name(pipeline.bin(), "mux"));
    gst_element_foreach_sink_pad(mux_element.get(), add_exact_tick_probe, nullptr);
  }
  if (spec.variable_frame_rate) {
    detail::ElementPtr vfr(gst_bin_get_by_name(pipeline.bin(), "lpvfr"));
    detail::PadPtr src(gst_element_get_static_pad(vfr.get(), "src"));
    // The probe reads spec, which outlives the pipeline (the pipeline is stopped before returning).
    gst_pad_add_probe(src.get(), GST_PAD_PROBE_TYPE_BUFFER, vfr_probe, const_cast<MediaSpec*>(&spec), nullptr);
    detail::ElementPtr setter(gst_bin_get_by_name(pipeline.bin(), "lpvfrcaps"));
    detail::CapsPtr caps(gst_caps_from_string("video/x-raw,framerate=(fraction)0/1"));
    g_object_set(setter.get(), "caps", caps.get(), nullptr);
  }
  const double timeout = std::max(120.0, spec.seconds * 30.0);
  if (auto err = pipeline.run(timeout))
    throw std::runtime_error("make_media(" + path + "): " + *err + " [" + desc + "]");
}

}  // namespace lp::test
