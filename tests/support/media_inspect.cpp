// Test-support: inspect_media. One pipeline:
//   filesrc ! parsebin (its inner typefind names the container)
//     video pad -> queue ! <parser> ! capsfilter(alignment=au, byte-stream) [AU probe] ! <decoder> ! fakesink [decoded
//     probe] audio pad -> queue ! fakesink [audio probe] other pads -> fakesink
#include "media.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace lp::test {
namespace {

struct InspectState {
  std::mutex mu;
  MediaInfo info;
  bool video_linked = false;
  bool audio_linked = false;
  bool first_au_seen = false;
  GstPad* demux_video_pad = nullptr;  // borrowed: the demuxer's first video src pad
  bool demux_video_h264 = false;
  size_t demux_nal_length_size = 0;  // 0: Annex-B byte-stream
  std::optional<bool> demux_first_idr;
  int audio_bytes_per_second = 0;  // raw audio only
  int audio_without_duration = 0;  // buffers with neither a duration nor a raw size to derive one
  GstClockTime audio_min_pts = GST_CLOCK_TIME_NONE, audio_max_pts = GST_CLOCK_TIME_NONE;
  std::string link_error;
  GstElement* pipeline = nullptr;  // borrowed
};

int int_field(const GstStructure* s, const char* name, int fallback = 0) {
  int v = fallback;
  if (gst_structure_get_int(s, name, &v)) return v;
  guint u = 0;
  if (gst_structure_get_uint(s, name, &u)) return static_cast<int>(u);
  return fallback;
}

std::string string_field(const GstStructure* s, const char* name) {
  const gchar* v = gst_structure_get_string(s, name);
  return v ? v : "";
}

// True when an Annex-B access unit holds an IDR slice (nal_unit_type 5).
bool annexb_has_idr(const uint8_t* d, size_t n) {
  for (size_t i = 0; i + 3 < n; ++i) {
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
      if ((d[i + 3] & 0x1F) == 5) return true;
      i += 2;
    }
  }
  return false;
}

std::string chroma_from_raw_format(const std::string& f) {
  if (f.rfind("I420", 0) == 0 || f.rfind("NV12", 0) == 0 || f.rfind("YV12", 0) == 0 || f.rfind("P010", 0) == 0)
    return "4:2:0";
  if (f.rfind("Y42B", 0) == 0 || f.rfind("I422", 0) == 0 || f.rfind("NV16", 0) == 0) return "4:2:2";
  if (f.rfind("Y444", 0) == 0) return "4:4:4";
  if (f.rfind("GRAY", 0) == 0) return "4:0:0";
  return "";
}

void video_caps_to_info(const GstCaps* caps, MediaInfo& info) {
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  info.video_caps_name = gst_structure_get_name(s);
  info.width = int_field(s, "width", info.width);
  info.height = int_field(s, "height", info.height);
  int n = 0, d = 0;
  if (gst_structure_get_fraction(s, "pixel-aspect-ratio", &n, &d)) info.par_n = n, info.par_d = d;
  if (gst_structure_get_fraction(s, "framerate", &n, &d)) info.fps_n = n, info.fps_d = d;
  if (auto p = string_field(s, "profile"); !p.empty()) info.h264_profile = p;
  if (auto c = string_field(s, "chroma-format"); !c.empty()) info.chroma_format = c;
  if (int b = int_field(s, "bit-depth-luma"); b > 0) info.bit_depth = b;
}

GstPadProbeReturn au_probe(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  std::lock_guard lock(st->mu);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
      GstCaps* caps = nullptr;
      gst_event_parse_caps(ev, &caps);
      video_caps_to_info(caps, st->info);
    }
    return GST_PAD_PROBE_OK;
  }
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buf) return GST_PAD_PROBE_OK;
  MediaInfo& mi = st->info;
  if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) mi.keyframes.push_back(mi.frames);
  if (GST_BUFFER_PTS_IS_VALID(buf)) mi.pts.push_back(GST_BUFFER_PTS(buf));
  mi.video_bytes += gst_buffer_get_size(buf);
  if (!st->first_au_seen) {
    st->first_au_seen = true;
    if (mi.video_caps_name == "video/x-h264") {
      GstMapInfo map;
      if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
        mi.first_is_idr = annexb_has_idr(map.data, map.size);
        gst_buffer_unmap(buf, &map);
      }
    }
  }
  ++mi.frames;
  return GST_PAD_PROBE_OK;
}

// True when a length-prefixed (avc) access unit holds an IDR slice.
bool avc_has_idr(const uint8_t* d, size_t n, size_t len_size) {
  size_t o = 0;
  while (o + len_size <= n) {
    size_t len = 0;
    for (size_t i = 0; i < len_size; ++i) len = (len << 8) | d[o + i];
    o += len_size;
    if (len == 0 || len > n - o) break;
    if ((d[o] & 0x1F) == 5) return true;
    o += len;
  }
  return false;
}

// On every demuxer src pad (before parsebin's parsers):
// - Parsers and decoders drop frames before the segment start. mpegpsdemux (1.22) opens its segment
//   ~0.4 s after the first PTS, so the first frames of a valid PS would vanish: the segment is
//   reopened from 0 and the demuxer's start kept in MediaInfo::segment_start.
// - h264parse drops everything before the first SPS/PPS, so a stream cut mid-GOP would still look
//   like it starts with an IDR after parsing: first_is_idr is decided on the first demuxed buffer.
GstPadProbeReturn demux_pad_probe(GstPad* pad, GstPadProbeInfo* info, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    std::lock_guard lock(st->mu);
    if (!buf || pad != st->demux_video_pad) return GST_PAD_PROBE_OK;
    if (st->info.demuxed_video_buffers++ == 0 && st->demux_video_h264) {
      GstMapInfo map;
      if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
        st->demux_first_idr = st->demux_nal_length_size > 0 ? avc_has_idr(map.data, map.size, st->demux_nal_length_size)
                                                            : annexb_has_idr(map.data, map.size);
        gst_buffer_unmap(buf, &map);
      }
    }
    return GST_PAD_PROBE_OK;
  }
  GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
  if (!ev) return GST_PAD_PROBE_OK;
  if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(ev, &caps);
    const GstStructure* s = gst_caps_get_structure(caps, 0);
    const std::string name = gst_structure_get_name(s);
    std::lock_guard lock(st->mu);
    if (name.rfind("video/", 0) != 0 || (st->demux_video_pad && st->demux_video_pad != pad)) return GST_PAD_PROBE_OK;
    st->demux_video_pad = pad;
    st->demux_video_h264 = name == "video/x-h264";
    st->demux_nal_length_size = 0;
    const std::string format = string_field(s, "stream-format");
    const GValue* cd = gst_structure_get_value(s, "codec_data");
    if ((format == "avc" || format == "avc3") && cd && G_VALUE_HOLDS(cd, GST_TYPE_BUFFER)) {
      GstBuffer* codec_data = gst_value_get_buffer(cd);
      guint8 b4 = 0;
      if (gst_buffer_extract(codec_data, 4, &b4, 1) == 1) st->demux_nal_length_size = (b4 & 0x03) + 1;
    }
    return GST_PAD_PROBE_OK;
  }
  if (GST_EVENT_TYPE(ev) != GST_EVENT_SEGMENT) return GST_PAD_PROBE_OK;
  const GstSegment* seg = nullptr;
  gst_event_parse_segment(ev, &seg);
  if (seg->format != GST_FORMAT_TIME || seg->start == 0) return GST_PAD_PROBE_OK;
  {
    std::lock_guard lock(st->mu);
    if (!GST_CLOCK_TIME_IS_VALID(st->info.segment_start)) st->info.segment_start = seg->start;
  }
  GstSegment open;
  gst_segment_copy_into(seg, &open);
  open.start = 0;
  open.time = 0;
  open.position = 0;
  GstEvent* replacement = gst_event_new_segment(&open);
  gst_event_set_seqnum(replacement, gst_event_get_seqnum(ev));
  gst_event_unref(ev);
  GST_PAD_PROBE_INFO_DATA(info) = replacement;
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn decoded_probe(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  std::lock_guard lock(st->mu);
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
      GstCaps* caps = nullptr;
      gst_event_parse_caps(ev, &caps);
      const auto fmt = string_field(gst_caps_get_structure(caps, 0), "format");
      st->info.decoded_format = fmt;
      if (st->info.chroma_format.empty()) st->info.chroma_format = chroma_from_raw_format(fmt);
    }
    return GST_PAD_PROBE_OK;
  }
  ++st->info.decoded_frames;
  return GST_PAD_PROBE_OK;
}

int raw_audio_bytes_per_second(const GstStructure* s) {
  const std::string fmt = string_field(s, "format");
  int bits = 0;
  for (char c : fmt) {
    if (c >= '0' && c <= '9')
      bits = bits * 10 + (c - '0');
    else if (bits > 0)
      break;
  }
  return bits / 8 * int_field(s, "rate") * int_field(s, "channels");
}

GstPadProbeReturn audio_probe(GstPad*, GstPadProbeInfo* info, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  std::lock_guard lock(st->mu);
  MediaInfo& mi = st->info;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
      GstCaps* caps = nullptr;
      gst_event_parse_caps(ev, &caps);
      const GstStructure* s = gst_caps_get_structure(caps, 0);
      mi.audio_caps_name = gst_structure_get_name(s);
      mi.audio_mpegversion = int_field(s, "mpegversion");
      mi.audio_rate = int_field(s, "rate");
      mi.audio_channels = int_field(s, "channels");
      st->audio_bytes_per_second = mi.audio_caps_name == "audio/x-raw" ? raw_audio_bytes_per_second(s) : 0;
    }
    return GST_PAD_PROBE_OK;
  }
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buf) return GST_PAD_PROBE_OK;
  ++mi.audio_buffers;
  if (GST_BUFFER_PTS_IS_VALID(buf)) {
    const GstClockTime pts = GST_BUFFER_PTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(st->audio_min_pts) || pts < st->audio_min_pts) st->audio_min_pts = pts;
    if (!GST_CLOCK_TIME_IS_VALID(st->audio_max_pts) || pts > st->audio_max_pts) st->audio_max_pts = pts;
  }
  if (GST_BUFFER_DURATION_IS_VALID(buf)) {
    mi.audio_duration += GST_BUFFER_DURATION(buf);
  } else if (st->audio_bytes_per_second > 0) {
    mi.audio_duration +=
        gst_util_uint64_scale(gst_buffer_get_size(buf), GST_SECOND, static_cast<guint64>(st->audio_bytes_per_second));
  } else {
    ++st->audio_without_duration;
  }
  return GST_PAD_PROBE_OK;
}

constexpr auto kBufferAndEvents =
    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM);

// Elements created here; those never added to a bin are released on scope exit (exceptions).
class NewElements {
 public:
  NewElements() = default;
  NewElements(const NewElements&) = delete;
  NewElements& operator=(const NewElements&) = delete;
  ~NewElements() {
    for (GstElement* e : made_)
      if (!GST_OBJECT_PARENT(e)) gst_object_unref(gst_object_ref_sink(e));
  }
  GstElement* make(const char* factory, const char* what) {
    GstElement* e = gst_element_factory_make(factory, nullptr);
    if (!e) throw std::runtime_error(std::string("missing element ") + factory + " (" + what + ")");
    made_.push_back(e);
    return e;
  }
  GstElement* fakesink(const char* what) {
    GstElement* e = make("fakesink", what);
    g_object_set(e, "sync", FALSE, nullptr);
    return e;
  }

 private:
  std::vector<GstElement*> made_;
};

// Adds a chain of new elements to the pipeline, links them and pad to the first. Throws on failure.
void add_chain(InspectState* st, GstPad* pad, const std::vector<GstElement*>& chain) {
  for (GstElement* e : chain) gst_bin_add(GST_BIN(st->pipeline), e);
  for (size_t i = 0; i + 1 < chain.size(); ++i)
    if (!gst_element_link(chain[i], chain[i + 1]))
      throw std::runtime_error(std::string("cannot link ") + GST_OBJECT_NAME(chain[i]) + " to " +
                               GST_OBJECT_NAME(chain[i + 1]));
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) gst_element_sync_state_with_parent(*it);
  detail::PadPtr sink(gst_element_get_static_pad(chain.front(), "sink"));
  if (gst_pad_link(pad, sink.get()) != GST_PAD_LINK_OK) throw std::runtime_error("cannot link parsebin pad");
}

void add_probe(GstElement* e, const char* pad_name, GstPadProbeCallback cb, InspectState* st) {
  detail::PadPtr pad(gst_element_get_static_pad(e, pad_name));
  gst_pad_add_probe(pad.get(), kBufferAndEvents, cb, st, nullptr);
}

void link_decodebin_pad(GstElement*, GstPad* pad, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  try {
    NewElements el;
    GstElement* sink = el.fakesink("decoded video");
    add_probe(sink, "sink", decoded_probe, st);
    add_chain(st, pad, {sink});
  } catch (const std::exception& e) {
    std::lock_guard lock(st->mu);
    st->link_error += std::string(e.what()) + "; ";
  }
}

void link_video(InspectState* st, GstPad* pad, const std::string& name) {
  NewElements el;
  std::vector<GstElement*> chain{el.make("queue", "video")};
  GstElement* au_point = chain.back();  // whose src pad sees one buffer per access unit
  const char* parser = nullptr;
  const char* decoder = nullptr;
  const char* parsed_caps = nullptr;
  if (name == "video/x-h264") {
    parser = "h264parse", decoder = "avdec_h264";
    parsed_caps = "video/x-h264,stream-format=byte-stream,alignment=au";
  } else if (name == "video/x-h265") {
    parser = "h265parse", decoder = "avdec_h265";
    parsed_caps = "video/x-h265,stream-format=byte-stream,alignment=au";
  } else if (name == "video/mpeg") {
    parser = "mpegvideoparse", decoder = "avdec_mpeg2video";
  }
  if (parser) {
    chain.push_back(el.make(parser, "video parser"));
    au_point = chain.back();
  }
  if (parsed_caps) {
    GstElement* filter = el.make("capsfilter", "video");
    detail::CapsPtr caps(gst_caps_from_string(parsed_caps));
    g_object_set(filter, "caps", caps.get(), nullptr);
    chain.push_back(filter);
    au_point = filter;
  }
  add_probe(au_point, "src", au_probe, st);
  if (decoder) {
    GstElement* dec = el.make(decoder, "video decoder");
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(dec), "output-corrupt"))
      g_object_set(dec, "output-corrupt", FALSE, nullptr);
    chain.push_back(dec);
    chain.push_back(el.fakesink("decoded video"));
    add_probe(chain.back(), "sink", decoded_probe, st);
  } else {
    GstElement* dbin = el.make("decodebin", "video decoder");
    g_signal_connect(dbin, "pad-added", G_CALLBACK(link_decodebin_pad), st);
    chain.push_back(dbin);
  }
  add_chain(st, pad, chain);
}

void on_parsebin_pad(GstElement*, GstPad* pad, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  detail::CapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  const std::string name =
      caps && !gst_caps_is_empty(caps.get()) ? gst_structure_get_name(gst_caps_get_structure(caps.get(), 0)) : "";
  bool video = false, audio = false;
  {
    std::lock_guard lock(st->mu);
    if (name.rfind("video/", 0) == 0 && !st->video_linked)
      video = st->video_linked = st->info.has_video = true;
    else if (name.rfind("audio/", 0) == 0 && !st->audio_linked)
      audio = st->audio_linked = st->info.has_audio = true;
    if (video) st->info.video_caps_name = name;
  }
  try {
    NewElements el;
    if (video) {
      link_video(st, pad, name);
    } else if (audio) {
      GstElement* queue = el.make("queue", "audio");
      GstElement* sink = el.fakesink("audio");
      add_probe(sink, "sink", audio_probe, st);
      add_chain(st, pad, {queue, sink});
    } else {
      add_chain(st, pad, {el.fakesink("other stream")});
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(st->mu);
    st->link_error += name + ": " + e.what() + "; ";
  }
}

void on_demux_pad(GstElement*, GstPad* pad, gpointer user_data) {
  if (GST_PAD_DIRECTION(pad) == GST_PAD_SRC)
    gst_pad_add_probe(pad, kBufferAndEvents, demux_pad_probe, user_data, nullptr);
}

void on_deep_element_added(GstBin*, GstBin*, GstElement* element, gpointer user_data) {
  GstElementFactory* factory = gst_element_get_factory(element);
  const gchar* klass = factory ? gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_KLASS) : nullptr;
  if (klass && std::strstr(klass, "Demux")) g_signal_connect(element, "pad-added", G_CALLBACK(on_demux_pad), user_data);
}

void on_have_type(GstElement*, guint, GstCaps* caps, gpointer user_data) {
  auto* st = static_cast<InspectState*>(user_data);
  std::lock_guard lock(st->mu);
  if (caps && !gst_caps_is_empty(caps)) st->info.container = gst_structure_get_name(gst_caps_get_structure(caps, 0));
}

}  // namespace

MediaInfo inspect_media(const std::string& path) {
  if (!g_file_test(path.c_str(), G_FILE_TEST_IS_REGULAR))
    throw std::runtime_error("inspect_media: no such file " + path);
  InspectState st;  // declared before the pipeline: outlives it (probes and callbacks point here)
  detail::Pipeline pipeline(gst_pipeline_new("lp-inspect"));
  st.pipeline = pipeline.get();
  NewElements el;
  GstElement* src = el.make("filesrc", "source");
  GstElement* parsebin = el.make("parsebin", "demux");
  g_object_set(src, "location", path.c_str(), nullptr);
  gst_bin_add_many(pipeline.bin(), src, parsebin, nullptr);
  if (!gst_element_link(src, parsebin)) throw std::runtime_error("inspect_media: cannot link filesrc ! parsebin");
  g_signal_connect(parsebin, "pad-added", G_CALLBACK(on_parsebin_pad), &st);
  g_signal_connect(parsebin, "deep-element-added", G_CALLBACK(on_deep_element_added), &st);
  // A typefind element of our own in front would see nothing: parsebin pulls through it in pull
  // mode without it typefinding. parsebin's own typefind (named "typefind") reports the container.
  if (detail::ElementPtr tf{gst_bin_get_by_name(GST_BIN(parsebin), "typefind")})
    g_signal_connect(tf.get(), "have-type", G_CALLBACK(on_have_type), &st);

  auto err = pipeline.run(120);
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);  // streaming threads stopped: st is ours alone
  if (err || !st.link_error.empty())
    throw std::runtime_error("inspect_media(" + path + "): " + err.value_or("") +
                             (st.link_error.empty() ? "" : " [" + st.link_error + "]"));
  if (!st.info.has_video && !st.info.has_audio)
    throw std::runtime_error("inspect_media(" + path + "): no audio or video stream");

  MediaInfo info = std::move(st.info);
  if (st.demux_first_idr) info.first_is_idr = *st.demux_first_idr;
  if (st.audio_without_duration > 0 && info.audio_buffers > 1 && GST_CLOCK_TIME_IS_VALID(st.audio_min_pts)) {
    // Some demuxer/parser pairs (tsdemux ! opusparse) give no durations: span of PTS plus one average buffer.
    const GstClockTime span = st.audio_max_pts - st.audio_min_pts;
    info.audio_duration = span + span / static_cast<GstClockTime>(info.audio_buffers - 1);
  }
  std::sort(info.pts.begin(), info.pts.end());
  if (!info.pts.empty()) info.first_pts = info.pts.front(), info.last_pts = info.pts.back();
  return info;
}

MediaInfo inspect_media_bytes(GBytes* bytes) {
  if (!bytes) throw std::runtime_error("inspect_media_bytes: null bytes");
  // A file keeps demuxers in pull mode (mp4 with the moov at the end, seeking): simplest and robust.
  TempDir dir;
  const std::string path = dir.file("media.bin");
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &size));
  write_file(path, std::vector<uint8_t>(data, data + size));
  return inspect_media(path);
}

}  // namespace lp::test
