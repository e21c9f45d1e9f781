// lpladder's renditions on the source's own clock (docs/architecture.md#timestamps): when
// the frame rate is kept, every frame's 90 kHz PTS equal to the source's, not a tick early
// as mpegtsmux's truncation would make it.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "media.h"
#include "profile.h"
#include "transcode.h"

namespace {

using lp::test::MediaSpec;
using lp::test::TempDir;

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
                        std::to_string(rate.fps_n) + R"(,"fpsDen":)" + std::to_string(rate.fps_d) +
                        "}]";
  EXPECT_EQ(rendition_pts(in, profile), source);
}

INSTANTIATE_TEST_SUITE_P(Rates, LadderTimestampsAtRate,
                         ::testing::Values(Rate{30, 1}, Rate{30000, 1001}),
                         [](const auto& info) { return info.param.fps_d == 1 ? "Fps30" : "Fps29_97"; });

}  // namespace
