// Test-support library: generates varied media with GStreamer at test time and inspects
// renditions (container, codec, profile, chroma, dimensions, PAR, frames, keyframes, PTS,
// audio). No media is committed: every test encodes what it needs.
//
// Split over media.cpp (TempDir, files, run_launch, raw MPEG-TS parsing, make_ts_segments),
// media_generate.cpp (make_media) and media_inspect.cpp (inspect_media).
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lp::test {

// Temporary directory, removed recursively at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const;

 private:
  std::string path_;
};

struct MediaSpec {
  int width = 1920, height = 1080;
  int fps_n = 30, fps_d = 1;
  double seconds = 2.0;
  std::string chroma = "I420";       // raw format fed to the encoder: I420, Y42B (4:2:2), Y444 (4:4:4)
  int par_n = 1, par_d = 1;          // pixel aspect ratio signalled in the stream (anamorphic when != 1)
  bool variable_frame_rate = false;  // deterministic irregular frame timing, caps framerate 0/1
  std::string video_codec = "h264";  // "h264" (x264enc) | "mpeg2" (mpeg2enc, 4:2:0) | "none"
                                     // also "h265" (x265enc, IDR GOPs) | "vp9" (vp9enc; matroska)
  std::string audio_codec = "none";  // "none" | "aac" | "mp3" | "ac3" | "opus" | "pcm" (raw s16le, only in matroska)
  std::string container = "mpegts";  // "mpegts" | "mp4" | "matroska" | "mpegps"
  int gop_frames = 60;               // keyframe interval (x264 key-int-max / mpeg2 gop size)
  int x264_bframes = 2;              // b-frames, so DTS != PTS like real streams (x264 and x265)
  // Additions beyond the base contract:
  // videotestsrc pattern. Non-ball patterns scroll horizontally (horizontal-speed=4). The default,
  // scrolling SMPTE bars, fills a realistic bitrate (1080p30 veryfast at 6 Mbit/s: ~7 Mbit/s out);
  // "ball" on black compresses to ~170 kbit/s whatever the target.
  std::string pattern = "smpte";
  std::string x264_speed_preset = "veryfast";  // x264enc / x265enc speed-preset
  int video_bitrate_kbps = 0;                  // 0: derived from the pixel rate (~0.1 bit/pixel)
  int audio_rate = 48000, audio_channels = 2;
  // Time of the first frame and sample (timestamp-offset of the test sources): a source whose
  // clock does not start at 0, as real cameras and DVDs do not.
  double start_seconds = 0;
  // MPEG-TS: every PTS/DTS on the 90 kHz tick nearest the frame's time, as ffmpeg writes
  // them. mpegtsmux alone truncates (1/30 s becomes 2999 ticks, not 3000).
  bool ts_exact_ticks = false;
};

// The frames the VFR generator keeps: frame n (at the nominal rate) is dropped when
// n % 5 == 2 or n % 7 == 3. Exposed so tests can compute the expected frame count.
bool vfr_keeps_frame(int64_t n);
// Number of video frames make_media writes for spec (seconds*fps, minus VFR drops).
int expected_frames(const MediaSpec& spec);

// Encodes moving content (videotestsrc pattern=ball or smpte with motion, audiotestsrc sine) into `path`.
// Throws std::runtime_error with the GStreamer error text on failure.
void make_media(const MediaSpec& spec, const std::string& path);

// Consecutive keyframe-aligned MPEG-TS segments of ONE stream (PTS continue across them, as a live
// segmenter cuts them): encodes spec (container must be mpegts; seconds = total) and cuts it at
// the first keyframe at or after every `segment_seconds`. Every segment starts with PAT+PMT and a
// keyframe, so each is decodable alone. Returns the file paths in order.
// Files are named <prefix>NNN.ts in dir.
std::vector<std::string> make_ts_segments(const MediaSpec& spec, double segment_seconds, const TempDir& dir,
                                          std::string_view prefix = "segment");

std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const std::vector<uint8_t>& data);
GBytes* bytes_from_file(const std::string& path);  // caller owns (g_bytes_unref); for GstBytes APIs

struct MediaInfo {
  std::string container;  // caps name from typefind, e.g. "video/mpegts", "video/quicktime"
  bool has_video = false;
  std::string video_caps_name;  // e.g. "video/x-h264"
  std::string h264_profile;     // from h264parse caps ("high", "main", "constrained-baseline", ...)
                                // (the parser's "profile" for other codecs too: h265parse, mpegvideoparse)
  std::string chroma_format;    // "4:2:0" ... (parser caps; else derived from the decoded format)
  int bit_depth = 0;
  int width = 0, height = 0, par_n = 1, par_d = 1;
  int fps_n = 0, fps_d = 1;                      // framerate from the parsed caps (0/1: variable or unknown)
  int frames = 0;                                // video access units (h264parse alignment=au), decode order
  int decoded_frames = 0;                        // frames that actually decode (avdec_h264 / decodebin)
  std::string decoded_format;                    // raw format the decoder outputs ("I420", "Y444", ...)
  std::vector<int> keyframes;                    // indices (decode order) of non-delta units
  bool first_is_idr = false;                     // first AU contains an IDR NAL (nal_unit_type 5) (H.264 only)
                                                 // (judged on the demuxer's first video buffer: h264parse drops
                                                 // all AUs before the first SPS/PPS, so `frames` can miss them)
  int demuxed_video_buffers = 0;                 // video buffers out of the demuxer (before any parser)
  GstClockTime first_pts = GST_CLOCK_TIME_NONE;  // smallest video PTS as the demuxer outputs it
  GstClockTime last_pts = GST_CLOCK_TIME_NONE;   // largest
  std::vector<GstClockTime> pts;                 // all video PTS sorted ascending (to check constant frame rate)
  uint64_t video_bytes = 0;                      // sum of video access unit sizes
  // Start of the demuxer's first segment when not 0 (frames before it would be clipped by parsers,
  // decoders and sinks; inspect opens the segment from 0 and counts them). NONE when 0.
  GstClockTime segment_start = GST_CLOCK_TIME_NONE;
  bool has_audio = false;
  std::string audio_caps_name;  // "audio/mpeg", "audio/x-ac3", ...
  int audio_mpegversion = 0, audio_rate = 0, audio_channels = 0;
  GstClockTime audio_duration = 0;  // sum of audio buffer durations (PTS span + 1 buffer when the
                                    // stream has none, e.g. tsdemux ! opusparse)
  int audio_buffers = 0;
};
// Runs the file through GStreamer (typefind/parsebin + parsers + a decode pass) and fills MediaInfo.
// Throws std::runtime_error naming the problem if the file cannot be demuxed.
MediaInfo inspect_media(const std::string& path);
MediaInfo inspect_media_bytes(GBytes* bytes);

// MPEG-TS only: the first video PES PTS in 90 kHz ticks, taken from the raw packets (PAT/PMT
// parsed to find the video PID; the PES with random_access_indicator set, else the first PES).
// nullopt if not MPEG-TS or none found. Also all video PES PTS in order, for gapless checks.
std::optional<int64_t> ts_first_video_pts(const std::vector<uint8_t>& ts);
std::vector<int64_t> ts_video_pts_list(const std::vector<uint8_t>& ts);

// Moves the PTS (and DTS) of the video PES numbered `which` (0-based, in packet order) one
// hour later, as a flipped bit in a PES header does. False when there is no such PES.
bool shift_video_pes_time(uint8_t* ts, size_t size, int which);

// Runs a gst-launch description to EOS. Returns std::nullopt on EOS, else the error text
// (element error message + debug). Never waits longer than timeout_s (then returns "timeout").
std::optional<std::string> run_launch(const std::string& description, double timeout_s = 60);

namespace detail {

struct ObjectUnref {
  void operator()(gpointer p) const { gst_object_unref(p); }
};
struct CapsUnref {
  void operator()(GstCaps* c) const { gst_caps_unref(c); }
};
struct MessageUnref {
  void operator()(GstMessage* m) const { gst_message_unref(m); }
};
struct ErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using ElementPtr = std::unique_ptr<GstElement, ObjectUnref>;
using PadPtr = std::unique_ptr<GstPad, ObjectUnref>;
using BusPtr = std::unique_ptr<GstBus, ObjectUnref>;
using CapsPtr = std::unique_ptr<GstCaps, CapsUnref>;
using MessagePtr = std::unique_ptr<GstMessage, MessageUnref>;
using ErrorPtr = std::unique_ptr<GError, ErrorFree>;
using CharPtr = std::unique_ptr<gchar, GFree>;

// Owns a pipeline; sets it to NULL before the last unref.
class Pipeline {
 public:
  // Takes ownership of the reference passed in (floating or full).
  explicit Pipeline(GstElement* pipeline) : p_(pipeline) {
    if (pipeline && g_object_is_floating(pipeline)) gst_object_ref_sink(pipeline);
  }
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  GstElement* get() const { return p_.get(); }
  GstBin* bin() const { return GST_BIN(p_.get()); }
  // Plays to EOS; nullopt on EOS, else the error text, "timeout" after timeout_s.
  std::optional<std::string> run(double timeout_s);

 private:
  ElementPtr p_;
};

// Builds a pipeline from a gst-launch description; throws std::runtime_error on parse errors.
GstElement* parse_pipeline(const std::string& description);

}  // namespace detail
}  // namespace lp::test
