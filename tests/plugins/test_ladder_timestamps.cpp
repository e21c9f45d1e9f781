// lpladder's renditions on the source's own clock (docs/architecture.md#timestamps): the
// first frame where the source has it, whatever the container; no frames invented before it;
// and, when the frame rate is kept, every frame's 90 kHz PTS equal to the source's, not a
// tick early as mpegtsmux's truncation would make it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "media.h"
#include "profile.h"
#include "source_timestamps.h"
#include "transcode.h"

namespace {

using lp::test::MediaSpec;
using lp::test::TempDir;

constexpr int64_t kStartTicks = 48600;  // 0.54 s at 90 kHz: MediaSpec::start_seconds below

// The video PTS (90 kHz, ascending) of one rendition of `path` at `profile`.
std::vector<int64_t> rendition_pts(const std::string& path, const std::string& profile) {
  auto profiles = lp::parse_profiles(profile);
  if (!profiles) throw std::runtime_error(profiles.error().message);
  g_autoptr(GBytes) input = lp::test::bytes_from_file(path);
  lp::TranscodeOptions options;
  options.timeout = std::chrono::seconds(120);
  auto result = lp::transcode_segment(input, *profiles, options);
  if (!result) throw std::runtime_error("transcode failed: " + result.error().message);
  gsize size = 0;
  auto* data = static_cast<const uint8_t*>(g_bytes_get_data(result->at(0).bytes.get(), &size));
  auto pts = lp::test::ts_video_pts_list(std::vector<uint8_t>(data, data + size));
  std::sort(pts.begin(), pts.end());
  return pts;
}

MediaSpec small_spec(const std::string& codec, const std::string& container, int fps_n, int fps_d) {
  MediaSpec spec;
  spec.width = 320;
  spec.height = 240;
  spec.fps_n = fps_n;
  spec.fps_d = fps_d;
  spec.seconds = 2;
  spec.video_codec = codec;
  spec.container = container;
  spec.gop_frames = 25;
  return spec;
}

// A 30 fps rendition of a 2 s source that starts at kStartTicks: it starts there too, one
// frame every 3000 ticks, and holds 2 s of frames (one frame of slack at the end).
void expect_two_seconds_from_start(const std::vector<int64_t>& pts) {
  ASSERT_FALSE(pts.empty());
  EXPECT_EQ(pts.front(), kStartTicks);
  EXPECT_NEAR(static_cast<double>(pts.size()), 60, 1);
  for (size_t i = 1; i < pts.size(); ++i) ASSERT_EQ(pts[i] - pts[i - 1], 3000) << "frame " << i;
}

// The 30 fps rendition of 2 s of 25 fps H.264 with AAC audio that ffmpeg moved to start at
// 0.54 s in a file named `name`: MP4 gets an edit list, Matroska the audio's encoder delay
// before the first frame.
std::vector<int64_t> late_copy_pts(const std::string& name) {
  TempDir dir;
  std::string in = dir.file("in.mkv");
  lp::test::make_media(small_spec("h264", "matroska", 25, 1), in);
  std::string command = "ffmpeg -v error -y -i '" + in +
                        "' -f lavfi -i sine=frequency=440:sample_rate=48000:duration=2 -map 0:v "
                        "-map 1:a -c:v copy -c:a aac -output_ts_offset 0.54 '" +
                        dir.file(name) + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  return rendition_pts(dir.file(name), "P240p30fps16x9");
}

// A DVD-like program stream whose clock starts at 0.54 s. mpegpsdemux's segment does not
// start at the first frame; the rendition must, rather than repeat it back to 0.
TEST(LadderTimestamps, ProgramStreamKeepsItsFirstTimestampAndLength) {
  TempDir dir;
  MediaSpec spec = small_spec("mpeg2", "mpegps", 25, 1);
  spec.audio_codec = "mp3";
  spec.start_seconds = 0.54;
  std::string in = dir.file("dvd.mpg");
  lp::test::make_media(spec, in);
  lp::SourceTimestampScanner scanner;
  auto bytes = lp::test::read_file(in);
  scanner.feed(bytes.data(), bytes.size());
  ASSERT_EQ(scanner.first_video_pts(), kStartTicks);
  expect_two_seconds_from_start(rendition_pts(in, "P240p30fps16x9"));
}

// matroskademux starts stream time at 0 but keeps the block timestamps as PTS; it moves its
// segment back when it meets the earlier audio, mid-stream.
TEST(LadderTimestamps, MatroskaKeepsItsFirstTimestamp) { expect_two_seconds_from_start(late_copy_pts("late.mkv")); }

// qtdemux gives the edit list's presentation time as stream time: kept as it was.
TEST(LadderTimestamps, Mp4KeepsItsFirstTimestamp) { expect_two_seconds_from_start(late_copy_pts("late.mp4")); }

struct Rate {
  int fps_n, fps_d;
};

class LadderTimestampsAtRate : public ::testing::TestWithParam<Rate> {};

// The frame rate kept: every rendition frame on the source frame's own tick (1.433333 s
// stays 1.433333 s, not 1.433322 s).
TEST_P(LadderTimestampsAtRate, MpegTsFramesKeepTheSourcePts) {
  const Rate rate = GetParam();
  TempDir dir;
  MediaSpec spec = small_spec("h264", "mpegts", rate.fps_n, rate.fps_d);
  spec.start_seconds = 0.54;
  spec.ts_exact_ticks = true;
  std::string in = dir.file("in.ts");
  lp::test::make_media(spec, in);
  auto source = lp::test::ts_video_pts_list(lp::test::read_file(in));
  std::sort(source.begin(), source.end());
  ASSERT_EQ(source.size(), 60u);
  std::string profile = R"([{"name":"kept","width":320,"height":240,"bitrate":400000,"fps":)" +
                        std::to_string(rate.fps_n) + R"(,"fpsDen":)" + std::to_string(rate.fps_d) + "}]";
  EXPECT_EQ(rendition_pts(in, profile), source);
}

INSTANTIATE_TEST_SUITE_P(Rates, LadderTimestampsAtRate, ::testing::Values(Rate{30, 1}, Rate{30000, 1001}),
                         [](const auto& info) { return info.param.fps_d == 1 ? "Fps30" : "Fps29_97"; });

}  // namespace
