#include "segmenter.h"

#include <gst/pbutils/pbutils.h>

#include <cmath>
#include <memory>
#include <mutex>
#include <optional>

#include "owned.h"
#include "pipeline_runner.h"

namespace lp {
namespace {

using CapsPtr = Owned<GstCaps, gst_caps_unref>;

struct Streams {
  std::string video;            // caps name of the first video stream ("" = none)
  std::string audio;            // caps name of the first audio stream ("" = none)
  CapsPtr audio_caps;           // its full caps: a demuxer's pad may only show its template at first
  bool program_stream = false;  // MPEG-PS: read in push mode (see segment_input)
};

std::string caps_name(GstCaps* caps) {
  if (!caps || gst_caps_get_size(caps) == 0) return "";
  return gst_structure_get_name(gst_caps_get_structure(caps, 0));
}

// The streams of a file, found before the real pipeline is built so that splitmuxsink gets all
// its pads before data flows (mpegtsmux takes no new stream once it has started).
Result<Streams> discover(const std::string& path) {
  g_autoptr(GError) error = nullptr;
  g_autofree char* uri = gst_filename_to_uri(path.c_str(), &error);
  if (!uri) return Error{ErrorCode::NotFound, path + ": " + error->message};
  if (!g_file_test(path.c_str(), G_FILE_TEST_IS_REGULAR)) return Error{ErrorCode::NotFound, "no such file: " + path};
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new(30 * GST_SECOND, &error);
  if (!discoverer) return Error{ErrorCode::Internal, std::string("GstDiscoverer: ") + error->message};
  g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(discoverer, uri, &error);
  const GstDiscovererResult result = info ? gst_discoverer_info_get_result(info) : GST_DISCOVERER_ERROR;
  if (result == GST_DISCOVERER_MISSING_PLUGINS)
    return Error{ErrorCode::Unsupported, path + ": no GStreamer plugin to read it (" +
                                             std::string(error ? error->message : "missing plugins") + ")"};
  if (result != GST_DISCOVERER_OK)
    return Error{ErrorCode::BadSegment, path + " is not a media file GStreamer can read" +
                                            std::string(error ? std::string(" (") + error->message + ")" : "")};
  Streams s;
  if (GstDiscovererStreamInfo* top = gst_discoverer_info_get_stream_info(info)) {
    g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps(top);
    gboolean system = FALSE;
    s.program_stream = caps_name(caps) == "video/mpeg" &&
                       gst_structure_get_boolean(gst_caps_get_structure(caps, 0), "systemstream", &system) && system;
    gst_discoverer_stream_info_unref(top);
  }
  GList* video = gst_discoverer_info_get_video_streams(info);
  GList* audio = gst_discoverer_info_get_audio_streams(info);
  for (GList* l = video; l && s.video.empty(); l = l->next) {
    auto* v = GST_DISCOVERER_VIDEO_INFO(l->data);
    if (gst_discoverer_video_info_is_image(v)) continue;
    g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(v));
    s.video = caps_name(caps);
  }
  if (audio) {
    s.audio_caps.reset(gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(audio->data)));
    s.audio = caps_name(s.audio_caps.get());
  }
  gst_discoverer_stream_info_list_free(video);
  gst_discoverer_stream_info_list_free(audio);
  if (s.video.empty()) return Error{ErrorCode::BadSegment, path + " has no video track"};
  return s;
}

// "parser ! capsfilter" for a video stream MPEG-TS carries, or nullopt.
std::optional<std::string> video_branch(const std::string& caps) {
  if (caps == "video/x-h264")
    return "h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au";
  if (caps == "video/x-h265")
    return "h265parse config-interval=-1 ! video/x-h265,stream-format=byte-stream,alignment=au";
  if (caps == "video/mpeg") return "mpegvideoparse";
  return std::nullopt;
}

std::string audio_branch(GstCaps* caps) {
  const std::string name = caps_name(caps);
  const GstStructure* s = caps && gst_caps_get_size(caps) ? gst_caps_get_structure(caps, 0) : nullptr;
  int version = 0;
  if (name == "audio/mpeg" && s && gst_structure_get_int(s, "mpegversion", &version)) {
    if (version == 2 || version == 4) return "aacparse ! audio/mpeg,stream-format=adts";
    if (version == 1) return "mpegaudioparse";
  }
  if (name == "audio/x-ac3") return "ac3parse";
  return "";  // anything else is decoded and encoded to AAC (make_decoding_branch)
}

using PadPtr = Owned<GstPad, gst_object_unref>;

struct State {
  CapsPtr audio_caps;  // discovered, when known
  // The muxer's request pads, asked for up front when the streams are known (splitmuxsink
  // names them after its muxer's pads, so they cannot be found again by "audio_0").
  PadPtr video_pad;
  PadPtr audio_pad;
  std::mutex mutex;
  GstElement* pipeline = nullptr;  // borrowed
  GstElement* mux = nullptr;       // borrowed: the splitmuxsink
  bool video_linked = false;
  bool audio_linked = false;
  std::optional<Error> error;
  // Each track gets a queue (a thread) after the demuxer: the demuxer pushes every track from
  // one thread, and splitmuxsink holds one track back until the others reach its cut. A file
  // keeps a second queue after the parser; a live stream does without (a thread less per track),
  // and its queues hold at most what its appsrc may (LiveInput::max_bytes).
  size_t queue_bytes = 64u << 20;
  bool live = false;
};

GstElement* make_branch(const State& st, const std::string& description, std::optional<Error>& error) {
  g_autoptr(GError) e = nullptr;
  // (A bin's description cannot end with caps: the live one ends with an identity.)
  const std::string text = "queue max-size-time=0 max-size-buffers=0 max-size-bytes=" + std::to_string(st.queue_bytes) +
                           " ! " + description + (st.live ? " ! identity silent=true" : " ! queue");
  GstElement* bin = gst_parse_bin_from_description(text.c_str(), TRUE, &e);
  if (!bin) error = Error{ErrorCode::Unsupported, "cannot build " + description + ": " + e->message};
  return bin;
}

void on_decoded_pad(GstElement*, GstPad* pad, gpointer convert) {
  g_autoptr(GstPad) sink = gst_element_get_static_pad(GST_ELEMENT(convert), "sink");
  if (!gst_pad_is_linked(sink)) gst_pad_link(pad, sink);
}

// Audio MPEG-TS does not carry, or HLS players do not play there (Opus, Vorbis, PCM, FLAC):
// decoded and encoded to AAC. Built by hand: decodebin's pad appears only once it runs.
GstElement* make_decoding_branch(std::optional<Error>& error) {
  GstElement* bin = gst_bin_new(nullptr);
  GstElement* decode = gst_element_factory_make("decodebin", nullptr);
  g_autoptr(GError) e = nullptr;
  GstElement* encode = gst_parse_bin_from_description(
      "audioconvert ! audioresample ! avenc_aac bitrate=128000 ! aacparse ! queue", TRUE, &e);
  if (!decode || !encode) {
    error =
        Error{ErrorCode::Unsupported, "cannot build the audio encoder: " + std::string(e ? e->message : "decodebin")};
    if (decode) gst_object_unref(gst_object_ref_sink(decode));
    if (encode) gst_object_unref(gst_object_ref_sink(encode));
    gst_object_unref(gst_object_ref_sink(bin));
    return nullptr;
  }
  gst_bin_add_many(GST_BIN(bin), decode, encode, nullptr);
  g_signal_connect(decode, "pad-added", G_CALLBACK(on_decoded_pad), encode);
  g_autoptr(GstPad) in = gst_element_get_static_pad(decode, "sink");
  g_autoptr(GstPad) out = gst_element_get_static_pad(encode, "src");
  gst_element_add_pad(bin, gst_ghost_pad_new("sink", in));
  gst_element_add_pad(bin, gst_ghost_pad_new("src", out));
  return bin;
}

// Links one demuxed stream: the first video and the first audio go to the muxer, the rest
// to a fakesink (subtitles, second angles, commentary tracks).
void link_stream(State& st, GstPad* pad) {
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const std::string name = caps_name(caps);
  std::lock_guard lock(st.mutex);
  std::string target;
  GstElement* branch = nullptr;
  if (g_str_has_prefix(name.c_str(), "video/") && !st.video_linked) {
    auto description = video_branch(name);
    if (!description) {
      st.error = Error{ErrorCode::Unsupported, "video codec " + name + " cannot be carried in MPEG-TS segments " +
                                                   "(H.264, HEVC and MPEG-2 can)"};
      return;
    }
    branch = make_branch(st, *description, st.error);
    target = "video";
    st.video_linked = true;
  } else if (g_str_has_prefix(name.c_str(), "audio/") && !st.audio_linked) {
    const std::string parse = audio_branch(st.audio_caps ? st.audio_caps.get() : caps);
    branch = parse.empty() ? make_decoding_branch(st.error) : make_branch(st, parse, st.error);
    target = "audio_%u";
    st.audio_linked = true;
  } else {
    branch = gst_element_factory_make("fakesink", nullptr);
    g_object_set(branch, "sync", FALSE, "async", FALSE, nullptr);
  }
  if (!branch) return;
  // Every stream one second later: a source whose first DTS is before its first PTS (B-frames,
  // an MPEG-PS starting at DTS -1 frame) would otherwise have negative running times, which
  // mpegtsmux clips, losing the first GOP. The same offset everywhere keeps A/V sync.
  gst_pad_set_offset(pad, GST_SECOND);
  gst_bin_add(GST_BIN(st.pipeline), branch);
  gst_element_sync_state_with_parent(branch);
  g_autoptr(GstPad) sink = gst_element_get_static_pad(branch, "sink");
  if (const auto r = gst_pad_link(pad, sink); r != GST_PAD_LINK_OK) {
    st.error = Error{ErrorCode::Internal, "cannot link the " + name + " stream (" + gst_pad_link_get_name(r) + ")"};
    return;
  }
  if (target.empty()) return;
  g_autoptr(GstPad) out = gst_element_get_static_pad(branch, "src");
  PadPtr& slot = target == "video" ? st.video_pad : st.audio_pad;
  if (!slot) slot.reset(gst_element_request_pad_simple(st.mux, target.c_str()));
  GstPad* in = slot.get();
  if (!in) {
    st.error = Error{ErrorCode::Internal, "the segment muxer has no " + target + " pad"};
    return;
  }
  if (const auto r = gst_pad_link(out, in); r != GST_PAD_LINK_OK)
    st.error = Error{ErrorCode::Internal,
                     "cannot link the " + name + " stream to the segment muxer (" + gst_pad_link_get_name(r) + ")"};
}

void on_pad_added(GstElement*, GstPad* pad, gpointer data) { link_stream(*static_cast<State*>(data), pad); }

std::string bus_error_text(GstMessage* msg) {
  g_autoptr(GError) err = nullptr;
  g_autofree char* debug = nullptr;
  gst_message_parse_error(msg, &err, &debug);
  return std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg))) + ": " + err->message;
}

}  // namespace

Result<SegmenterSummary> segment_input(const SegmenterOptions& options,
                                       const std::function<void(const SourceSegment&)>& on_segment) {
  const bool live = options.live.has_value();
  const bool from_stdin = !live && options.input == "-";
  const std::string input_name = live ? "the live stream" : options.input;
  Streams streams;
  if (!from_stdin && !live) {
    auto found = discover(options.input);
    if (!found) return found.error();
    streams = std::move(*found);
    if (!video_branch(streams.video))
      return Error{ErrorCode::Unsupported, options.input + ": video codec " + streams.video +
                                               " cannot be carried in MPEG-TS segments (H.264, HEVC and MPEG-2 can)"};
  }
  // stdin is MPEG-TS read in push mode: tsdemux announces every stream before any data.
  // mpegpsdemux (1.22) in pull mode skips the first frames of a program stream; push mode
  // keeps them. Other demuxers stay in pull mode (qtdemux needs it for moov-at-end files).
  const std::string source =
      live ? "appsrc name=in is-live=true format=bytes max-bytes=" + std::to_string(options.live->max_bytes) + " ! " +
                 options.live->demuxer + " name=demux"
      : from_stdin             ? "fdsrc fd=0 ! tsdemux name=demux"
      : streams.program_stream ? "filesrc name=src ! queue ! parsebin name=demux"
                               : "filesrc name=src ! parsebin name=demux";
  const auto max_ns = static_cast<guint64>(std::llround(options.segment_seconds * 1e9));
  const std::string description =
      source +
      " splitmuxsink name=mux async-finalize=false muxer-factory=mpegtsmux max-size-time=" + std::to_string(max_ns);
  // Before the pipeline, so the pipeline (and its pad-added callbacks) stops first.
  auto state = std::make_unique<State>();
  g_autoptr(GError) error = nullptr;
  PipelinePtr pipeline(gst_parse_launch(description.c_str(), &error));
  if (!pipeline) return Error{ErrorCode::Internal, "segmenter pipeline: " + std::string(error->message)};
  if (!from_stdin && !live) {
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline.get()), "src");
    g_object_set(src, "location", options.input.c_str(), nullptr);
  }
  state->pipeline = pipeline.get();
  state->live = live;
  if (live) state->queue_bytes = options.live->max_bytes;
  state->audio_caps = std::move(streams.audio_caps);
  g_autoptr(GstElement) mux = gst_bin_get_by_name(GST_BIN(pipeline.get()), "mux");
  state->mux = mux;
  // The floating muxer is taken by the property.
  g_object_set(mux, "location", (options.work_dir + "/source-%06d.ts").c_str(), "muxer",
               gst_element_factory_make("mpegtsmux", nullptr), nullptr);
  // When the streams are known, the muxer gets its pads now and waits for data on each.
  const bool known = (!from_stdin && !live) || (live && options.live->has_audio.has_value());
  const bool audio = live ? options.live->has_audio.value_or(false) : !streams.audio.empty();
  if (known) {
    state->video_pad.reset(gst_element_request_pad_simple(mux, "video"));
    if (audio) state->audio_pad.reset(gst_element_request_pad_simple(mux, "audio_%u"));
    if (!state->video_pad || (audio && !state->audio_pad))
      return Error{ErrorCode::Internal, "splitmuxsink gave no pads"};
  }
  // A known stream without audio: the demuxer's audio pad, if any, goes to a fakesink.
  state->audio_linked = known && !audio;
  g_autoptr(GstElement) demux = gst_bin_get_by_name(GST_BIN(pipeline.get()), "demux");
  g_signal_connect(demux, "pad-added", G_CALLBACK(on_pad_added), state.get());
  if (live) {
    // A live input that ends before the demuxer found any video: tsdemux then has no pad to
    // send the EOS on and says nothing, so the segmenter would wait for ever (holding its
    // threads). The EOS reaches the demuxer after every byte it was given, so by then the
    // streams are known.
    g_autoptr(GstPad) demux_sink = gst_element_get_static_pad(demux, "sink");
    gst_pad_add_probe(
        demux_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        +[](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
          if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) return GST_PAD_PROBE_OK;
          auto* st = static_cast<State*>(data);
          std::lock_guard lock(st->mutex);
          if (!st->video_linked && !st->error)
            st->error = Error{ErrorCode::BadSegment, "the live stream ended before any video"};
          return GST_PAD_PROBE_OK;
        },
        state.get(), nullptr);
  }

  SegmenterSummary summary;
  summary.has_audio = !streams.audio.empty();
  summary.video_codec = streams.video;
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline.get());
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_autoptr(GstMessage) msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    return Error{ErrorCode::BadSegment, msg ? bus_error_text(msg) : "the segmenter did not start"};
  }
  if (live) {
    g_autoptr(GstElement) in = gst_bin_get_by_name(GST_BIN(pipeline.get()), "in");
    options.live->ready(in);
  }
  std::optional<SourceSegment> open;  // the segment being written
  auto types = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT);
  for (;;) {
    if (options.cancelled && options.cancelled->load()) return Error{ErrorCode::Timeout, "cancelled"};
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND, types);
    {
      std::lock_guard lock(state->mutex);
      if (state->error) return *state->error;
    }
    if (!msg) continue;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      return Error{ErrorCode::BadSegment, input_name + ": " + bus_error_text(msg)};
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) break;
    const GstStructure* s = gst_message_get_structure(msg);
    GstClockTime at = 0;
    if (gst_structure_has_name(s, "splitmuxsink-fragment-opened")) {
      gst_structure_get_uint64(s, "running-time", &at);
      open = SourceSegment{summary.segments, gst_structure_get_string(s, "location"), at, 0};
    } else if (gst_structure_has_name(s, "splitmuxsink-fragment-closed") && open) {
      gst_structure_get_uint64(s, "running-time", &at);
      open->duration = at > open->start ? at - open->start : 0;
      summary.duration += open->duration;
      ++summary.segments;
      on_segment(*open);
      open.reset();
    }
  }
  {
    std::lock_guard lock(state->mutex);
    if (!state->video_linked) return Error{ErrorCode::BadSegment, input_name + " has no video track"};
    summary.has_audio = state->audio_pad != nullptr || (!known && state->audio_linked);
  }
  if (summary.segments == 0) return Error{ErrorCode::BadSegment, input_name + " holds no complete video frame"};
  return summary;
}

}  // namespace lp
