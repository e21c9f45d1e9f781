// `lpctl transcode` end to end, as a video developer runs it: real lpctl and lpnode processes,
// generated media, HLS checked by GStreamer, ffprobe and gst-discoverer; failover between
// orchestrators; bad inputs and lying orchestrators leave no playlist behind.
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <signal.h>

#include <fstream>
#include <future>
#include <regex>
#include <thread>

#include "node_cluster.h"

namespace lp::test {
namespace {

using std::chrono::seconds;

std::string slurp(const std::string& path) { return file_string(path); }

bool exists(const std::string& path) { return g_file_test(path.c_str(), G_FILE_TEST_EXISTS); }

// Every media playlist of a master, each segment decodable, as the players will find them.
struct Ladder {
  std::vector<std::string> variants;  // media playlist paths
  std::vector<std::string> stream_inf;
};
Ladder read_ladder(const std::string& dir) {
  Ladder l;
  std::istringstream master(slurp(dir + "/index.m3u8"));
  std::string line;
  while (std::getline(master, line)) {
    if (line.rfind("#EXT-X-STREAM-INF:", 0) == 0)
      l.stream_inf.push_back(line);
    else if (!line.empty() && line[0] != '#')
      l.variants.push_back(dir + "/" + line);
  }
  return l;
}

std::vector<std::string> segments_of(const std::string& playlist) {
  std::vector<std::string> out;
  std::istringstream in(slurp(playlist));
  const std::string folder = playlist.substr(0, playlist.rfind('/'));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.push_back(folder + "/" + line);
  return out;
}

bool tool_ok(const std::string& command) { return std::system((command + " > /dev/null 2>&1").c_str()) == 0; }

void expect_valid_ladder(const std::string& dir, size_t renditions, int total_frames, bool audio) {
  ASSERT_TRUE(exists(dir + "/index.m3u8"));
  Ladder l = read_ladder(dir);
  ASSERT_EQ(l.variants.size(), renditions);
  for (const auto& inf : l.stream_inf) {
    for (const char* attr : {"BANDWIDTH=", "AVERAGE-BANDWIDTH=", "RESOLUTION=", "FRAME-RATE=", "CODECS=\"avc1."})
      EXPECT_NE(inf.find(attr), std::string::npos) << inf;
    EXPECT_EQ(inf.find("mp4a.40.2") != std::string::npos, audio) << inf;
  }
  const bool have_ffprobe = tool_ok("ffprobe -version");
  const bool have_discoverer = tool_ok("gst-discoverer-1.0 --help");
  for (const auto& playlist : l.variants) {
    SCOPED_TRACE(playlist);
    const std::string text = slurp(playlist);
    EXPECT_NE(text.find("#EXT-X-ENDLIST"), std::string::npos);
    EXPECT_NE(text.find("#EXT-X-TARGETDURATION:"), std::string::npos);
    int frames = 0;
    for (const auto& segment : segments_of(playlist)) {
      MediaInfo info = inspect_media(segment);
      EXPECT_TRUE(info.first_is_idr) << segment;
      EXPECT_EQ(info.has_audio, audio) << segment;
      frames += info.decoded_frames;
      if (have_ffprobe) {
        EXPECT_TRUE(tool_ok("ffprobe -v error -count_frames -show_streams '" + segment + "'")) << segment;
      }
      if (have_discoverer) {
        EXPECT_TRUE(tool_ok("gst-discoverer-1.0 '" + segment + "' | grep -q 'H.264'")) << segment;
      }
    }
    EXPECT_EQ(frames, total_frames);
  }
  if (!have_ffprobe || !have_discoverer) {
    ADD_FAILURE() << "ffprobe and gst-discoverer-1.0 must be installed for this check (.ci/install-deps)";
  }
}

TEST(LpctlTranscode, EmbeddedNodeFileWithAudioToPlayableHls) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 6;
  spec.gop_frames = 60;
  spec.audio_codec = "aac";
  make_media(spec, dir.file("in.mp4"));
  Ran r = run_lpctl({"transcode", dir.file("in.mp4"), "-o", dir.file("hls"), "--profiles",
                     "P360p30fps16x9,P240p30fps16x9,P144p30fps16x9"},
                    "embedded");
  ASSERT_EQ(r.status, 0) << r.log;
  EXPECT_NE(r.log.find("embedded node on http://127.0.0.1:"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("3 segments"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("/P144p30fps16x9/index.m3u8  256x144  180 frames"), std::string::npos) << r.log;
  expect_valid_ladder(dir.file("hls"), 3, 180, true);
  const std::string master = slurp(dir.file("hls/index.m3u8"));
  EXPECT_NE(master.find("RESOLUTION=640x360"), std::string::npos) << master;
  EXPECT_NE(master.find("RESOLUTION=256x144"), std::string::npos) << master;
  EXPECT_FALSE(exists(dir.file("hls/.lpgst-segments")));  // the work files are gone
}

TEST(LpctlTranscode, NoAudioLongGopAndStandardInput) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 10;
  spec.gop_frames = 150;  // keyframes every 5 s: the segments follow them
  make_media(spec, dir.file("long.ts"));
  auto p = NodeProcess::start("/bin/sh",
                              {"-c", "exec \"$0\" transcode - -o \"$1\" --profiles P144p30fps16x9 < \"$2\"",
                               lpctl_binary(), dir.file("hls"), dir.file("long.ts")},
                              "stdin");
  auto status = p->wait_exit(seconds(120));
  ASSERT_EQ(status, 0) << p->log();
  EXPECT_NE(p->log().find("(1/"), std::string::npos);  // plain progress lines when not a terminal
  expect_valid_ladder(dir.file("hls"), 1, 300, false);
  const std::string media = slurp(dir.file("hls/P144p30fps16x9/index.m3u8"));
  EXPECT_NE(media.find("#EXT-X-TARGETDURATION:5"), std::string::npos) << media;
  EXPECT_NE(media.find("#EXTINF:5.000,"), std::string::npos) << media;
}

TEST(LpctlTranscode, SeparateOrchestratorAndTwoTranscoders) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  auto t1 = start_transcoder(orch, 1, "t1");
  auto t2 = start_transcoder(orch, 1, "t2");
  ASSERT_TRUE(wait_for_transcoders(orch, 2, seconds(5)));
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 8;
  spec.gop_frames = 30;
  spec.audio_codec = "aac";
  make_media(spec, dir.file("in.ts"));
  Ran r = run_lpctl({"transcode", dir.file("in.ts"), "-o", dir.file("hls"), "--orch-addr",
                     "127.0.0.1:" + std::to_string(orch.http_port), "--profiles", "P240p30fps16x9,P144p30fps16x9",
                     "--expect-signer", test_key().address},
                    "fleet-client");
  ASSERT_EQ(r.status, 0) << r.log;
  expect_valid_ladder(dir.file("hls"), 2, 240, true);
  Status s = get_status(orch);
  ASSERT_EQ(s.transcoders.size(), 2u);
  for (const auto& t : s.transcoders) EXPECT_GT(t.segments, 0) << s.raw;  // both worked
}

// VP9 and AV1 renditions come back as fragmented MP4: HLS with an EXT-X-MAP init section and
// .m4s segments that play as one continuous stream.
TEST(LpctlTranscode, Vp9AndAv1LadderIsFragmentedMp4Hls) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o);
  auto t1 = start_transcoder(orch, 2, "t1");
  ASSERT_TRUE(wait_for_transcoders(orch, 1, seconds(5)));
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 6;
  spec.audio_codec = "aac";
  spec.pattern = "ball";
  make_media(spec, dir.file("in.mp4"));
  Ran r = run_lpctl({"transcode", dir.file("in.mp4"), "-o", dir.file("hls"), "--orch-addr",
                     "127.0.0.1:" + std::to_string(orch.http_port), "--profiles",
                     R"([{"name":"vp9","width":320,"height":180,"bitrate":300000,"fps":30,"encoder":"VP9"},)"
                     R"({"name":"av1","width":256,"height":144,"bitrate":200000,"fps":30,"encoder":"AV1"}])"},
                    "fmp4-client");
  ASSERT_EQ(r.status, 0) << r.log;
  Ladder l = read_ladder(dir.file("hls"));
  ASSERT_EQ(l.stream_inf.size(), 2u);
  const std::string master = slurp(dir.file("hls/index.m3u8"));
  EXPECT_TRUE(std::regex_search(
      master, std::regex(R"(RESOLUTION=320x180,FRAME-RATE=30.000,CODECS="vp09\.00\.\d\d\.08,mp4a\.40\.2")")))
      << master;
  EXPECT_TRUE(std::regex_search(
      master, std::regex(R"(RESOLUTION=256x144,FRAME-RATE=30.000,CODECS="av01\.0\.\d\dM\.08,mp4a\.40\.2")")))
      << master;
  for (const char* name : {"vp9", "av1"}) {
    SCOPED_TRACE(name);
    const std::string folder = dir.file("hls/") + name;
    const std::string media = slurp(folder + "/index.m3u8");
    EXPECT_NE(media.find("#EXT-X-VERSION:7\n"), std::string::npos) << media;
    EXPECT_NE(media.find(std::string("#EXT-X-MAP:URI=\"") + name + "_init0.mp4\"\n"), std::string::npos) << media;
    EXPECT_NE(media.find("#EXT-X-ENDLIST"), std::string::npos) << media;
    // The init section and every segment, in playlist order, as a player appends them.
    std::vector<uint8_t> joined = read_file(folder + "/" + name + "_init0.mp4");
    const auto segments = segments_of(folder + "/index.m3u8");
    ASSERT_EQ(segments.size(), 3u);
    for (const auto& s : segments) {
      EXPECT_EQ(s.substr(s.size() - 4), ".m4s");
      const auto part = read_file(s);
      joined.insert(joined.end(), part.begin(), part.end());
    }
    write_file(folder + "/joined.mp4", joined);
    MediaInfo info = inspect_media(folder + "/joined.mp4");
    EXPECT_EQ(info.video_caps_name, std::string("video/x-") + name);
    EXPECT_EQ(info.decoded_frames, 180);
    EXPECT_TRUE(info.has_audio);
    ASSERT_EQ(info.pts.size(), 180u);
    for (size_t i = 1; i < info.pts.size(); ++i)
      EXPECT_NEAR(static_cast<double>(info.pts[i] - info.pts[i - 1]) / GST_MSECOND, 33.3, 1.0) << "frame " << i;
    EXPECT_TRUE(tool_ok("ffmpeg -v error -xerror -i '" + folder + "/joined.mp4' -f null -"))
        << "ffmpeg cannot decode " << name;
  }
}

TEST(LpctlTranscode, FirstOrchestratorDiesMidRunTheSecondFinishes) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.max_sessions = "1";
  Orchestrator first = start_orchestrator(o, "first");
  Orchestrator second = start_orchestrator(o, "second");
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 16;
  spec.gop_frames = 30;
  make_media(spec, dir.file("in.ts"));
  auto client = NodeProcess::start(
      lpctl_binary(),
      {"transcode", dir.file("in.ts"), "-o", dir.file("hls"), "--parallel", "1", "--profiles",
       "P360p30fps16x9,P240p30fps16x9", "--orch-addr",
       "127.0.0.1:" + std::to_string(first.http_port) + ",127.0.0.1:" + std::to_string(second.http_port)},
      "failover-client");
  ASSERT_TRUE(client->wait_for_log("segment 2:", seconds(120))) << client->log();
  first.process->signal(SIGKILL);
  auto status = client->wait_exit(seconds(240));
  ASSERT_EQ(status, 0) << client->log();
  EXPECT_NE(client->log().find("from 127.0.0.1:" + std::to_string(second.http_port)), std::string::npos)
      << client->log();
  expect_valid_ladder(dir.file("hls"), 2, 480, false);
}

// An orchestrator in front of a real one that cuts the last rendition of every answer short.
class ShortChangingProxy {
 public:
  explicit ShortChangingProxy(int upstream_port) : upstream_("https://127.0.0.1:" + std::to_string(upstream_port)) {
    std::promise<int> port;
    thread_ = std::thread([this, &port] {
      g_main_context_push_thread_default(context_);
      server_ = soup_server_new(nullptr, nullptr);
      soup_server_add_handler(server_, nullptr, handle, this, nullptr);
      soup_server_listen_local(server_, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, nullptr);
      GSList* uris = soup_server_get_uris(server_);
      port.set_value(g_uri_get_port(static_cast<GUri*>(uris->data)));
      g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
      g_main_loop_run(loop_);
      g_object_unref(server_);
      g_main_context_pop_thread_default(context_);
    });
    port_ = port.get_future().get();
  }
  ~ShortChangingProxy() {
    g_main_context_invoke(
        context_,
        [](gpointer loop) -> gboolean {
          g_main_loop_quit(static_cast<GMainLoop*>(loop));
          return G_SOURCE_REMOVE;
        },
        loop_);
    thread_.join();
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
  }
  int port() const { return port_; }

 private:
  static void handle(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer self) {
    auto* me = static_cast<ShortChangingProxy*>(self);
    g_autoptr(SoupSession) session = soup_session_new();
    g_autoptr(SoupMessage) up = soup_message_new(soup_server_message_get_method(msg), (me->upstream_ + path).c_str());
    g_signal_connect(
        up, "accept-certificate",
        G_CALLBACK(+[](SoupMessage*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
        nullptr);
    SoupMessageHeadersIter it;
    soup_message_headers_iter_init(&it, soup_server_message_get_request_headers(msg));
    const char *name, *value;
    while (soup_message_headers_iter_next(&it, &name, &value))
      if (g_ascii_strcasecmp(name, "Host") != 0)
        soup_message_headers_append(soup_message_get_request_headers(up), name, value);
    g_autoptr(GBytes) body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
    if (g_bytes_get_size(body) > 0) soup_message_set_request_body_from_bytes(up, nullptr, body);
    g_autoptr(GBytes) answer = soup_session_send_and_read(session, up, nullptr, nullptr);
    const char* type = soup_message_headers_get_content_type(soup_message_get_response_headers(up), nullptr);
    soup_server_message_set_status(msg, soup_message_get_status(up), nullptr);
    if (!answer) return;
    gsize n = 0;
    const char* data = static_cast<const char*>(g_bytes_get_data(answer, &n));
    std::string text(data, n);
    if (type && std::string(type) == "multipart/mixed") {
      // Drop 1000 bytes from the middle of the last part (a short rendition).
      const size_t end = text.rfind("\r\n--");
      if (end != std::string::npos && end > 5000) text.erase(end - 3000, 1000);
      const char* full_type = soup_message_headers_get_one(soup_message_get_response_headers(up), "Content-Type");
      soup_server_message_set_response(msg, full_type, SOUP_MEMORY_COPY, text.data(), text.size());
      return;
    }
    soup_server_message_set_response(msg, type ? type : "application/json", SOUP_MEMORY_COPY, text.data(), text.size());
  }

  std::string upstream_;
  GMainContext* context_ = g_main_context_new();
  GMainLoop* loop_ = g_main_loop_new(context_, FALSE);
  SoupServer* server_ = nullptr;
  std::thread thread_;
  int port_ = 0;
};

TEST(LpctlTranscode, BadInputsAndBadOrchestratorsLeaveNoPlaylist) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 4;
  spec.gop_frames = 30;
  make_media(spec, dir.file("good.ts"));

  struct Case {
    const char* name;
    std::vector<std::string> args;
    const char* says;
  };
  write_file(dir.file("noise.ts"), std::vector<uint8_t>(30000, 0x33));
  MediaSpec audio_only;
  audio_only.video_codec = "none";
  audio_only.audio_codec = "aac";
  make_media(audio_only, dir.file("audio.ts"));
  const int dead = free_port();
  std::vector<Case> cases = {
      {"not a video", {dir.file("noise.ts")}, "not a media file"},
      {"no video track", {dir.file("audio.ts")}, "no video track"},
      {"missing file", {dir.file("nothing.ts")}, "no such file"},
      {"unreachable orchestrator",
       {dir.file("good.ts"), "--orch-addr", "127.0.0.1:" + std::to_string(dead)},
       "no orchestrator answers"},
      {"VP8 renditions",
       {dir.file("good.ts"), "--profiles",
        R"([{"name":"v","width":320,"height":180,"bitrate":300000,"encoder":"VP8"}])"},
       "profile v: HLS cannot carry VP8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string out = dir.file(std::string("out-") + std::to_string(&c - cases.data()));
    g_mkdir_with_parents(out.c_str(), 0755);
    std::ofstream(out + "/index.m3u8") << "#EXTM3U\n# from an earlier run\n";
    std::vector<std::string> args = {"transcode", "-o", out, "--profiles", "P144p30fps16x9"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    Ran r = run_lpctl(args, "bad-input");
    EXPECT_NE(r.status, 0) << r.log;
    EXPECT_NE(r.log.find(c.says), std::string::npos) << r.log;
    EXPECT_NE(r.log.find("no complete playlist"), std::string::npos) << r.log;
    EXPECT_FALSE(exists(out + "/index.m3u8"));
  }

  // An orchestrator whose renditions come back short: verification fails on every try.
  OrchestratorOptions o;
  o.transcoder = true;
  Orchestrator orch = start_orchestrator(o, "honest-upstream");
  ShortChangingProxy liar(orch.http_port);
  Ran r = run_lpctl({"transcode", dir.file("good.ts"), "-o", dir.file("lied"), "--profiles",
                     "P240p30fps16x9,P144p30fps16x9", "--orch-addr", "http://127.0.0.1:" + std::to_string(liar.port())},
                    "lied-to");
  EXPECT_NE(r.status, 0) << r.log;
  EXPECT_NE(r.log.find("verification_failed"), std::string::npos) << r.log;
  EXPECT_FALSE(exists(dir.file("lied/index.m3u8")));
}

}  // namespace
}  // namespace lp::test
