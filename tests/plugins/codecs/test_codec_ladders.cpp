// Every built-in adapter end to end: a ladder with its codec decodes back with the right
// codec, container, size, frame count and keyframe interval (also across scene cuts), and
// the codec and container errors are clear.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "adapter_registry.h"
#include "media.h"
#include "profile.h"
#include "transcode.h"

namespace {

using lp::test::MediaInfo;
using lp::test::MediaSpec;
using lp::test::TempDir;

struct CodecCase {
  const char* codec;  // the profile's "encoder" field
  lp::VideoCodec id;
  const char* adapter;    // the adapter auto picks (or that is named)
  const char* caps_name;  // what the rendition decodes as
  const char* container;  // typefind's name for the container auto chooses
};

void PrintTo(const CodecCase& c, std::ostream* os) { *os << c.adapter; }

const CodecCase kCases[] = {
    {"H.264", lp::VideoCodec::H264, "x264", "video/x-h264", "video/mpegts"},
    {"H.264", lp::VideoCodec::H264, "openh264", "video/x-h264", "video/mpegts"},
    {"HEVC", lp::VideoCodec::HEVC, "x265", "video/x-h265", "video/mpegts"},
    {"VP9", lp::VideoCodec::VP9, "vpx-vp9", "video/x-vp9", "video/quicktime"},
    {"AV1", lp::VideoCodec::AV1, "aom-av1", "video/x-av1", "video/quicktime"},
};

class CodecLadder : public testing::TestWithParam<CodecCase> {
 protected:
  void SetUp() override {
    auto adapter = lp::find_codec_adapter(GetParam().adapter, GetParam().id);
    if (!adapter) GTEST_SKIP() << adapter.error().message;
  }

  std::string profile(const char* name, int width, int height, const std::string& rate, const char* gop) const {
    return std::string("{\"name\":\"") + name + "\",\"width\":" + std::to_string(width) +
           ",\"height\":" + std::to_string(height) + "," + rate + ",\"encoder\":\"" + GetParam().codec +
           "\",\"gop\":\"" + gop + "\"}";
  }
};

// Keyframes exactly every `gop` frames from frame 0.
void expect_gop(const MediaInfo& info, int gop) {
  std::vector<int> expected;
  for (int k = 0; k < info.frames; k += gop) expected.push_back(k);
  EXPECT_EQ(info.keyframes, expected);
}

TEST_P(CodecLadder, DecodesBackWithCodecSizeFramesAndExactGop) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.audio_codec = "aac";
  const std::string in = dir.file("in.ts");
  lp::test::make_media(spec, in);
  // A bitrate rung and a quality (CRF) rung, at different GOPs.
  auto profiles = lp::parse_profiles("[" + profile("bitrate", 320, 180, "\"bitrate\":300000", "0.5") + "," +
                                     profile("quality", 256, 144, "\"quality\":30", "1") + "]");
  ASSERT_TRUE(profiles.ok()) << profiles.error().message;
  g_autoptr(GBytes) input = lp::test::bytes_from_file(in);
  lp::TranscodeOptions options;
  options.encoder = GetParam().adapter;
  options.timeout = std::chrono::seconds(120);
  auto renditions = lp::transcode_segment(input, *profiles, options);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  ASSERT_EQ(renditions->size(), 2u);
  const int sizes[][2] = {{320, 180}, {256, 144}};
  const int gops[] = {15, 30};
  for (size_t i = 0; i < 2; ++i) {
    const lp::Rendition& r = (*renditions)[i];
    SCOPED_TRACE(r.name);
    MediaInfo info = lp::test::inspect_media_bytes(r.bytes.get());
    EXPECT_EQ(info.video_caps_name, GetParam().caps_name);
    EXPECT_EQ(info.container, GetParam().container);
    EXPECT_EQ(info.width, sizes[i][0]);
    EXPECT_EQ(info.height, sizes[i][1]);
    EXPECT_EQ(info.frames, 60);
    EXPECT_EQ(info.decoded_frames, info.frames);
    EXPECT_EQ(r.frames, static_cast<uint64_t>(info.frames));
    EXPECT_EQ(r.codec, GetParam().codec);
    EXPECT_EQ(std::string(lp::rendition_media_type(r)),
              std::string(GetParam().container) == "video/mpegts" ? "video/mp2t" : "video/mp4");
    expect_gop(info, gops[i]);
    EXPECT_TRUE(info.has_audio);
    EXPECT_EQ(info.audio_caps_name, "audio/mpeg");  // AAC, copied
  }
}

// Content with hard cuts, where encoders left alone add keyframes (x264, x265 and libvpx do).
TEST_P(CodecLadder, KeyframesStayExactAcrossSceneCuts) {
  TempDir dir;
  // Four scenes, 2 s, in one MPEG-TS segment (concat's segments would reach the muxers).
  const std::string cuts = dir.file("cuts.ts");
  const std::string caps = " ! video/x-raw,width=320,height=180,framerate=30/1,format=I420 ! c. ";
  auto error = lp::test::run_launch(
      "concat name=c ! x264enc speed-preset=ultrafast key-int-max=300 ! mpegtsmux ! filesink location=" + cuts +
          " videotestsrc pattern=smpte horizontal-speed=3 num-buffers=17" + caps +
          " videotestsrc pattern=snow num-buffers=13" + caps + " videotestsrc pattern=ball num-buffers=11" + caps +
          " videotestsrc pattern=red num-buffers=19" + caps,
      60);
  ASSERT_FALSE(error) << *error;
  const std::string out = dir.file("cuts.out");
  error = lp::test::run_launch("lpsegmentsrc location=" + cuts + " ! lpladder name=l encoder=" + GetParam().adapter +
                                   " profiles='[" + profile("cuts", 320, 180, "\"bitrate\":300000", "0.5") +
                                   "]' l.src_0 ! filesink location=" + out,
                               120);
  ASSERT_FALSE(error) << *error;
  MediaInfo info = lp::test::inspect_media(out);
  EXPECT_EQ(info.video_caps_name, GetParam().caps_name);
  EXPECT_EQ(info.frames, 60);
  expect_gop(info, 15);
}

INSTANTIATE_TEST_SUITE_P(Adapters, CodecLadder, testing::ValuesIn(kCases), [](const auto& i) {
  std::string name = i.param.adapter;
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

std::string small_input(const TempDir& dir) {
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 1.0;
  std::string in = dir.file("in.ts");
  lp::test::make_media(spec, in);
  return in;
}

std::string ladder_launch(const std::string& in, const std::string& codec, const std::string& extra,
                          const std::string& out) {
  return "lpsegmentsrc location=" + in + " ! lpladder name=l " + extra +
         " profiles='[{\"name\":\"r\",\"width\":160,\"height\":90,\"bitrate\":200000,\"encoder\":\"" + codec +
         "\"}]' l.src_0 ! filesink location=" + out;
}

TEST(CodecErrors, UnknownCodecNameIsNamed) {
  TempDir dir;
  auto error = lp::test::run_launch(ladder_launch(small_input(dir), "H.266", "", dir.file("o")), 60);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("profiles[0].encoder"), std::string::npos) << *error;
  EXPECT_NE(error->find("H.266"), std::string::npos) << *error;
}

TEST(CodecErrors, CodecWithoutAdapterSaysNoEncoderProducesIt) {
  TempDir dir;  // VP8 is the codec plugin tutorial's: no built-in adapter makes it
  auto error = lp::test::run_launch(ladder_launch(small_input(dir), "VP8", "", dir.file("o")), 60);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("no installed encoder produces VP8"), std::string::npos) << *error;
}

TEST(CodecErrors, ContainerThatCannotCarryTheCodecIsRefused) {
  if (!lp::find_codec_adapter("auto", lp::VideoCodec::VP9)) GTEST_SKIP() << "no VP9 encoder";
  TempDir dir;
  auto error = lp::test::run_launch(ladder_launch(small_input(dir), "VP9", "container=mpegts", dir.file("o")), 60);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("container mpegts cannot carry VP9: use container=mp4 or webm (or auto)"), std::string::npos)
      << *error;
}

TEST(CodecContainers, ExplicitContainersAndMixedLadders) {
  if (!lp::find_codec_adapter("auto", lp::VideoCodec::HEVC) || !lp::find_codec_adapter("auto", lp::VideoCodec::VP9))
    GTEST_SKIP() << "needs x265enc and vp9enc";
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 1.0;
  spec.audio_codec = "aac";
  const std::string in = dir.file("in.ts");
  lp::test::make_media(spec, in);
  // HEVC in fragmented MP4 when asked.
  auto error = lp::test::run_launch(ladder_launch(in, "HEVC", "container=mp4", dir.file("hevc.mp4")), 60);
  ASSERT_FALSE(error) << *error;
  MediaInfo hevc = lp::test::inspect_media(dir.file("hevc.mp4"));
  EXPECT_EQ(hevc.container, "video/quicktime");
  EXPECT_EQ(hevc.video_caps_name, "video/x-h265");
  EXPECT_EQ(hevc.frames, 30);
  // VP9 in WebM: the AAC is re-encoded to Opus, which WebM carries.
  error = lp::test::run_launch(ladder_launch(in, "VP9", "container=webm", dir.file("vp9.webm")), 60);
  ASSERT_FALSE(error) << *error;
  MediaInfo vp9 = lp::test::inspect_media(dir.file("vp9.webm"));
  EXPECT_EQ(vp9.container, "video/webm");
  EXPECT_EQ(vp9.video_caps_name, "video/x-vp9");
  EXPECT_EQ(vp9.frames, 30);
  EXPECT_EQ(vp9.audio_caps_name, "audio/x-opus");
  // One ladder, three codecs: each rendition in its codec's container. Sinks that prerolled
  // on MPEG-TS would block the tee before the MP4 one has its first fragment: async=false.
  error =
      lp::test::run_launch("lpsegmentsrc location=" + in +
                               " ! lpladder name=l profiles='["
                               "{\"name\":\"a\",\"width\":320,\"height\":180,\"bitrate\":400000},"
                               "{\"name\":\"b\",\"width\":320,\"height\":180,\"bitrate\":300000,\"encoder\":\"HEVC\"},"
                               "{\"name\":\"c\",\"width\":160,\"height\":90,\"bitrate\":200000,\"encoder\":\"VP9\"}]' "
                               "l.src_0 ! filesink async=false location=" +
                               dir.file("a") + " l.src_1 ! filesink async=false location=" + dir.file("b") +
                               " l.src_2 ! filesink async=false location=" + dir.file("c"),
                           60);
  ASSERT_FALSE(error) << *error;
  const std::pair<const char*, const char*> expected[] = {
      {"video/mpegts", "video/x-h264"}, {"video/mpegts", "video/x-h265"}, {"video/quicktime", "video/x-vp9"}};
  const char* files[] = {"a", "b", "c"};
  for (int i = 0; i < 3; ++i) {
    MediaInfo info = lp::test::inspect_media(dir.file(files[i]));
    EXPECT_EQ(info.container, expected[i].first) << files[i];
    EXPECT_EQ(info.video_caps_name, expected[i].second) << files[i];
    EXPECT_EQ(info.frames, 30) << files[i];
    EXPECT_TRUE(info.has_audio) << files[i];
  }
}

}  // namespace
