// An lpgst transcoder (a real lpnode process, started with go-livepeer's own flags) working
// for a go-livepeer orchestrator: the test peer (support/livepeer_orch_peer.h) speaks gRPC
// and HTTPS on one TLS port as go-livepeer does, and checks every result as go-livepeer's
// orchestrator reads it; the renditions are then decoded here.
#include <gtest/gtest.h>

#include <algorithm>

#include "livepeer/livepeer_capabilities.h"
#include "livepeer/livepeer_transcoder.h"
#include "livepeer_orch_peer.h"
#include "media.h"
#include "node_cluster.h"

namespace lp::test {
namespace {

using std::chrono::seconds;

constexpr const char* kSecret = "go-livepeer-secret";

std::unique_ptr<NodeProcess> start_transcoder(const LivepeerOrchPeer& peer, std::vector<std::string> extra = {},
                                              const std::string& secret = kSecret) {
  std::vector<std::string> args = {"-transcoder",  "-orchAddr", peer.address(), "-orchSecret", secret,
                                   "-maxSessions", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return NodeProcess::start(lpnode_binary(), args, "transcoder");
}

net::VideoProfile video_profile(const std::string& name, int w, int h, int bitrate, int fps = 0) {
  net::VideoProfile p;
  p.set_name(name);
  p.set_width(w);
  p.set_height(h);
  p.set_bitrate(bitrate);
  p.set_fps(static_cast<uint32_t>(fps));
  return p;
}

net::NotifySegment notify_segment(const LivepeerOrchPeer& peer, int64_t task, const std::string& path,
                                  const std::vector<net::VideoProfile>& profiles, int64_t seq = 0) {
  net::NotifySegment n;
  n.set_url(peer.url(path));
  n.set_taskid(task);
  n.set_profiles("invalid");
  n.set_orchid("offchain");
  net::SegData* seg = n.mutable_segdata();
  seg->set_manifestid("manifest-1");
  seg->set_seq(seq);
  seg->set_duration(2000);
  seg->mutable_auth_token()->set_session_id("0a1b2c3d");
  *seg->mutable_capabilities() =
      livepeer::to_net_capabilities({livepeer::kH264, livepeer::kMpegTs, livepeer::kAuthToken}, "");
  for (const auto& p : profiles) *seg->add_fullprofiles3() = p;
  return n;
}

std::string file_bytes(const std::string& path) {
  auto data = read_file(path);
  return std::string(data.begin(), data.end());
}

MediaInfo inspect_part(const PeerResultPart& part) {
  g_autoptr(GBytes) bytes = g_bytes_new(part.bytes.data(), part.bytes.size());
  return inspect_media_bytes(bytes);
}

class LivepeerTranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    peer_ = LivepeerOrchPeer::start(kSecret);
    ASSERT_TRUE(peer_);
  }
  std::unique_ptr<LivepeerOrchPeer> peer_;
  TempDir dir_;
};

TEST_F(LivepeerTranscoderTest, RegistersWithGoLivepeerFlagsAndCapabilities) {
  auto t = start_transcoder(*peer_);
  auto reg = peer_->wait_registered(seconds(30));
  ASSERT_TRUE(reg) << t->log();
  EXPECT_EQ(reg->capacity, 2);
  ASSERT_TRUE(reg->has_capabilities);
  EXPECT_EQ(reg->capabilities.version(), livepeer::kAnnouncedVersion);
  const auto caps = livepeer::capabilities_in(reg->capabilities);
  for (int c : {livepeer::kH264, livepeer::kMpegTs, livepeer::kMp4, livepeer::kGop, livepeer::kAuthToken})
    EXPECT_NE(std::find(caps.begin(), caps.end(), c), caps.end()) << livepeer::capability_name(c);
  EXPECT_TRUE(t->wait_for_log("speaks the livepeer protocol", seconds(10))) << t->log();
  EXPECT_TRUE(t->wait_for_log("registered with the go-livepeer orchestrator", seconds(10))) << t->log();
}

TEST_F(LivepeerTranscoderTest, WrongSecretExitsNonZeroNamingTheSecret) {
  auto t = start_transcoder(*peer_, {}, "not-the-secret");
  auto code = t->wait_exit(seconds(30));
  ASSERT_TRUE(code) << t->log();
  EXPECT_NE(*code, 0);
  EXPECT_NE(t->log().find("invalid secret"), std::string::npos) << t->log();
  EXPECT_NE(t->log().find("-orchSecret"), std::string::npos) << t->log();
  EXPECT_GE(peer_->refused_registrations(), 1);
  EXPECT_EQ(peer_->registrations(), 0);
}

// lpnode refuses -maxSessions 0 itself, so the orchestrator's "zero capacity" is tried on the
// client class in this process.
TEST_F(LivepeerTranscoderTest, ZeroCapacityIsFatal) {
  livepeer::LivepeerTranscoderConfig config;
  config.orch_addr = peer_->address();
  config.secret = kSecret;
  config.capacity = 0;
  std::string why;
  {
    livepeer::LivepeerTranscoder transcoder(config, [&why](const std::string& w) { why = w; });
    ASSERT_TRUE(transcoder.start().ok());
    const auto until = std::chrono::steady_clock::now() + seconds(30);
    while (why.empty() && std::chrono::steady_clock::now() < until) {
      g_main_context_iteration(nullptr, FALSE);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_NE(why.find("zero capacity"), std::string::npos) << why;
  EXPECT_NE(why.find("-maxSessions"), std::string::npos) << why;
  EXPECT_EQ(peer_->registrations(), 0);
}

TEST_F(LivepeerTranscoderTest, TrailersOnlyRefusalIsFatalToo) {
  peer_->set_trailers_only_errors(true);
  auto t = start_transcoder(*peer_, {}, "wrong");
  auto code = t->wait_exit(seconds(30));
  ASSERT_TRUE(code) << t->log();
  EXPECT_NE(*code, 0);
  EXPECT_NE(t->log().find("invalid secret"), std::string::npos) << t->log();
}

TEST_F(LivepeerTranscoderTest, LadderOfRealMediaComesBackAsGoLivepeerReadsIt) {
  MediaSpec spec;
  spec.width = 1280;
  spec.height = 720;
  spec.seconds = 2.0;
  spec.audio_codec = "aac";
  const std::string source = dir_.file("seg.ts");
  make_media(spec, source);
  peer_->serve("/stream/0a1b2c3d/0.tempfile", file_bytes(source));
  auto t = start_transcoder(*peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();

  // P360p at 30 fps, and a 240p box that lpms fills by width: 426 x round(426*720/1280/2)*2 = 240.
  ASSERT_TRUE(peer_->notify(notify_segment(*peer_, 7, "/stream/0a1b2c3d/0.tempfile",
                                           {video_profile("P360p30fps16x9", 640, 360, 1200000, 30),
                                            video_profile("P240p30fps16x9", 426, 240, 600000, 30)})));
  auto result = peer_->wait_result(7, seconds(90));
  ASSERT_TRUE(result) << t->log();
  EXPECT_EQ(result->status_sent, 200) << result->response_body;
  EXPECT_TRUE(result->delivered);
  EXPECT_EQ(result->headers["authorization"], "Livepeer-Transcoder-1.0");
  EXPECT_EQ(result->media_type, "multipart/mixed");
  EXPECT_EQ(result->http_version, "h2");
  const int frames = expected_frames(spec);
  EXPECT_EQ(result->pixels, int64_t{1280} * 720 * frames) << "Pixels = the decoded input's pixels";
  ASSERT_EQ(result->parts.size(), 2u) << result->error;
  const int sizes[2][2] = {{640, 360}, {426, 240}};
  for (size_t i = 0; i < 2; ++i) {
    const PeerResultPart& part = result->parts[i];
    EXPECT_EQ(part.content_type, "video/mp2t");
    const MediaInfo info = inspect_part(part);
    EXPECT_EQ(info.container, "video/mpegts");
    EXPECT_EQ(info.width, sizes[i][0]);
    EXPECT_EQ(info.height, sizes[i][1]);
    EXPECT_EQ(info.decoded_frames, frames);
    EXPECT_TRUE(info.has_audio);
    EXPECT_EQ(part.pixels, int64_t{info.width} * info.height * info.decoded_frames) << "rendition " << i;
  }
  EXPECT_TRUE(t->wait_for_log("task 7 (session 0a1b2c3d, seq 0): 2 renditions", seconds(10))) << t->log();
}

TEST_F(LivepeerTranscoderTest, Mp4ProfileAndLpmsSizeOfA4by3Source) {
  MediaSpec spec;
  spec.width = 640;
  spec.height = 480;
  spec.seconds = 1.0;
  const std::string source = dir_.file("sd.ts");
  make_media(spec, source);
  peer_->serve("/stream/s/1.tempfile", file_bytes(source));
  auto t = start_transcoder(*peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();
  // lpms keeps the width of a landscape source: 640x360 asked, 640x480 made (lprendition's
  // own box rule would make 480x360).
  net::VideoProfile mp4 = video_profile("mp4-360", 640, 360, 800000);
  mp4.set_format(net::VideoProfile::MP4);
  mp4.set_profile(net::VideoProfile::H264_MAIN);
  mp4.set_gop(1000);
  ASSERT_TRUE(peer_->notify(notify_segment(*peer_, 8, "/stream/s/1.tempfile", {mp4})));
  auto result = peer_->wait_result(8, seconds(90));
  ASSERT_TRUE(result) << t->log();
  ASSERT_EQ(result->parts.size(), 1u) << result->error << t->log();
  EXPECT_EQ(result->parts[0].content_type, "video/mp4");
  const MediaInfo info = inspect_part(result->parts[0]);
  EXPECT_EQ(info.container, "video/quicktime");
  EXPECT_EQ(info.width, 640);
  EXPECT_EQ(info.height, 480);
  EXPECT_EQ(info.h264_profile, "main");
  EXPECT_EQ(info.decoded_frames, expected_frames(spec));
}

TEST_F(LivepeerTranscoderTest, UndecodableSegmentIsATranscodingError) {
  peer_->serve("/stream/s/2.tempfile", std::string(188 * 50, '\x47'));
  auto t = start_transcoder(*peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();
  ASSERT_TRUE(peer_->notify(
      notify_segment(*peer_, 9, "/stream/s/2.tempfile", {video_profile("P240p30fps16x9", 426, 240, 600000)})));
  auto result = peer_->wait_result(9, seconds(60));
  ASSERT_TRUE(result) << t->log();
  EXPECT_EQ(result->media_type, "livepeer/transcoding-error");
  EXPECT_EQ(result->status_sent, 200);
  EXPECT_FALSE(result->error.empty());
  EXPECT_EQ(result->pixels, 0);
  EXPECT_TRUE(result->parts.empty());
}

TEST_F(LivepeerTranscoderTest, MissingSourceAndIncompatibleCapabilitiesAreErrors) {
  auto t = start_transcoder(*peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();
  ASSERT_TRUE(peer_->notify(
      notify_segment(*peer_, 10, "/stream/s/missing.tempfile", {video_profile("P240p30fps16x9", 426, 240, 600000)})));
  auto missing = peer_->wait_result(10, seconds(30));
  ASSERT_TRUE(missing) << t->log();
  EXPECT_EQ(missing->media_type, "livepeer/transcoding-error");
  EXPECT_NE(missing->error.find("404"), std::string::npos) << missing->error;

  auto n = notify_segment(*peer_, 11, "/stream/s/missing.tempfile", {video_profile("P240p", 426, 240, 600000)});
  *n.mutable_segdata()->mutable_capabilities() =
      livepeer::to_net_capabilities({livepeer::kH264, livepeer::kMpeg7VideoSignature}, "");
  ASSERT_TRUE(peer_->notify(n));
  auto incompatible = peer_->wait_result(11, seconds(30));
  ASSERT_TRUE(incompatible) << t->log();
  EXPECT_NE(incompatible->error.find("incompatible segment capabilities"), std::string::npos) << incompatible->error;
  EXPECT_NE(incompatible->error.find("MPEG7VideoSignature"), std::string::npos) << incompatible->error;
  EXPECT_EQ(peer_->gets("/stream/s/missing.tempfile"), 1) << "an incompatible segment is not fetched";
}

TEST_F(LivepeerTranscoderTest, SessionTeardownAndStatusOnCliAddr) {
  const int cli = free_port();
  auto t = start_transcoder(*peer_, {"-cliAddr", "127.0.0.1:" + std::to_string(cli)});
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();
  net::NotifySegment end;
  end.mutable_segdata()->mutable_auth_token()->set_session_id("feedbeef");
  ASSERT_TRUE(peer_->notify(end));
  EXPECT_TRUE(t->wait_for_log("session feedbeef ended", seconds(10))) << t->log();
  EXPECT_TRUE(peer_->results().empty());

  ASSERT_TRUE(t->wait_for_log("registered with the go-livepeer orchestrator", seconds(10))) << t->log();
  auto status = http_request("GET", "http://127.0.0.1:" + std::to_string(cli) + "/status");
  ASSERT_EQ(status.status, 200) << t->log();
  EXPECT_NE(status.body.find("\"protocol\":\"livepeer\""), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("\"connected\":true"), std::string::npos) << status.body;
  auto metrics = http_request("GET", "http://127.0.0.1:" + std::to_string(cli) + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("lpgst_transcoder_connected{protocol=\"livepeer\"} 1"), std::string::npos)
      << metrics.body;
}

TEST_F(LivepeerTranscoderTest, ReconnectsAfterTheOrchestratorRestarts) {
  const int port = peer_->port();
  auto t = start_transcoder(*peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();
  peer_->stop();
  peer_.reset();
  std::this_thread::sleep_for(seconds(1));  // the transcoder finds nobody and backs off
  peer_ = LivepeerOrchPeer::start(kSecret, port);
  ASSERT_TRUE(peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(60))) << t->log();
  EXPECT_TRUE(t->running());

  // And after the orchestrator ends the stream itself.
  peer_->drop_transcoders();
  ASSERT_TRUE(peer_->wait_open_registrations(1, seconds(60))) << t->log();
  EXPECT_GE(peer_->registrations(), 2);
}

TEST_F(LivepeerTranscoderTest, SigtermDrainsARunningSegment) {
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 2.0;
  const std::string source = dir_.file("drain.ts");
  make_media(spec, source);
  peer_->serve("/stream/d/0.tempfile", file_bytes(source));
  auto t = start_transcoder(*peer_);
  ASSERT_TRUE(peer_->wait_registered(seconds(30))) << t->log();
  ASSERT_TRUE(peer_->notify(
      notify_segment(*peer_, 12, "/stream/d/0.tempfile", {video_profile("P360p30fps16x9", 640, 360, 1200000)})));
  ASSERT_TRUE(peer_->wait_open_registrations(1, seconds(5)));
  while (peer_->gets("/stream/d/0.tempfile") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  t->signal(SIGTERM);
  auto code = t->wait_exit(seconds(60));
  ASSERT_TRUE(code) << t->log();
  EXPECT_EQ(*code, 0) << t->log();
  auto result = peer_->wait_result(12, seconds(1));
  ASSERT_TRUE(result) << "the segment in flight was posted before exit\n" << t->log();
  EXPECT_EQ(result->parts.size(), 1u);
}

}  // namespace
}  // namespace lp::test
