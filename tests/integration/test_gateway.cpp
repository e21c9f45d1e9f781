// `lpnode --gateway` with real publishers: GStreamer's rtmp2sink over RTMP, and MPEG-TS in a
// chunked HTTP PUT; live HLS read back over HTTP; an orchestrator killed mid-stream; cleanup.
#include <gtest/gtest.h>

#include <csignal>
#include <libsoup/soup.h>
#include <signal.h>

#include <future>
#include <regex>
#include <thread>

#include "node_cluster.h"

namespace lp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

struct Gateway {
  std::unique_ptr<NodeProcess> process;
  int http_port = 0;
  int rtmp_port = 0;
  TempDir data;
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(http_port) + path; }
  std::string rtmp(const std::string& key) const {
    return "rtmp://127.0.0.1:" + std::to_string(rtmp_port) + "/live/" + key;
  }
};

std::unique_ptr<Gateway> start_gateway(const std::vector<const Orchestrator*>& orchestrators, int stream_timeout = 30,
                                       const std::string& profiles = "P240p30fps16x9,P144p30fps16x9") {
  auto g = std::make_unique<Gateway>();
  g->http_port = free_port();
  g->rtmp_port = free_port();
  std::string list;
  for (const auto* o : orchestrators)
    list += (list.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(o->http_port);
  g->process =
      NodeProcess::start(lpnode_binary(),
                         {"--gateway", "--orch-addr", list, "--http-addr", "127.0.0.1:" + std::to_string(g->http_port),
                          "--rtmp-addr", "127.0.0.1:" + std::to_string(g->rtmp_port), "--data-dir", g->data.path(),
                          "--transcoding-options", profiles, "--stream-timeout", std::to_string(stream_timeout)},
                         "gateway");
  EXPECT_TRUE(g->process->wait_for_log("lpnode: gateway:", seconds(20))) << g->process->log();
  return g;
}

// Publishes generated video (+ AAC) with rtmp2sink; `live` paces it in real time.
std::optional<std::string> publish_rtmp(const std::string& url, int seconds, bool live) {
  const std::string is_live = live ? "true" : "false";
  const int frames = seconds * 30;
  return run_launch("videotestsrc is-live=" + is_live + " num-buffers=" + std::to_string(frames) +
                        " ! video/x-raw,width=320,height=180,framerate=30/1,format=I420 ! x264enc tune=zerolatency "
                        "speed-preset=ultrafast key-int-max=30 ! h264parse ! flvmux streamable=true name=m ! "
                        "rtmp2sink location=" +
                        url + " audiotestsrc is-live=" + is_live + " num-buffers=" + std::to_string(seconds * 47) +
                        " ! avenc_aac ! aacparse ! m.",
                    seconds * 4.0 + 30);
}

std::vector<std::string> playlist_segments(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

bool wait_for(const std::function<bool()>& ok, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return ok();
}

// Every segment of a media playlist served by the gateway decodes, with audio.
int check_served_variant(const Gateway& g, const std::string& key, const std::string& variant) {
  HttpResponse playlist = http_request("GET", g.url("/hls/" + key + "/" + variant + "/index.m3u8"));
  EXPECT_EQ(playlist.status, 200) << variant;
  EXPECT_EQ(playlist.header("content-type"), "application/vnd.apple.mpegurl");
  int frames = 0;
  for (const auto& file : playlist_segments(playlist.body)) {
    HttpResponse seg = http_request("GET", g.url("/hls/" + key + "/" + variant + "/" + file));
    EXPECT_EQ(seg.status, 200) << file;
    g_autoptr(GBytes) bytes = g_bytes_new(seg.body.data(), seg.body.size());
    MediaInfo info = inspect_media_bytes(bytes);
    EXPECT_TRUE(info.has_audio) << variant << "/" << file;
    frames += info.decoded_frames;
  }
  return frames;
}

// A combined node (transcoding in-process) for the gateway to send segments to.
Orchestrator start_combined_orchestrator(const std::string& name = "orchestrator") {
  OrchestratorOptions o;
  o.transcoder = true;
  o.max_sessions = "4";
  return start_orchestrator(o, name);
}

// 6 s of 320x180 30 fps H.264 (1 s GOPs) + AAC in MPEG-TS: 180 frames to publish.
void make_live_file(const std::string& path) {
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 6;
  spec.gop_frames = 30;
  spec.audio_codec = "aac";
  make_media(spec, path);
}

TEST(Gateway, RtmpInLiveHlsOutWithTheSourceRenditionThenCleanedUp) {
  Orchestrator orch = start_combined_orchestrator();
  auto g = start_gateway({&orch}, 4);
  ASSERT_EQ(publish_rtmp(g->rtmp("cam1"), 8, false), std::nullopt) << g->process->log();
  // The input has ended: every segment comes through, then the playlists get ENDLIST.
  ASSERT_TRUE(wait_for(
      [&] {
        return http_request("GET", g->url("/hls/cam1/P144p30fps16x9/index.m3u8")).body.find("#EXT-X-ENDLIST") !=
               std::string::npos;
      },
      seconds(60)))
      << g->process->log();
  const std::string master = http_request("GET", g->url("/hls/cam1/index.m3u8")).body;
  for (const char* v : {"source/index.m3u8", "P240p30fps16x9/index.m3u8", "P144p30fps16x9/index.m3u8",
                        "RESOLUTION=320x180", "RESOLUTION=256x144", "CODECS=\"avc1."})
    EXPECT_NE(master.find(v), std::string::npos) << v << "\n" << master;
  // A sliding window of at most 6 segments; 8 s in 2 s segments leaves the first ones out only
  // if there were more than 6.
  for (const char* v : {"source", "P240p30fps16x9", "P144p30fps16x9"}) {
    const int frames = check_served_variant(*g, "cam1", v);
    EXPECT_NEAR(frames, 240, 31) << v;  // all of it (the window holds the 4 segments)
  }
  EXPECT_EQ(http_request("GET", g->url("/hls/cam1/../../etc/passwd")).status, 404);
  EXPECT_EQ(http_request("GET", g->url("/hls/cam1/.segments/x.ts")).status, 404);
  // After --stream-timeout, the stream and its files are gone.
  ASSERT_TRUE(wait_for([&] { return http_request("GET", g->url("/hls/cam1/index.m3u8")).status == 404; }, seconds(20)))
      << g->process->log();
  EXPECT_FALSE(g_file_test((g->data.path() + "/hls/cam1").c_str(), G_FILE_TEST_EXISTS));
}

TEST(Gateway, SurvivesItsOrchestratorGoingAwayMidStream) {
  Orchestrator first = start_combined_orchestrator("first");
  Orchestrator second = start_combined_orchestrator("second");
  auto g = start_gateway({&first, &second});
  auto publisher = std::async(std::launch::async, [&] { return publish_rtmp(g->rtmp("cam2"), 14, true); });
  // Once the first orchestrator has done a few segments, it dies.
  ASSERT_TRUE(wait_for(
      [&] {
        return playlist_segments(http_request("GET", g->url("/hls/cam2/P144p30fps16x9/index.m3u8")).body).size() >= 2;
      },
      seconds(30)))
      << g->process->log();
  first.process->signal(SIGKILL);
  EXPECT_EQ(publisher.get(), std::nullopt);
  ASSERT_TRUE(wait_for(
      [&] {
        return http_request("GET", g->url("/hls/cam2/P144p30fps16x9/index.m3u8")).body.find("#EXT-X-ENDLIST") !=
               std::string::npos;
      },
      seconds(60)))
      << g->process->log();
  EXPECT_NE(g->process->log().find("now on orchestrator 127.0.0.1:" + std::to_string(second.http_port)),
            std::string::npos)
      << g->process->log();
  const std::string media = http_request("GET", g->url("/hls/cam2/P144p30fps16x9/index.m3u8")).body;
  EXPECT_GE(playlist_segments(media).size(), 5u) << media;
}

// PUTs a file to /live/<key> with a chunked body; the answer's status.
guint put_stream(const Gateway& g, SoupSession* session, const std::string& key, const std::string& path) {
  g_autoptr(SoupMessage) msg = soup_message_new("PUT", g.url("/live/" + key).c_str());
  g_autoptr(GFile) file = g_file_new_for_path(path.c_str());
  g_autoptr(GFileInputStream) stream = g_file_read(file, nullptr, nullptr);
  if (!stream) return 0;
  soup_message_set_request_body(msg, "video/mp2t", G_INPUT_STREAM(stream), -1);  // chunked
  g_autoptr(GBytes) answer = soup_session_send_and_read(session, msg, nullptr, nullptr);
  return soup_message_get_status(msg);
}

// MPEG-TS in the body of one long chunked PUT, as `curl -T - http://gw/live/KEY` sends it.
TEST(Gateway, MpegTsOverChunkedHttpPut) {
  Orchestrator orch = start_combined_orchestrator();
  auto g = start_gateway({&orch});
  TempDir dir;
  make_live_file(dir.file("in.ts"));

  g_autoptr(SoupSession) session = soup_session_new();
  EXPECT_EQ(put_stream(*g, session, "tv1", dir.file("in.ts")), 200u);
  ASSERT_TRUE(wait_for(
      [&] {
        return http_request("GET", g->url("/hls/tv1/P240p30fps16x9/index.m3u8")).body.find("#EXT-X-ENDLIST") !=
               std::string::npos;
      },
      seconds(60)))
      << g->process->log();
  EXPECT_EQ(check_served_variant(*g, "tv1", "P240p30fps16x9"), 180);
  EXPECT_EQ(check_served_variant(*g, "tv1", "source"), 180);

  // A second PUT on a key that is still around (ended, not yet cleaned up) starts it afresh;
  // a bad key is refused.
  g_autoptr(SoupMessage) bad = soup_message_new("PUT", g->url("/live/bad%20key").c_str());
  g_autoptr(GBytes) none = g_bytes_new("x", 1);
  soup_message_set_request_body_from_bytes(bad, "video/mp2t", none);
  g_autoptr(GBytes) refused = soup_session_send_and_read(session, bad, nullptr, nullptr);
  EXPECT_EQ(soup_message_get_status(bad), 400u);
  EXPECT_TRUE(g->process->running());
}

// A key published again while its previous stream is still waiting on the orchestrator: the old
// stream is stopped there and then, its orchestrator call cancelled (the orchestrator sees its
// client leave), so nothing of it can write into the folder the new stream uses.
TEST(Gateway, RepublishingAKeyCancelsTheOldStreamsOrchestratorCall) {
  OrchestratorOptions o;
  o.max_sessions = "4";
  Orchestrator orch = start_orchestrator(o, "orchestrator");
  auto transcoder = start_transcoder(orch, 2, "transcoder");
  auto g = start_gateway({&orch});
  TempDir dir;
  make_live_file(dir.file("in.ts"));
  transcoder->signal(SIGSTOP);  // segments now wait at the orchestrator (8 s deadline)
  g_autoptr(SoupSession) session = soup_session_new();
  EXPECT_EQ(put_stream(*g, session, "re1", dir.file("in.ts")), 200u);
  ASSERT_TRUE(orch.process->wait_for_log("(stream re1 seq 0)", seconds(20))) << g->process->log();
  EXPECT_EQ(put_stream(*g, session, "re1", dir.file("in.ts")), 200u);  // the same key again
  // Long before the deadline, the orchestrator sees the old stream's request go.
  const auto client_gone = [&] {
    return http_request("GET", orch.cli_url("/metrics")).body.find("code=\"client_gone\"} 1") != std::string::npos;
  };
  EXPECT_TRUE(wait_for(client_gone, seconds(4))) << orch.process->log() << g->process->log();
  transcoder->signal(SIGCONT);
  EXPECT_TRUE(g->process->running());
}

// Live VP9: the gateway serves fMP4 HLS (an init section named by EXT-X-MAP, .m4s segments).
TEST(Gateway, LiveVp9IsFragmentedMp4Hls) {
  Orchestrator orch = start_combined_orchestrator();
  auto g = start_gateway({&orch}, 30,
                         R"([{"name":"vp9","width":256,"height":144,"bitrate":200000,"fps":30,"encoder":"VP9"}])");
  TempDir dir;
  make_live_file(dir.file("in.ts"));
  g_autoptr(SoupSession) session = soup_session_new();
  EXPECT_EQ(put_stream(*g, session, "vp", dir.file("in.ts")), 200u);
  ASSERT_TRUE(wait_for(
      [&] {
        return http_request("GET", g->url("/hls/vp/vp9/index.m3u8")).body.find("#EXT-X-ENDLIST") != std::string::npos;
      },
      seconds(60)))
      << g->process->log();
  const std::string playlist = http_request("GET", g->url("/hls/vp/vp9/index.m3u8")).body;
  EXPECT_NE(playlist.find("#EXT-X-MAP:URI=\"vp9_init0.mp4\"\n"), std::string::npos) << playlist;
  HttpResponse init = http_request("GET", g->url("/hls/vp/vp9/vp9_init0.mp4"));
  ASSERT_EQ(init.status, 200);
  EXPECT_EQ(init.header("content-type"), "video/mp4");
  std::string joined = init.body;
  for (const auto& file : playlist_segments(playlist)) {
    EXPECT_TRUE(file.ends_with(".m4s")) << file;
    HttpResponse seg = http_request("GET", g->url("/hls/vp/vp9/" + file));
    EXPECT_EQ(seg.status, 200) << file;
    EXPECT_EQ(seg.header("content-type"), "video/iso.segment");
    joined += seg.body;
  }
  g_autoptr(GBytes) bytes = g_bytes_new(joined.data(), joined.size());
  MediaInfo info = inspect_media_bytes(bytes);
  EXPECT_EQ(info.video_caps_name, "video/x-vp9");
  EXPECT_EQ(info.decoded_frames, 180);
  EXPECT_TRUE(info.has_audio);
  const std::string master = http_request("GET", g->url("/hls/vp/index.m3u8")).body;
  EXPECT_NE(master.find("CODECS=\"vp09.00."), std::string::npos) << master;
}

}  // namespace
}  // namespace lp::test
