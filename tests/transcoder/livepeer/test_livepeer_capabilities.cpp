// go-livepeer's capability bits: what an lpgst transcoder announces, and the segment check.
#include <gtest/gtest.h>

#include <algorithm>

#include "livepeer/livepeer_capabilities.h"
#include "node_capabilities.h"

namespace lp::livepeer {
namespace {

bool has(const std::vector<int>& caps, int c) { return std::find(caps.begin(), caps.end(), c) != caps.end(); }

TEST(LivepeerCapabilities, AnnouncesWhatThisMachineCanDo) {
  const auto caps = transcoder_capabilities(node_capabilities());
  // The test machine has avdec_h264, tsdemux, qtdemux, mp4mux and x264enc.
  for (int c : {kH264, kMpegTs, kMp4, kFractionalFramerates, kStorageDirect, kProfileH264Baseline, kProfileH264High,
                kGop, kAuthToken})
    EXPECT_TRUE(has(caps, c)) << capability_name(c);
  // Never announced: lpgst computes no perceptual hash and does not clip segments.
  EXPECT_FALSE(has(caps, kMpeg7VideoSignature));
  EXPECT_FALSE(has(caps, kSegmentSlicing));
  EXPECT_TRUE(std::is_sorted(caps.begin(), caps.end()));
}

TEST(LivepeerCapabilities, HevcEncodeFollowsTheInstalledEncoders) {
  wire::Capabilities node = node_capabilities();
  node.codecs = {"H.264"};
  EXPECT_FALSE(has(transcoder_capabilities(node), kHevcEncode));
  node.codecs.push_back(video_codec_name(VideoCodec::HEVC));
  EXPECT_TRUE(has(transcoder_capabilities(node), kHevcEncode));
  node.codecs = {};
  EXPECT_FALSE(has(transcoder_capabilities(node), kH264));
}

TEST(LivepeerCapabilities, BitstringIsGoLivepeersWordLayout) {
  const auto net = to_net_capabilities({0, 1, 63, 64, 70}, "0.8.9");
  ASSERT_EQ(net.bitstring_size(), 2);
  EXPECT_EQ(net.bitstring(0), (uint64_t{1} << 0) | (uint64_t{1} << 1) | (uint64_t{1} << 63));
  EXPECT_EQ(net.bitstring(1), (uint64_t{1} << 0) | (uint64_t{1} << 6));
  EXPECT_EQ(net.version(), "0.8.9");
  EXPECT_EQ(capabilities_in(net), (std::vector<int>{0, 1, 63, 64, 70}));
}

TEST(LivepeerCapabilities, GoLivepeerBitsAsLpgstEncoders) {
  auto caps = wire_capabilities_from({kH264, kMpegTs, kHevcDecode, kVp9Encode});
  EXPECT_EQ(caps.codecs, (std::vector<std::string>{"H.264", "VP9"}));
  EXPECT_FALSE(caps.presets.empty());
  EXPECT_TRUE(wire_capabilities_from({kMpegTs, kHevcEncode}).codecs == std::vector<std::string>{"HEVC"});
}

TEST(LivepeerCapabilities, SegmentCheckNamesWhatIsMissing) {
  const auto ours = to_net_capabilities({kH264, kMpegTs, kGop}, "0.8.9");
  EXPECT_FALSE(incompatible(to_net_capabilities({kH264, kMpegTs}, ""), ours));
  EXPECT_FALSE(incompatible(net::Capabilities(), ours));
  auto missing = incompatible(to_net_capabilities({kH264, kHevcEncode, kVp9Decode}, ""), ours);
  ASSERT_TRUE(missing);
  EXPECT_EQ(*missing, "HEVC_Encode, VP9_Decode");
  // A capability past the first word.
  EXPECT_EQ(*incompatible(to_net_capabilities({kH264, 100}, ""), ours), "capability 100");
  // A mandatory of ours the segment does not name.
  net::Capabilities strict = ours;
  strict.add_mandatories(uint64_t{1} << kGop);
  EXPECT_EQ(*incompatible(to_net_capabilities({kH264}, ""), strict), "GOP");
  EXPECT_FALSE(incompatible(to_net_capabilities({kH264, kGop}, ""), strict));
}

}  // namespace
}  // namespace lp::livepeer
