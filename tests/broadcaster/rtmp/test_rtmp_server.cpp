// The RTMP ingest server against real publishers (GStreamer's rtmp2sink, ffmpeg when
// installed) and against scripted and hostile raw-socket clients.
//
// The server lives on the default main context, run by a GMainLoop on a background thread;
// the test thread talks to it only through that loop (LoopThread::run). Publishers run their own
// threads (rtmp2sink has its own context), so the test thread just waits on their buses.
#include <gio/gio.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "media.h"
#include "rtmp_amf0.h"
#include "rtmp_bytes.h"
#include "rtmp_chunk.h"
#include "rtmp_server.h"
#include "rtmp_session.h"
#include "rtmp_test_clients.h"

namespace lp {
namespace {

using namespace std::chrono_literals;
using rtmp_test::command_and_code;
using rtmp_test::LoopThread;
using rtmp_test::parse_flv;
using rtmp_test::Publisher;
using rtmp_test::RawClient;

// What the handlers saw (they run on the loop thread; the test thread reads under the mutex).
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<RtmpPublish> publishes;
  std::map<std::string, std::string> flv;                 // key -> every byte of on_data
  std::map<std::string, std::vector<size_t>> call_sizes;  // key -> size of each on_data
  std::vector<std::pair<std::string, std::string>> ends;  // (key, why)
  std::set<std::string> refused_keys;                     // on_publish refuses these
  size_t kick_after = 0;                                  // on_data disconnects the publisher at this call (0: never)

  bool wait(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, done);
  }
  size_t ends_of(const std::string& key) {
    size_t n = 0;
    for (const auto& e : ends) n += e.first == key;
    return n;
  }
};

// ---- fixture ------------------------------------------------------------------------------

class RtmpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(RtmpServerOptions options) {
    loop_.run([&] {
      server_.reset();
      RtmpServer::Handlers handlers;
      handlers.on_publish = [this](const RtmpPublish& p) -> Result<void> {
        std::lock_guard lock(rec_.mu);
        rec_.publishes.push_back(p);
        rec_.cv.notify_all();
        if (rec_.refused_keys.contains(p.stream_key)) return Error{ErrorCode::BadRequest, "unknown stream key"};
        return {};
      };
      handlers.on_data = [this](const std::string& key, GBytes* flv) {
        gsize size = 0;
        const auto* data = static_cast<const char*>(g_bytes_get_data(flv, &size));
        bool kick = false;
        {
          std::lock_guard lock(rec_.mu);
          rec_.flv[key].append(data, size);
          rec_.call_sizes[key].push_back(size);
          kick = rec_.kick_after != 0 && rec_.call_sizes[key].size() == rec_.kick_after;
          rec_.cv.notify_all();
        }
        if (kick) server_->disconnect(key, "kicked");  // re-entrant: on_end runs before this returns
      };
      handlers.on_end = [this](const std::string& key, const std::string& why) {
        std::lock_guard lock(rec_.mu);
        rec_.ends.emplace_back(key, why);
        rec_.cv.notify_all();
      };
      auto started = RtmpServer::start("127.0.0.1:0", std::move(handlers), options);
      ASSERT_TRUE(started.ok()) << started.error().message;
      server_ = std::move(*started);
      port_ = server_->port();
    });
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    loop_.run([&] { server_.reset(); });
  }

  size_t connections() {
    size_t n = 0;
    loop_.run([&] { n = server_->connection_count(); });
    return n;
  }

  bool wait_connections(size_t n, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (connections() != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  // Waits for the publisher's EOS and then for the server's on_end (which follows the last byte).
  void finish(Publisher& publisher, const std::string& key) {
    EXPECT_EQ(publisher.wait(15s), std::nullopt);
    EXPECT_TRUE(rec_.wait([&] { return rec_.ends_of(key) > 0; }, 5s)) << "no on_end for " << key;
  }

  void expect_full_stream(const std::string& key) {
    std::string flv;
    {
      std::lock_guard lock(rec_.mu);
      flv = rec_.flv[key];
      ASSERT_FALSE(rec_.call_sizes[key].empty());
      EXPECT_EQ(rec_.call_sizes[key].front(), 13u) << "the first on_data is the file header alone";
    }
    ASSERT_GT(flv.size(), 13u);
    EXPECT_EQ(flv.substr(0, 13), std::string("FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00", 13));
    EXPECT_EQ(flv.find("@setDataFrame"), std::string::npos);
    auto tags = parse_flv(flv);
    ASSERT_FALSE(tags.empty());
    EXPECT_EQ(tags.front().type, 18);
    EXPECT_NE(tags.front().body.find("onMetaData"), std::string::npos);

    g_autoptr(GBytes) bytes = g_bytes_new(flv.data(), flv.size());
    test::MediaInfo info = test::inspect_media_bytes(bytes);
    EXPECT_EQ(info.container, "video/x-flv");
    EXPECT_EQ(info.video_caps_name, "video/x-h264");
    EXPECT_EQ(info.frames, 90);
    EXPECT_EQ(info.width, 320);
    EXPECT_TRUE(info.has_audio);
    EXPECT_EQ(info.audio_caps_name, "audio/mpeg");
    EXPECT_EQ(info.audio_mpegversion, 4);
  }

  LoopThread loop_;
  Recorder rec_;
  std::unique_ptr<RtmpServer> server_;
  int port_ = 0;
};

// ---- real publishers ----------------------------------------------------------------------

TEST_F(RtmpServerTest, Rtmp2sinkPublishBecomesDemuxableFlv) {
  Publisher publisher(port_, "KEY", false);
  finish(publisher, "KEY");
  {
    std::lock_guard lock(rec_.mu);
    ASSERT_EQ(rec_.publishes.size(), 1u);
    EXPECT_EQ(rec_.publishes[0].app, "live");
    EXPECT_EQ(rec_.publishes[0].stream_key, "KEY");
    EXPECT_EQ(rec_.publishes[0].tc_url, "rtmp://127.0.0.1:" + std::to_string(port_) + "/live");
    EXPECT_EQ(rec_.publishes[0].peer.rfind("127.0.0.1:", 0), 0u);
    ASSERT_EQ(rec_.ends.size(), 1u);
    EXPECT_EQ(rec_.ends[0].second, "FCUnpublish");
  }
  expect_full_stream("KEY");
}

TEST_F(RtmpServerTest, RefusedKeyFailsThePublisher) {
  {
    std::lock_guard lock(rec_.mu);
    rec_.refused_keys.insert("BAD");
  }
  Publisher publisher(port_, "BAD", false);
  auto outcome = publisher.wait(10s);
  ASSERT_TRUE(outcome.has_value()) << "a refused publish must fail the publisher";
  EXPECT_NE(*outcome, "timeout");
  std::lock_guard lock(rec_.mu);
  EXPECT_EQ(rec_.publishes.size(), 1u);
  EXPECT_TRUE(rec_.flv["BAD"].empty());
  EXPECT_TRUE(rec_.ends.empty()) << "no on_end for a publish that never started";
}

TEST_F(RtmpServerTest, SecondPublisherOnALiveKeyIsRefused) {
  Publisher first(port_, "SAME", true);
  ASSERT_TRUE(rec_.wait([&] { return !rec_.flv["SAME"].empty(); }, 10s));
  {
    Publisher second(port_, "SAME", false);
    auto outcome = second.wait(10s);
    ASSERT_TRUE(outcome.has_value());
    EXPECT_NE(*outcome, "timeout");
  }
  finish(first, "SAME");
  std::lock_guard lock(rec_.mu);
  EXPECT_EQ(rec_.publishes.size(), 1u) << "on_publish is not asked about a key that is live";
  EXPECT_EQ(rec_.ends_of("SAME"), 1u);
}

TEST_F(RtmpServerTest, FfmpegPublisherWithDigestHandshake) {
  g_autofree gchar* ffmpeg = g_find_program_in_path("ffmpeg");
  if (!ffmpeg) GTEST_SKIP() << "ffmpeg is not installed";
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(port_) + "/live/ff";
  const char* argv[] = {ffmpeg,      "-nostdin",  "-loglevel", "error",
                        "-f",        "lavfi",     "-i",        "testsrc=size=320x240:rate=30",
                        "-f",        "lavfi",     "-i",        "sine=frequency=440",
                        "-frames:v", "60",        "-c:v",      "libx264",
                        "-preset",   "ultrafast", "-c:a",      "aac",
                        "-shortest", "-f",        "flv",       url.c_str(),
                        nullptr};
  gint status = 0;
  g_autofree gchar* err = nullptr;
  g_autoptr(GError) error = nullptr;
  ASSERT_TRUE(g_spawn_sync(nullptr, const_cast<gchar**>(argv), nullptr, G_SPAWN_STDOUT_TO_DEV_NULL, nullptr, nullptr,
                           nullptr, &err, &status, &error));
  EXPECT_TRUE(g_spawn_check_wait_status(status, nullptr)) << err;
  ASSERT_TRUE(rec_.wait([&] { return rec_.ends_of("ff") > 0; }, 5s));
  std::string flv;
  {
    std::lock_guard lock(rec_.mu);
    flv = rec_.flv["ff"];
  }
  g_autoptr(GBytes) bytes = g_bytes_new(flv.data(), flv.size());
  test::MediaInfo info = test::inspect_media_bytes(bytes);
  EXPECT_EQ(info.video_caps_name, "video/x-h264");
  EXPECT_EQ(info.frames, 60);
  EXPECT_TRUE(info.has_audio);
}

TEST_F(RtmpServerTest, DisconnectFromAHandlerEndsThePublishAtOnce) {
  {
    std::lock_guard lock(rec_.mu);
    rec_.kick_after = 20;
  }
  Publisher publisher(port_, "KICK", true);
  ASSERT_TRUE(rec_.wait([&] { return rec_.ends_of("KICK") == 1; }, 10s));
  EXPECT_NE(publisher.wait(10s), std::optional<std::string>("timeout"));
  EXPECT_TRUE(wait_connections(0, 3s));
  std::lock_guard lock(rec_.mu);
  EXPECT_EQ(rec_.ends[0].second, "kicked");
  EXPECT_EQ(rec_.call_sizes["KICK"].size(), 20u) << "no data after the disconnect";
}

// ---- hostile clients ----------------------------------------------------------------------

TEST_F(RtmpServerTest, BadClientsAreClosedWhileAPublisherKeepsGoing) {
  RtmpServerOptions options;
  options.handshake_timeout = 1s;
  options.max_message_size = 1u << 20;
  start(options);
  Publisher publisher(port_, "LIVE", true);
  ASSERT_TRUE(rec_.wait([&] { return !rec_.flv["LIVE"].empty(); }, 10s));

  RawClient garbage(port_);
  garbage.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(garbage.closed_by_server(2s)) << "garbage";

  RawClient truncated(port_);
  truncated.send(std::string(1 + 100, '\3'));
  EXPECT_TRUE(truncated.closed_by_server(3s)) << "truncated handshake";

  RawClient chunk_size(port_);
  ASSERT_TRUE(chunk_size.handshake());
  chunk_size.set_chunk_size(0x7fffffff);
  EXPECT_TRUE(chunk_size.closed_by_server(2s)) << "absurd chunk size";

  RawClient huge(port_);
  ASSERT_TRUE(huge.handshake());
  std::string header = {'\x03', '\0', '\0', '\0', '\x20', '\0', '\0', '\x09', '\1', '\0', '\0', '\0'};  // 2 MiB video
  huge.send(header);
  EXPECT_TRUE(huge.closed_by_server(2s)) << "message over the size limit";

  RawClient bad_amf(port_);
  ASSERT_TRUE(bad_amf.handshake());
  bad_amf.send_message(3, rtmp::Message{rtmp::kCommandAmf0, 0, 0,
                                        std::string("\x02\x00\x07"
                                                    "connect\x00\x3f\xf0",
                                                    13)});
  EXPECT_TRUE(bad_amf.closed_by_server(2s)) << "truncated AMF0";

  RawClient deep(port_);
  ASSERT_TRUE(deep.handshake());
  std::string nested = rtmp::amf0_encode({rtmp::amf0_string("connect"), rtmp::amf0_number(1)});
  for (int i = 0; i < 5000; ++i)
    nested += std::string(
        "\x03\x00\x01"
        "a",
        4);
  deep.send_message(3, rtmp::Message{rtmp::kCommandAmf0, 0, 0, nested});
  EXPECT_TRUE(deep.closed_by_server(2s)) << "deeply nested AMF0";

  RawClient early(port_);
  ASSERT_TRUE(early.handshake());
  early.send_message(3, rtmp::Message{rtmp::kCommandAmf0, 0, 0,
                                      rtmp::amf0_encode({rtmp::amf0_string("publish"), rtmp::amf0_number(5),
                                                         rtmp::amf0_null(), rtmp::amf0_string("LIVE")})});
  EXPECT_TRUE(early.closed_by_server(2s)) << "publish before connect";

  RawClient orphan(port_);
  ASSERT_TRUE(orphan.handshake());
  orphan.send(std::string("\x43\x00\x00\x10\x00\x00\x10\x09", 8));  // format 1 on a chunk stream never opened
  EXPECT_TRUE(orphan.closed_by_server(2s)) << "format 1 without a format 0";

  finish(publisher, "LIVE");
  expect_full_stream("LIVE");
  std::lock_guard lock(rec_.mu);
  EXPECT_EQ(rec_.publishes.size(), 1u);
  EXPECT_EQ(rec_.ends.size(), 1u);
}

TEST_F(RtmpServerTest, SilentConnectionTimesOut) {
  RtmpServerOptions options;
  options.handshake_timeout = 10s;
  options.idle_timeout = 500ms;
  start(options);
  RawClient silent(port_);
  ASSERT_TRUE(silent.handshake());
  EXPECT_TRUE(silent.closed_by_server(3s));
  EXPECT_TRUE(wait_connections(0, 2s));
}

// ---- the protocol, scripted ---------------------------------------------------------------

// Every chunk header format, interleaved chunk streams, extended timestamps (with and without
// the repeat on continuation chunks), Set Chunk Size both ways, Abort, ping, acknowledgements,
// the publish commands and their replies.
TEST_F(RtmpServerTest, ScriptedPublisherCoversTheChunkProtocol) {
  RtmpServerOptions options;
  options.window_ack_size = 4096;
  start(options);
  using rtmp::amf0_null;
  using rtmp::amf0_number;
  using rtmp::amf0_object;
  using rtmp::amf0_string;
  using rtmp::Amf0Property;
  RawClient c(port_);
  ASSERT_TRUE(c.handshake(true));
  c.set_chunk_size(64);
  c.send_command(
      0, {amf0_string("connect"), amf0_number(1),
          amf0_object({Amf0Property{"app", amf0_string("live/")}, Amf0Property{"type", amf0_string("nonprivate")},
                       Amf0Property{"tcUrl", amf0_string("rtmp://example/live")}})});
  ASSERT_TRUE(c.read_until([](const rtmp::Message& m) {
    return command_and_code(m) == std::pair<std::string, std::string>{"_result", "NetConnection.Connect.Success"};
  }));
  c.send_command(0, {amf0_string("releaseStream"), amf0_number(2), amf0_null(), amf0_string("scripted")});
  c.send_command(0, {amf0_string("FCPublish"), amf0_number(3), amf0_null(), amf0_string("scripted")});
  c.send_command(0, {amf0_string("createStream"), amf0_number(4), amf0_null()});
  uint32_t stream = 0;
  ASSERT_TRUE(c.read_until([&](const rtmp::Message& m) {
    auto values = rtmp::amf0_decode_all(m.payload);
    if (m.type != rtmp::kCommandAmf0 || !values || values->size() < 4 || (*values)[1].number != 4) return false;
    stream = static_cast<uint32_t>((*values)[3].number);
    return true;
  }));
  ASSERT_GT(stream, 0u);
  c.send_command(stream, {amf0_string("publish"), amf0_number(5), amf0_null(), amf0_string("scripted?token=abc"),
                          amf0_string("live")});
  ASSERT_TRUE(
      c.read_until([](const rtmp::Message& m) { return command_and_code(m).second == "NetStream.Publish.Start"; }));

  // Metadata, wrapped as publishers send it.
  std::string meta = rtmp::amf0_encode({amf0_string("@setDataFrame"), amf0_string("onMetaData")});
  rtmp::Amf0Value array = amf0_object({Amf0Property{"videocodecid", amf0_number(7)}});
  array.type = rtmp::Amf0Value::Type::EcmaArray;
  rtmp::amf0_write(meta, array);
  c.send_message(4, rtmp::Message{rtmp::kDataAmf0, stream, 0, meta});

  // Two messages interleaved chunk by chunk on chunk streams 6 and 7 (chunk size 64).
  const std::string video0(150, 'v'), audio0(100, 'a');
  auto fmt0 = [&](uint8_t csid, uint32_t ts, uint8_t type, size_t length, bool ext) {
    std::string h;
    rtmp::put_u8(h, csid);
    rtmp::put_be24(h, ext ? 0xffffff : ts);
    rtmp::put_be24(h, static_cast<uint32_t>(length));
    rtmp::put_u8(h, type);
    rtmp::put_le32(h, stream);
    if (ext) rtmp::put_be32(h, ts);
    return h;
  };
  auto fmt3 = [](uint8_t csid) { return std::string(1, static_cast<char>(0xc0 | csid)); };
  c.send(fmt0(6, 0, rtmp::kVideo, video0.size(), false) + video0.substr(0, 64));
  c.send(fmt0(7, 10, rtmp::kAudio, audio0.size(), false) + audio0.substr(0, 64));
  c.send(fmt3(6) + video0.substr(64, 64));
  c.send(fmt3(7) + audio0.substr(64));
  c.send(fmt3(6) + video0.substr(128));
  // Format 1 (delta 33, new length), format 2 (delta 33), format 3 (same delta again).
  std::string fmt1 = {'\x46', '\0', '\0', '\x21', '\0', '\0', '\x05', '\x09'};
  c.send(fmt1 + "v33..");
  c.send(std::string("\x86\x00\x00\x21", 4) + "v66..");
  c.send(fmt3(6) + "v99..");
  // Aborted: half a message on chunk stream 8, then Abort(8) and a whole one.
  c.send(fmt0(8, 100, rtmp::kVideo, 100, false) + std::string(64, 'x'));
  std::string abort_payload;
  rtmp::put_be32(abort_payload, 8);
  c.send_message(2, rtmp::Message{rtmp::kAbort, 0, 0, abort_payload});
  c.send(fmt0(8, 120, rtmp::kVideo, 4, false) + "v120");
  // Extended timestamps: repeated on the continuation chunk, then left out of one.
  const uint32_t big = 0x01000000;
  const std::string ext_a(100, 'e'), ext_b(100, 'f');
  c.send(fmt0(9, big, rtmp::kVideo, ext_a.size(), true) + ext_a.substr(0, 64));
  std::string repeat;
  rtmp::put_be32(repeat, big);
  c.send(fmt3(9) + repeat + ext_a.substr(64));
  c.send(fmt0(10, big + 40, rtmp::kVideo, ext_b.size(), true) + ext_b.substr(0, 64));
  c.send(fmt3(10) + ext_b.substr(64));

  // Ping, and enough bytes for an acknowledgement (window 4096).
  std::string ping;
  rtmp::put_be16(ping, rtmp::kPingRequest);
  rtmp::put_be32(ping, 1234);
  c.send_message(2, rtmp::Message{rtmp::kUserControl, 0, 0, ping});
  bool pong = false, acked = false;
  ASSERT_TRUE(c.read_until([&](const rtmp::Message& m) {
    if (m.type == rtmp::kUserControl && rtmp::read_be16(m.payload) == rtmp::kPingResponse) {
      pong = rtmp::read_be32(m.payload.substr(2)) == 1234;
    }
    if (m.type == rtmp::kAcknowledgement) acked = true;
    return pong;
  }));
  c.send_message(11, rtmp::Message{rtmp::kVideo, stream, 500, std::string(5000, 'z')});
  if (!acked) {
    ASSERT_TRUE(c.read_until([](const rtmp::Message& m) { return m.type == rtmp::kAcknowledgement; }));
  }

  c.send_command(0, {amf0_string("FCUnpublish"), amf0_number(6), amf0_null(), amf0_string("scripted")});
  ASSERT_TRUE(rec_.wait([&] { return rec_.ends_of("scripted") == 1; }, 5s));

  std::lock_guard lock(rec_.mu);
  ASSERT_EQ(rec_.publishes.size(), 1u);
  EXPECT_EQ(rec_.publishes[0].app, "live");
  EXPECT_EQ(rec_.publishes[0].query, "token=abc");
  EXPECT_EQ(rec_.ends[0].second, "FCUnpublish");
  const std::string& flv = rec_.flv["scripted"];
  ASSERT_GE(flv.size(), 13u);
  EXPECT_EQ(flv[4], '\x05');
  auto tags = parse_flv(flv);
  std::vector<std::pair<uint32_t, std::string>> media;
  for (const auto& t : tags) {
    if (t.type != 18) media.emplace_back(t.timestamp, t.body.size() < 8 ? t.body : t.body.substr(0, 1));
  }
  const std::vector<std::pair<uint32_t, std::string>> expected = {{10, "a"},     {0, "v"},        {33, "v33.."},
                                                                  {66, "v66.."}, {99, "v99.."},   {120, "v120"},
                                                                  {big, "e"},    {big + 40, "f"}, {500, "z"}};
  EXPECT_EQ(media, expected);
  ASSERT_FALSE(tags.empty());
  EXPECT_EQ(tags[0].type, 18);
  EXPECT_EQ(tags[0].body.find("@setDataFrame"), std::string::npos);
  for (const auto& t : tags) {
    if (t.timestamp == 0 && t.type == 9) {
      EXPECT_EQ(t.body, video0);
    }
    if (t.timestamp == big) {
      EXPECT_EQ(t.body, ext_a);
    }
    if (t.timestamp == big + 40) {
      EXPECT_EQ(t.body, ext_b);
    }
  }
}

// ---- pieces -----------------------------------------------------------------------------

struct FakeHost : rtmp::SessionHost {
  int begins = 0;
  int ends = 0;
  size_t bytes = 0;
  std::optional<rtmp::Refusal> begin_publish(const RtmpPublish&) override {
    ++begins;
    return std::nullopt;
  }
  void publish_data(const std::string&, GBytes* flv) override { bytes += g_bytes_get_size(flv); }
  void end_publish(const std::string&, const std::string&) override { ++ends; }
};

// What a publisher sends after the handshake: every command of a publish, media, the end.
std::string publisher_bytes() {
  using namespace rtmp;
  ChunkWriter writer;
  std::string out;
  std::string size;
  put_be32(size, 100);
  writer.write(out, 2, Message{kSetChunkSize, 0, 0, size});
  writer.set_chunk_size(100);
  auto command = [&](uint32_t stream, std::initializer_list<Amf0Value> values) {
    writer.write(out, stream ? 5 : 3, Message{kCommandAmf0, stream, 0, amf0_encode(values)});
  };
  command(
      0,
      {amf0_string("connect"), amf0_number(1),
       amf0_object({Amf0Property{"app", amf0_string("live")}, Amf0Property{"tcUrl", amf0_string("rtmp://h/live")}})});
  command(0, {amf0_string("createStream"), amf0_number(2), amf0_null()});
  command(1, {amf0_string("publish"), amf0_number(3), amf0_null(), amf0_string("fuzz"), amf0_string("live")});
  writer.write(out, 4,
               Message{kDataAmf0, 1, 0,
                       amf0_encode({amf0_string("@setDataFrame"), amf0_string("onMetaData"),
                                    amf0_object({Amf0Property{"width", amf0_number(320)}})})});
  for (uint32_t i = 0; i < 12; ++i) {
    writer.write(out, 6, Message{kVideo, 1, i * 33, std::string(50 + 37 * i, 'v')});
    writer.write(out, 7, Message{kAudio, 1, i * 23, std::string(20 + i, 'a')});
  }
  command(0, {amf0_string("FCUnpublish"), amf0_number(4), amf0_null(), amf0_string("fuzz")});
  return out;
}

TEST(RtmpSession, MutatedInputNeverCrashesAndPublishesPairUp) {
  const std::string valid = publisher_bytes();
  const RtmpServerOptions options;
  {
    FakeHost host;
    {
      rtmp::Session session(host, options, "peer", 3073);
      EXPECT_FALSE(session.feed(valid));
      EXPECT_FALSE(session.take_output().empty());
    }
    EXPECT_EQ(host.begins, 1);
    EXPECT_EQ(host.ends, 1);
    EXPECT_GT(host.bytes, 12u * 50);
  }
  std::mt19937 rng(20240601);
  auto below = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int round = 0; round < 20000; ++round) {
    std::string input = valid;
    for (size_t m = 1 + below(6); m > 0 && !input.empty(); --m) {
      const size_t at = below(input.size());
      switch (below(4)) {
        case 0: input[at] = static_cast<char>(rng()); break;
        case 1: input.erase(at, below(40)); break;
        case 2: input.insert(at, std::string(below(40), static_cast<char>(rng()))); break;
        default: input.resize(at); break;
      }
    }
    FakeHost host;
    {
      rtmp::Session session(host, options, "peer", 3073);
      for (size_t pos = 0; pos < input.size();) {
        const size_t step = 1 + below(300);
        if (session.feed(std::string_view(input).substr(pos, step))) break;
        (void)session.take_output();
        pos += step;
      }
    }
    ASSERT_EQ(host.begins, host.ends) << "round " << round;
  }
}

TEST(RtmpAmf0, RoundTripsAndRefusesMalformedInput) {
  using namespace rtmp;
  std::string bytes =
      amf0_encode({amf0_string("onStatus"), amf0_number(0), amf0_null(),
                   amf0_object({Amf0Property{"code", amf0_string("X")}, Amf0Property{"ok", amf0_boolean(true)}})});
  auto values = amf0_decode_all(bytes);
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->size(), 4u);
  EXPECT_EQ((*values)[0].string, "onStatus");
  EXPECT_EQ((*values)[3].string_field("code"), "X");
  EXPECT_TRUE((*values)[3].field("ok")->boolean);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    // Every prefix that ends inside a value is an error, never a crash.
    auto partial = amf0_decode_all(std::string_view(bytes).substr(0, cut));
    const bool between_values = cut == 0 || cut == 11 || cut == 20 || cut == 21;
    EXPECT_EQ(partial.ok(), between_values) << cut;
  }
  EXPECT_FALSE(amf0_decode_all(std::string("\x0a\xff\xff\xff\xff", 5)).ok()) << "huge strict array count";
  EXPECT_FALSE(amf0_decode_all(std::string("\x11\x00", 2)).ok()) << "AMF3";
  EXPECT_FALSE(amf0_decode_all(std::string("\x07\x00\x01", 3)).ok()) << "reference";
}

TEST(RtmpChunkReader, AnySplitOfTheInputGivesTheSameMessages) {
  using namespace rtmp;
  ChunkWriter writer;
  writer.set_chunk_size(100);
  std::string wire;
  writer.write(wire, 4, Message{kVideo, 1, 5, std::string(350, 'v')});
  writer.write(wire, 300, Message{kAudio, 1, 0x1234567, std::string(250, 'a')});  // 3-byte basic header
  writer.write(wire, 70, Message{kDataAmf0, 1, 7, ""});                           // 2-byte basic header, empty
  for (size_t step : {size_t{1}, size_t{3}, size_t{17}, wire.size()}) {
    ChunkReader reader(ChunkReader::Limits{});
    reader.set_chunk_size(100);
    std::vector<Message> got;
    for (size_t i = 0; i < wire.size(); i += step) {
      auto error = reader.feed(std::string_view(wire).substr(i, step), [&](Message&& m) {
        got.push_back(std::move(m));
        return true;
      });
      ASSERT_TRUE(error.ok()) << error.error().message;
    }
    ASSERT_EQ(got.size(), 3u) << step;
    EXPECT_EQ(got[0].payload, std::string(350, 'v'));
    EXPECT_EQ(got[0].timestamp, 5u);
    EXPECT_EQ(got[1].payload, std::string(250, 'a'));
    EXPECT_EQ(got[1].timestamp, 0x1234567u);
    EXPECT_EQ(got[2].type, kDataAmf0);
    EXPECT_TRUE(got[2].payload.empty());
  }
}

// Found by tests/fuzz (fuzz_rtmp_chunk): a format-3 header after an extended timestamp, sent
// without the repeated timestamp (as some publishers do) and cut by a read right after its
// basic header. The reader kept up to 4 bytes to tell whether the timestamp was there; told
// "no", it must give those bytes back to the payload (it moved `data` backwards: undefined
// behaviour, a read out of bounds).
TEST(RtmpChunkReader, Format3HeaderWithoutRepeatedExtendedTimestampSplitAcrossReads) {
  using namespace rtmp;
  std::string payload(200, 'p');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  std::string wire;
  wire += '\x04';                          // format 0, csid 4
  wire += std::string("\xff\xff\xff", 3);  // timestamp: extended
  wire += std::string("\x00\x00\xc8", 3);  // length 200
  wire += static_cast<char>(kVideo);
  wire += std::string("\x01\x00\x00\x00", 4);  // stream id 1
  wire += std::string("\x01\x23\x45\x67", 4);  // extended timestamp
  wire += payload.substr(0, 128);
  wire += '\xc4';  // format 3, csid 4: no extended timestamp
  wire += payload.substr(128);
  const size_t second_header = 1 + 11 + 4 + 128;
  for (size_t cut : {second_header + 1, second_header + 2, second_header + 3, second_header + 4}) {
    ChunkReader reader(ChunkReader::Limits{});
    std::vector<Message> got;
    const auto take = [&](Message&& m) {
      got.push_back(std::move(m));
      return true;
    };
    ASSERT_TRUE(reader.feed(std::string_view(wire).substr(0, cut), take).ok()) << cut;
    ASSERT_TRUE(reader.feed(std::string_view(wire).substr(cut), take).ok()) << cut;
    ASSERT_EQ(got.size(), 1u) << cut;
    EXPECT_EQ(got[0].payload, payload) << cut;
    EXPECT_EQ(got[0].timestamp, 0x1234567u) << cut;
  }
}

}  // namespace
}  // namespace lp
