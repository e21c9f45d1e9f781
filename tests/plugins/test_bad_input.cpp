// Bad input: corrupt, truncated, empty, audio-only and undecodable segments, unknown profile
// names and invalid JSON profiles. Each must give a clear error (a typed lp::Error from
// transcode_segment, an element error on the bus from a gst-launch pipeline), the pipeline must
// reach NULL, nothing may hang, and the process must keep working afterwards.
//
// Every call runs on a worker thread under a watchdog: if it does not return in time the
// binary exits at once naming the call (a hang is a failure, not a meson timeout).
//
// LeakCheck.BatchOfBadSegments is self-contained (tiny media of its own) so it can be run alone
// under valgrind:
//   env GST_REGISTRY=/tmp/lpgst-vg-registry.bin G_SLICE=always-malloc GST_PLUGIN_PATH=
//       GST_PLUGIN_PATH_1_0= GST_DEBUG='*:1'
//   valgrind --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
//       --error-exitcode=1 --num-callers=30
//       --suppressions=/usr/share/glib-2.0/valgrind/glib.supp
//       --suppressions=tests/valgrind.supp
//       build/tests/test_plugins_bad_input --gtest_filter='LeakCheck.*'
// (one command line, as a whole).
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "media.h"
#include "profile.h"
#include "transcode.h"

namespace {

using Bytes = std::vector<uint8_t>;
using lp::ErrorCode;
using lp::test::MediaSpec;
using lp::test::TempDir;
using namespace std::chrono_literals;

constexpr size_t kTs = 188;
// transcode_segment's own deadline, and the watchdog's (longer: it catches hangs the API's
// deadline does not cover, e.g. a state change that blocks).
constexpr auto kApiTimeout = 30s;
constexpr auto kBound = 45s;
// Any bad input must be reported well before the API's deadline: an answer taking this long
// means something waited for data that never came.
constexpr double kPromptSeconds = 15.0;

// ---------------------------------------------------------------------------------------------
// Watchdog

// Runs fn on a worker thread and returns its result. If it has not returned within `limit`, the
// process exits with status 3 naming `what`: a hung GStreamer thread cannot be cancelled, and
// waiting for it would hang the whole binary.
template <typename F>
auto bounded(F fn, std::chrono::seconds limit, const std::string& what) -> decltype(fn()) {
  using R = decltype(fn());
  std::packaged_task<R()> task(std::move(fn));
  std::future<R> result = task.get_future();
  std::thread worker(std::move(task));
  if (result.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "\nHANG: %s did not return within %lld s; aborting the test binary\n", what.c_str(),
                 static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }
  worker.join();
  return result.get();
}

// ---------------------------------------------------------------------------------------------
// transcode_segment

struct ApiOutcome {
  lp::Result<std::vector<lp::Rendition>> result;
  double seconds = 0;
};

std::vector<lp::Profile> profiles(const char* spec) {
  auto parsed = lp::parse_profiles(spec);
  if (!parsed) throw std::runtime_error(std::string("bad test profiles: ") + parsed.error().message);
  return *parsed;
}

ApiOutcome transcode(const Bytes& data, const std::vector<lp::Profile>& ladder,
                     std::chrono::seconds timeout = kApiTimeout, std::chrono::seconds bound = kBound) {
  return bounded(
      [&]() {
        lp::BytesPtr bytes(g_bytes_new(data.data(), data.size()));
        lp::TranscodeOptions options;
        options.timeout = timeout;
        const auto start = std::chrono::steady_clock::now();
        auto result = lp::transcode_segment(bytes.get(), ladder, options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return ApiOutcome{std::move(result), seconds};
      },
      bound, "transcode_segment");
}

ApiOutcome transcode(const Bytes& data) { return transcode(data, profiles("P240p30fps16x9")); }

std::string describe(const ApiOutcome& out) {
  if (out.result) return "succeeded with " + std::to_string(out.result->size()) + " rendition(s)";
  return std::string(lp::error_code_name(out.result.error().code)) + ": " + out.result.error().message;
}

// "<element>: <text>" as transcode_segment words an element error.
bool names_an_element(const std::string& message) {
  static const std::regex pattern("^[A-Za-z_][A-Za-z0-9_-]*: .+");
  return std::regex_search(message, pattern);
}

// Asserts a prompt BadSegment error; returns its message ("" when it was no error at all).
std::string expect_bad_segment(const ApiOutcome& out) {
  EXPECT_LT(out.seconds, kPromptSeconds) << "took " << out.seconds << " s: " << describe(out);
  EXPECT_FALSE(out.result.ok()) << describe(out);
  if (out.result.ok()) return "";
  EXPECT_EQ(out.result.error().code, ErrorCode::BadSegment) << describe(out);
  EXPECT_FALSE(out.result.error().message.empty());
  return out.result.error().message;
}

// ---------------------------------------------------------------------------------------------
// Raw MPEG-TS

int ts_pid(const uint8_t* p) { return ((p[1] & 0x1F) << 8) | p[2]; }
bool ts_pusi(const uint8_t* p) { return (p[1] & 0x40) != 0; }

// Offset of the payload in the packet; kTs when it has none.
size_t ts_payload_offset(const uint8_t* p) {
  if (!(p[3] & 0x10)) return kTs;
  size_t off = 4;
  if (p[3] & 0x20) off += 1 + size_t{p[4]};
  return std::min(off, kTs);
}

// The first video elementary stream's PID from PAT and PMT; -1 when none.
int ts_video_pid(const Bytes& ts) {
  int pmt_pid = -1;
  for (size_t i = 0; i + kTs <= ts.size(); i += kTs) {
    const uint8_t* p = &ts[i];
    if (p[0] != 0x47 || !ts_pusi(p)) continue;
    size_t off = ts_payload_offset(p);
    if (off >= kTs) continue;
    off += 1 + size_t{p[off]};  // pointer_field
    if (off + 12 > kTs) continue;
    const uint8_t* s = p + off;
    const size_t section_end = std::min(kTs, off + 3 + (((s[1] & 0x0F) << 8) | s[2])) - off;
    if (ts_pid(p) == 0 && s[0] == 0x00 && pmt_pid < 0) {
      // First program with program_number != 0.
      for (size_t e = 8; e + 4 <= section_end - 4; e += 4) {
        if (((s[e] << 8) | s[e + 1]) != 0) {
          pmt_pid = ((s[e + 2] & 0x1F) << 8) | s[e + 3];
          break;
        }
      }
    } else if (ts_pid(p) == pmt_pid && s[0] == 0x02) {
      size_t e = 12 + (((s[10] & 0x0F) << 8) | s[11]);
      while (e + 5 <= section_end - 4) {
        const int stream_type = s[e];
        const int pid = ((s[e + 1] & 0x1F) << 8) | s[e + 2];
        // MPEG-1/2 video, MPEG-4 part 2, H.264, H.265
        if (stream_type == 0x01 || stream_type == 0x02 || stream_type == 0x10 || stream_type == 0x1B ||
            stream_type == 0x24)
          return pid;
        e += 5 + (((s[e + 3] & 0x0F) << 8) | s[e + 4]);
      }
    }
  }
  return -1;
}

// Keeps every TS packet header, adaptation field and PES header, and overwrites every byte of
// the video PES payloads (the H.264 elementary stream) with deterministic PRNG bytes, from the
// PES numbered `first_pes` on (0: all of them). Returns the number of packets changed.
size_t corrupt_video_payloads(Bytes& ts, uint32_t seed, int first_pes = 0) {
  const int pid = ts_video_pid(ts);
  if (pid < 0) return 0;
  std::mt19937 rng(seed);
  size_t changed = 0;
  int pes = -1;
  for (size_t i = 0; i + kTs <= ts.size(); i += kTs) {
    uint8_t* p = &ts[i];
    if (p[0] != 0x47 || ts_pid(p) != pid) continue;
    size_t off = ts_payload_offset(p);
    if (off >= kTs) continue;
    if (ts_pusi(p)) {
      ++pes;
      if (off + 9 > kTs || p[off] != 0 || p[off + 1] != 0 || p[off + 2] != 1) continue;
      off += 9 + size_t{p[off + 8]};  // fixed PES header + PES_header_data_length
    }
    if (pes < first_pes) continue;
    for (; off < kTs; ++off) p[off] = static_cast<uint8_t>(rng());
    ++changed;
  }
  return changed;
}

Bytes prng_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Whole packets up to about the middle, then 100 bytes of the next one.
Bytes truncate_mid_packet(const Bytes& ts) {
  Bytes out(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>((ts.size() / kTs / 2) * kTs + 100));
  return out;
}

// A Matroska file whose H.264 track claims a codec nobody knows: matroskademux exposes it as
// video/x-unknown, which parses (parsebin passes it through) but has no decoder. The CodecID is
// replaced in place by a string of the same length, so no EBML size changes.
Bytes with_unknown_codec_id(Bytes mkv) {
  static const std::string from = "V_MPEG4/ISO/AVC", to = "V_LPGST/UNKNOWN";
  auto it = std::search(mkv.begin(), mkv.end(), from.begin(), from.end());
  if (it == mkv.end()) throw std::runtime_error("no H.264 CodecID in the Matroska file");
  std::copy(to.begin(), to.end(), it);
  return mkv;
}

// ---------------------------------------------------------------------------------------------
// gst-launch descriptions

struct LaunchOutcome {
  std::optional<std::string> error;  // nullopt: EOS
  bool reached_null = false;         // set_state(NULL) succeeded synchronously afterwards
};

// As run_launch (gst_parse_launch with fatal errors, then PLAYING until EOS or ERROR), and then
// takes the pipeline to NULL and checks it got there. A parse failure's text has the
// description appended by the support library; it is cut off here, so a test that looks for a
// name in the error cannot be satisfied by the description echoing it.
LaunchOutcome launch(const std::string& description, double timeout_s = 30) {
  return bounded(
      [&]() {
        LaunchOutcome out;
        GstElement* raw = nullptr;
        try {
          raw = lp::test::detail::parse_pipeline(description);
        } catch (const std::exception& e) {
          std::string text = e.what();
          const std::string echo = " [" + description + "]";
          if (text.size() >= echo.size() && text.compare(text.size() - echo.size(), echo.size(), echo) == 0)
            text.resize(text.size() - echo.size());
          out.error = text;
          out.reached_null = true;  // nothing was built
          return out;
        }
        lp::test::detail::Pipeline pipeline(raw);
        out.error = pipeline.run(timeout_s);
        const GstStateChangeReturn ret = gst_element_set_state(pipeline.get(), GST_STATE_NULL);
        GstState state = GST_STATE_VOID_PENDING;
        gst_element_get_state(pipeline.get(), &state, nullptr, 0);
        out.reached_null = ret == GST_STATE_CHANGE_SUCCESS && state == GST_STATE_NULL;
        return out;
      },
      std::chrono::seconds(static_cast<int>(timeout_s) + 15), "gst-launch pipeline: " + description);
}

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

// ---------------------------------------------------------------------------------------------
// Shared media (made once, on first use)

struct Media {
  TempDir dir;
  Bytes ts;          // 320x240, 1 s, H.264 in MPEG-TS
  Bytes mp4;         // the same in MP4
  Bytes audio_only;  // AAC in MPEG-TS, no video
  Bytes unknown;     // Matroska whose video codec has no decoder
  std::string ts_path;
};

const Media& media() {
  // Destroyed at exit, which removes the directory.
  static const std::unique_ptr<Media> m = [] {
    auto out = std::make_unique<Media>();
    MediaSpec spec;
    spec.width = 320;
    spec.height = 240;
    spec.seconds = 1.0;
    spec.gop_frames = 30;
    out->ts_path = out->dir.file("valid.ts");
    lp::test::make_media(spec, out->ts_path);
    out->ts = lp::test::read_file(out->ts_path);

    MediaSpec mp4 = spec;
    mp4.container = "mp4";
    lp::test::make_media(mp4, out->dir.file("valid.mp4"));
    out->mp4 = lp::test::read_file(out->dir.file("valid.mp4"));

    MediaSpec audio = spec;
    audio.video_codec = "none";
    audio.audio_codec = "aac";
    lp::test::make_media(audio, out->dir.file("audio.ts"));
    out->audio_only = lp::test::read_file(out->dir.file("audio.ts"));

    MediaSpec mkv = spec;
    mkv.container = "matroska";
    lp::test::make_media(mkv, out->dir.file("valid.mkv"));
    out->unknown = with_unknown_codec_id(lp::test::read_file(out->dir.file("valid.mkv")));
    return out;
  }();
  return *m;
}

// ---------------------------------------------------------------------------------------------
// Through the API

TEST(BadSegmentApi, EmptyBytes) {
  const auto out = transcode(Bytes{});
  const std::string message = expect_bad_segment(out);
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

TEST(BadSegmentApi, RandomBytes) {
  const auto out = transcode(prng_bytes(64 * 1024, 0x5eed));
  const std::string message = expect_bad_segment(out);
  // typefind: "Could not determine type of stream."
  EXPECT_TRUE(names_an_element(message)) << message;
  EXPECT_NE(message.find("type"), std::string::npos) << message;
}

TEST(BadSegmentApi, TsTruncatedMidPacket) {
  const Bytes cut = truncate_mid_packet(media().ts);
  ASSERT_NE(cut.size() % kTs, 0u);
  const std::string message = expect_bad_segment(transcode(cut));
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find(std::to_string(cut.size())), std::string::npos) << "the size should be named: " << message;
}

// mp4mux writes moov last, so half a file has no index: qtdemux says it has no playable streams,
// and the message names it. Repeated because the failure this guards against is a race: qtdemux
// runs in pull mode, its task starts while parsebin is still autoplugging it, and parsebin
// (1.22) drops error messages from an element it is still setting up; when qtdemux posts "no
// playable streams" in that window the error is lost and the pipeline waits for data forever
// (about 1 run in 8 on a 2-core machine). A prompt answer takes milliseconds, hence the short
// deadline per run.
TEST(BadSegmentApi, Mp4TruncatedToHalf) {
  const Bytes& mp4 = media().mp4;
  const Bytes half(mp4.begin(), mp4.begin() + static_cast<std::ptrdiff_t>(mp4.size() / 2));
  const auto ladder = profiles("P240p30fps16x9");
  for (int run = 0; run < 40; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    const auto out = transcode(half, ladder, 5s);
    const std::string message = expect_bad_segment(out);
    EXPECT_TRUE(names_an_element(message)) << message;
    // Usually qtdemux's own error; when parsebin (1.22, pull mode) loses that error, lpladder's
    // demuxer watchdog reports the stall instead, within a few seconds.
    EXPECT_TRUE(message.find("qtdemux") != std::string::npos ||
                message.find("no stream found in the segment") != std::string::npos)
        << message;
    if (HasFailure()) break;
  }
}

// Every H.264 byte replaced by noise, headers kept: with the fixed seed h264parse finds no SPS
// (a random 00 00 01 start code is unlikely in ~50 KB, and none occurs for these seeds) and
// fails with "No valid frames found before end of stream". That error is deterministic, so it
// is what we assert; nothing conceals this much damage into frames.
TEST(BadSegmentApi, TsVideoPayloadCorrupted) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Bytes ts = media().ts;
    ASSERT_GT(corrupt_video_payloads(ts, seed), 100u) << "video PID not found";
    ASSERT_EQ(ts.size(), media().ts.size());
    const std::string message = expect_bad_segment(transcode(ts));
    EXPECT_TRUE(names_an_element(message)) << message;
  }
}

// The first access unit (SPS, PPS, IDR) intact, every later one noise. Whether the decoder
// errors or conceals depends on what the noise decodes to, so the deterministic property is
// only: a prompt answer, an error that is BadSegment, or renditions that are not empty.
TEST(BadSegmentApi, TsVideoPayloadCorruptedAfterFirstFrame) {
  Bytes ts = media().ts;
  ASSERT_GT(corrupt_video_payloads(ts, 7, /*first_pes=*/1), 100u);
  const auto out = transcode(ts);
  std::printf("  outcome: %s\n", describe(out).c_str());
  EXPECT_LT(out.seconds, kPromptSeconds) << describe(out);
  if (out.result) {
    ASSERT_EQ(out.result->size(), 1u);
    EXPECT_GT(out.result->front().frames, 0u);
    EXPECT_GT(g_bytes_get_size(out.result->front().bytes.get()), 0u);
  } else {
    EXPECT_EQ(out.result.error().code, ErrorCode::BadSegment) << describe(out);
    EXPECT_TRUE(names_an_element(out.result.error().message)) << describe(out);
  }
}

TEST(BadSegmentApi, AudioOnly) {
  const std::string message = expect_bad_segment(transcode(media().audio_only));
  EXPECT_NE(message.find("no video"), std::string::npos) << message;
}

// A video stream that demuxes and parses (matroskademux: video/x-unknown) but that no decoder
// takes. transcode_segment maps decodebin's missing-plugin error to Unsupported ("no decoder
// for what was asked"), and the message names the element that failed.
TEST(BadSegmentApi, UndecodableVideoCodec) {
  const auto out = transcode(media().unknown);
  EXPECT_LT(out.seconds, kPromptSeconds) << describe(out);
  ASSERT_FALSE(out.result.ok()) << describe(out);
  EXPECT_EQ(out.result.error().code, ErrorCode::Unsupported) << describe(out);
  EXPECT_TRUE(names_an_element(out.result.error().message)) << describe(out);
}

// The same error should say which codec has no decoder: decodebin's message alone ("Your
// GStreamer installation is missing a plug-in.") reads like an installation problem, while the
// codec ("Missing decoder: video/x-unknown (... codec-id=V_LPGST/UNKNOWN)") is only in the
// GStreamer debug text, which transcode_segment drops.
TEST(BadSegmentApi, UndecodableVideoCodecNamesTheCodec) {
  const auto out = transcode(media().unknown);
  ASSERT_FALSE(out.result.ok()) << describe(out);
  const std::string& message = out.result.error().message;
  EXPECT_TRUE(message.find("video/x-unknown") != std::string::npos ||
              message.find("V_LPGST/UNKNOWN") != std::string::npos)
      << "the error should name the codec that has no decoder: " << message;
}

TEST(BadProfileApi, UnknownPresetName) {
  auto parsed = lp::parse_profiles("P240p30fps16x9,P999p");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::UnknownProfile);
  EXPECT_NE(parsed.error().message.find("P999p"), std::string::npos) << parsed.error().message;
}

TEST(BadProfileApi, InvalidJsonNamesTheField) {
  auto parsed = lp::parse_profiles(R"([{"name":"a","width":"wide","height":240,"bitrate":100000}])");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::InvalidProfile);
  EXPECT_NE(parsed.error().message.find("width"), std::string::npos) << parsed.error().message;

  auto broken = lp::parse_profiles(R"([{"name":"a","width":320,)");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::InvalidProfile);
  EXPECT_FALSE(broken.error().message.empty());
}

TEST(BadProfileApi, NoProfiles) {
  const auto out = transcode(media().ts, {});
  ASSERT_FALSE(out.result.ok());
  EXPECT_EQ(out.result.error().code, ErrorCode::InvalidProfile) << describe(out);
}

// ---------------------------------------------------------------------------------------------
// Through gst-launch descriptions

TEST(BadInputLaunch, MissingFileNamesThePath) {
  TempDir dir;
  const std::string missing = dir.file("no-such-segment.ts");
  const auto out = launch("lpsegmentsrc location=" + quoted(missing) +
                          " ! lpladder profiles=P240p30fps16x9 name=l l.src_0 ! fakesink");
  ASSERT_TRUE(out.error) << "reached EOS";
  EXPECT_NE(out.error->find(missing), std::string::npos) << *out.error;
  EXPECT_NE(out.error->find("not found"), std::string::npos) << *out.error;
  EXPECT_TRUE(out.reached_null);
}

// The ladder validates its profiles when they are set and reports them when it starts
// (NULL->READY: "invalid profiles: unknown profile preset "P999p" ..."). Both shapes of
// description must get there: without any src pad, and linking l.src_0 (the pad request must
// not fail, or the parse stops at "could not link l to fakesink0" and nothing names the
// profile).
TEST(BadInputLaunch, UnknownPresetNamed) {
  const std::string src = "lpsegmentsrc location=" + quoted(media().ts_path);
  const auto unlinked = launch(src + " ! lpladder profiles=P999p");
  ASSERT_TRUE(unlinked.error);
  EXPECT_NE(unlinked.error->find("P999p"), std::string::npos) << *unlinked.error;
  EXPECT_TRUE(unlinked.reached_null);

  const auto linked = launch(src + " ! lpladder profiles=P999p name=l l.src_0 ! fakesink");
  ASSERT_TRUE(linked.error);
  EXPECT_NE(linked.error->find("P999p"), std::string::npos)
      << "a pipeline linking src_0 of a ladder with an unknown preset should name it: " << *linked.error;
  EXPECT_TRUE(linked.reached_null);
}

// The same for a JSON profile whose width is a string: the error must name the field.
// gst_parse_launch unescapes \" inside a double-quoted property value.
TEST(BadInputLaunch, InvalidJsonFieldNamed) {
  const std::string src = "lpsegmentsrc location=" + quoted(media().ts_path);
  const std::string json = R"(profiles="[{\"name\":\"a\",\"width\":\"wide\",\"height\":240,\"bitrate\":100000}]")";
  const auto unlinked = launch(src + " ! lpladder name=l " + json);
  ASSERT_TRUE(unlinked.error);
  EXPECT_NE(unlinked.error->find("width"), std::string::npos) << *unlinked.error;
  EXPECT_TRUE(unlinked.reached_null);

  const auto linked = launch(src + " ! lpladder name=l " + json + " l.src_0 ! fakesink");
  ASSERT_TRUE(linked.error);
  EXPECT_NE(linked.error->find("width"), std::string::npos)
      << "a pipeline linking src_0 of a ladder with an invalid JSON profile should name the "
         "field: "
      << *linked.error;
  EXPECT_TRUE(linked.reached_null);
}

TEST(BadInputLaunch, RenditionUnknownPresetNamed) {
  const auto out = launch("videotestsrc num-buffers=5 ! lprendition profile=P999p ! fakesink");
  ASSERT_TRUE(out.error) << "reached EOS";
  EXPECT_NE(out.error->find("P999p"), std::string::npos) << *out.error;
  EXPECT_TRUE(out.reached_null);
}

TEST(BadInputLaunch, LadderWithoutLinkedPad) {
  const auto out = launch("lpsegmentsrc location=" + quoted(media().ts_path) + " ! lpladder profiles=P240p30fps16x9");
  ASSERT_TRUE(out.error) << "reached EOS";
  EXPECT_NE(out.error->find("no rendition requested"), std::string::npos) << *out.error;
  EXPECT_TRUE(out.reached_null);
}

// The audio-only segment through gst-launch: an element error, not a pipeline that waits
// forever for video (gst-launch-1.0 itself would never exit).
TEST(BadInputLaunch, AudioOnlySegment) {
  TempDir dir;
  const std::string path = dir.file("audio.ts");
  lp::test::write_file(path, media().audio_only);
  const auto out =
      launch("lpsegmentsrc location=" + quoted(path) + " ! lpladder profiles=P240p30fps16x9 name=l l.src_0 ! fakesink",
             kPromptSeconds);
  ASSERT_TRUE(out.error) << "reached EOS";
  EXPECT_NE(out.error->find("no video"), std::string::npos) << *out.error;
  EXPECT_TRUE(out.reached_null);
}

// ---------------------------------------------------------------------------------------------
// The process keeps working

// Runs after the tests above in this binary (declaration order), and makes a few failures of
// its own first so it holds under --gtest_filter too.
TEST(BadInputRecovery, ValidSegmentAfterFailures) {
  EXPECT_FALSE(transcode(Bytes{}).result.ok());
  EXPECT_FALSE(transcode(prng_bytes(4096, 9)).result.ok());
  EXPECT_FALSE(transcode(truncate_mid_packet(media().ts)).result.ok());
  Bytes corrupt = media().ts;
  corrupt_video_payloads(corrupt, 1);
  EXPECT_FALSE(transcode(corrupt).result.ok());
  EXPECT_TRUE(launch("lpsegmentsrc location=/nonexistent/lpgst.ts ! lpladder "
                     "profiles=P240p30fps16x9 name=l l.src_0 ! fakesink")
                  .error);

  const auto out = transcode(media().ts, profiles("P240p30fps16x9,P144p30fps16x9"));
  ASSERT_TRUE(out.result.ok()) << describe(out);
  ASSERT_EQ(out.result->size(), 2u);
  for (const auto& r : *out.result) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(r.frames, 30u);
    EXPECT_GT(g_bytes_get_size(r.bytes.get()), 0u);
  }
  const auto info = lp::test::inspect_media_bytes(out.result->front().bytes.get());
  EXPECT_TRUE(info.has_video);
  EXPECT_EQ(info.height, 240);
}

// ---------------------------------------------------------------------------------------------
// Leak check (run under valgrind; see the top of the file)

// A batch of bad segments, failing element configurations and one valid tiny transcode, all on
// media of its own (64x64, a few frames) so it stays quick under valgrind. It asserts only that
// each bad input fails and the valid one succeeds; the error codes are the other tests' job.
TEST(LeakCheck, BatchOfBadSegments) {
  // Generous: valgrind runs everything ~30x slower. Bad input should still fail well within
  // kBadTimeout; the valid transcode gets more.
  constexpr auto kBadTimeout = 30s;
  constexpr auto kSlowTimeout = 120s;
  constexpr auto kSlowBound = 180s;
  TempDir dir;
  MediaSpec spec;
  spec.width = 64;
  spec.height = 64;
  spec.fps_n = 10;
  spec.seconds = 1.0;  // 10 frames
  spec.gop_frames = 10;
  spec.x264_bframes = 0;
  spec.pattern = "ball";
  const std::string ts_path = dir.file("tiny.ts");
  lp::test::make_media(spec, ts_path);
  const Bytes ts = lp::test::read_file(ts_path);

  MediaSpec mp4_spec = spec;
  mp4_spec.container = "mp4";
  lp::test::make_media(mp4_spec, dir.file("tiny.mp4"));
  const Bytes mp4 = lp::test::read_file(dir.file("tiny.mp4"));

  MediaSpec mkv_spec = spec;
  mkv_spec.container = "matroska";
  lp::test::make_media(mkv_spec, dir.file("tiny.mkv"));
  const Bytes unknown = with_unknown_codec_id(lp::test::read_file(dir.file("tiny.mkv")));

  MediaSpec audio_spec = spec;
  audio_spec.video_codec = "none";
  audio_spec.audio_codec = "aac";
  audio_spec.seconds = 0.3;
  lp::test::make_media(audio_spec, dir.file("audio.ts"));
  const Bytes audio_only = lp::test::read_file(dir.file("audio.ts"));

  Bytes corrupt = ts;
  ASSERT_GT(corrupt_video_payloads(corrupt, 1), 0u);

  const auto ladder = profiles(R"([{"name":"tiny","width":64,"height":64,"bitrate":100000}])");
  const std::vector<std::pair<std::string, Bytes>> bad = {
      {"empty", Bytes{}},
      {"random", prng_bytes(64 * 1024, 0x5eed)},
      {"ts truncated mid-packet", truncate_mid_packet(ts)},
      {"ts video corrupted", corrupt},
      {"mp4 truncated to half", Bytes(mp4.begin(), mp4.begin() + static_cast<std::ptrdiff_t>(mp4.size() / 2))},
      {"audio only", audio_only},
      {"undecodable codec", unknown},
  };
  for (const auto& [name, data] : bad) {
    const auto out = transcode(data, ladder, kBadTimeout, kSlowBound);
    std::printf("  %s: %s (%.1f s)\n", name.c_str(), describe(out).c_str(), out.seconds);
    EXPECT_FALSE(out.result.ok()) << name << ": " << describe(out);
  }

  const std::string src = "lpsegmentsrc location=" + quoted(ts_path);
  for (const std::string& description : {
           "lpsegmentsrc location=" + quoted(dir.file("missing.ts")) +
               " ! lpladder profiles=P144p30fps16x9 name=l l.src_0 ! fakesink",
           src + " ! lpladder profiles=P999p name=l l.src_0 ! fakesink",
           src + " ! lpladder profiles=P999p",
           src + " ! lpladder profiles=P144p30fps16x9",
           std::string("videotestsrc num-buffers=2 ! lprendition profile=P999p ! fakesink"),
       }) {
    const auto out = launch(description, 60);
    EXPECT_TRUE(out.error) << description;
    EXPECT_TRUE(out.reached_null) << description;
  }

  const auto valid = transcode(ts, ladder, kSlowTimeout, kSlowBound);
  ASSERT_TRUE(valid.result.ok()) << describe(valid);
  ASSERT_EQ(valid.result->size(), 1u);
  EXPECT_EQ(valid.result->front().frames, 10u);
  EXPECT_GT(g_bytes_get_size(valid.result->front().bytes.get()), 0u);
}

}  // namespace
