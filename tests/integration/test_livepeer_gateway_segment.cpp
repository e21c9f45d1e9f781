// A go-livepeer gateway's segments through a real `lpnode --orchestrator --transcoder`:
// POST /segment over HTTP/2 with go-livepeer's headers, the early 200 and the protobuf
// TranscodeResult (renditions downloaded from /stream/, decoded, signature recovered), and each
// refusal in go-livepeer's check order with its status.
#include <gtest/gtest.h>
#include <glib.h>
#include <libsoup/soup.h>

#include <thread>

#include "eth_key.h"
#include "keccak.h"
#include "livepeer_gateway_peer.h"
#include "media.h"
#include "node_cluster.h"
#include "result_signing.h"

namespace lp::test {
namespace {

using namespace std::chrono_literals;

class LivepeerGatewaySegment : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    OrchestratorOptions o;
    o.transcoder = true;
    o.max_sessions = "10";
    orch_ = std::make_unique<Orchestrator>(start_orchestrator(o, "gateway-segment"));
  }
  static void TearDownTestSuite() { orch_.reset(); }

  std::unique_ptr<LivepeerGatewayPeer> gateway() {
    auto g = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch_->http_port));
    EXPECT_TRUE(g);
    return g;
  }
  static std::vector<net::VideoProfile> ladder() {
    return {LivepeerGatewayPeer::profile("P240p30fps16x9", 426, 240, 600000),
            LivepeerGatewayPeer::profile("P144p30fps16x9", 256, 144, 400000)};
  }

  static std::unique_ptr<Orchestrator> orch_;
};
std::unique_ptr<Orchestrator> LivepeerGatewaySegment::orch_;

TEST_F(LivepeerGatewaySegment, SegmentsComeBackSignedDownloadableAndDecodable) {
  auto g = gateway();
  ASSERT_TRUE(g);
  std::string error;
  auto info = g->discover(nullptr, &error);
  ASSERT_TRUE(info) << error;
  for (int64_t seq = 0; seq < 2; ++seq) {
    const std::string body = small_segments()[static_cast<size_t>(seq)];
    auto seg = LivepeerGatewayPeer::segment_data(*info, "stream-a", seq, body, ladder());
    GatewayAnswer a = g->post(seg, body);
    ASSERT_EQ(a.status, 200) << a.text;
    ASSERT_TRUE(a.result);
    EXPECT_EQ(a.result->seq(), seq);
    ASSERT_TRUE(a.result->has_data()) << a.result->error();
    const auto& segments = a.result->data().segments();
    ASSERT_EQ(segments.size(), 2);
    EXPECT_EQ(a.result->info().auth_token().session_id(), info->auth_token().session_id());
    std::vector<eth::Digest> hashes;
    for (int i = 0; i < segments.size(); ++i) {
      const std::string& url = segments[i].url();
      EXPECT_TRUE(url.starts_with("https://127.0.0.1:" + std::to_string(orch_->http_port) + "/stream/" +
                                  info->auth_token().session_id() + "/" + ladder()[static_cast<size_t>(i)].name() +
                                  "/" + std::to_string(seq) + ".ts"))
          << url;
      auto [status, bytes] = g->get(url);
      ASSERT_EQ(status, 200) << url;
      hashes.push_back(eth::keccak256(bytes));
      g_autoptr(GBytes) gb = g_bytes_new(bytes.data(), bytes.size());
      MediaInfo m = inspect_media_bytes(gb);
      EXPECT_EQ(m.width, ladder()[static_cast<size_t>(i)].width());
      EXPECT_EQ(m.height, ladder()[static_cast<size_t>(i)].height());
      EXPECT_GT(m.decoded_frames, 0);
      EXPECT_EQ(segments[i].pixels(), int64_t{m.width} * m.height * m.decoded_frames);
    }
    // The signature: over keccak256 of the renditions' keccak256s, by the node's key.
    auto sig = eth::Signature::from_bytes(
        std::span(reinterpret_cast<const uint8_t*>(a.result->data().sig().data()), a.result->data().sig().size()));
    ASSERT_TRUE(sig);
    auto signer = eth::verify_results(hashes, *sig, *eth::parse_address(test_key().address));
    EXPECT_TRUE(signer) << signer.error().message;
  }
  auto [status, text] = g->get("https://x/stream/nothing/P240p30fps16x9/0.ts");
  EXPECT_EQ(status, 404);
}

TEST_F(LivepeerGatewaySegment, SignedGatewaySegmentsAreChecked) {
  auto key = eth::PrivateKey::generate();
  ASSERT_TRUE(key);
  auto g = gateway();
  auto info = g->discover(&*key);
  ASSERT_TRUE(info);
  net::Payment payment;
  payment.set_sender(std::string(key->address().bytes.begin(), key->address().bytes.end()));
  const std::string body = small_segments()[0];
  auto seg = LivepeerGatewayPeer::segment_data(*info, "signed", 0, body, ladder(), &*key);
  GatewayAnswer a = g->post(seg, body, payment);
  EXPECT_EQ(a.status, 200) << a.text;
  // Signed by someone else: ErrSegSig.
  auto other = eth::PrivateKey::generate();
  seg = LivepeerGatewayPeer::segment_data(*info, "signed", 1, body, ladder(), &*other);
  a = g->post(seg, body, payment);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.text, "ErrSegSig\n");
}

// Each refusal in go-livepeer's order, before the body is read, and the node serves on.
TEST_F(LivepeerGatewaySegment, RefusalsInGoLivepeersOrder) {
  auto g = gateway();
  auto info = g->discover();
  ASSERT_TRUE(info);
  const std::string body = small_segments()[0];
  auto good = LivepeerGatewayPeer::segment_data(*info, "refusals", 0, body, ladder());
  const std::string good_header = LivepeerGatewayPeer::base64(good.SerializeAsString());
  struct Case {
    const char* name;
    std::string segment, payment;
    int status;
    std::string text;
  };
  auto expired = good;
  expired.mutable_auth_token()->set_expiration(g_get_real_time() / G_USEC_PER_SEC - 10);
  auto forged = good;
  forged.mutable_auth_token()->set_token(std::string(32, 'x'));
  auto no_token = good;
  no_token.clear_auth_token();
  auto long_segment = good;
  long_segment.set_duration(300001);
  auto needs_more = good;
  needs_more.mutable_capabilities()->add_bitstring(0);
  needs_more.mutable_capabilities()->add_bitstring(uint64_t{1} << 63);  // capability 127
  needs_more.mutable_capabilities()->add_mandatories(0);
  needs_more.mutable_capabilities()->add_mandatories(uint64_t{1} << 63);
  auto b64 = [](const net::SegData& s) { return LivepeerGatewayPeer::base64(s.SerializeAsString()); };
  const std::vector<Case> cases = {
      {"payment not base64", good_header, "%%%", 402, ""},
      {"payment not protobuf", good_header, LivepeerGatewayPeer::base64("\xff\xff\xff"), 402, ""},
      {"segment not base64", "%%%", "", 403, "ErrorSegEncoding\n"},
      {"segment duration", b64(long_segment), "", 403, "invalid duration\n"},
      {"capabilities", b64(needs_more), "", 403, "incompatible capabilities\n"},
      {"no auth token", b64(no_token), "", 403, "missing auth token\n"},
      {"forged auth token", b64(forged), "", 403, "invalid auth token\n"},
      // A changed expiration no longer matches the HMAC (checked before the expiry, as go-livepeer
      // does; an expired token of ours is in the AuthTokens unit test).
      {"expiration moved", b64(expired), "", 403, "invalid auth token\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    GatewayAnswer a = g->post_raw(c.segment, c.payment, body);
    EXPECT_EQ(a.status, c.status) << a.text;
    if (!c.text.empty()) {
      EXPECT_EQ(a.text, c.text);
    }
  }
  // The body does not hash to SegData.hash: 403 Forbidden, after the upload.
  std::string other_body = body;
  other_body[100] ^= 1;
  GatewayAnswer a = g->post(good, other_body);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.text, "Forbidden\n");
  // And the node still transcodes.
  a = g->post(good, body);
  EXPECT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->has_data()) << a.result->error();
}

// An undecodable segment: the early 200, then the error in the TranscodeResult.
TEST_F(LivepeerGatewaySegment, UndecodableSegmentIsAnErrorInTheResult) {
  auto g = gateway();
  auto info = g->discover();
  ASSERT_TRUE(info);
  const std::string noise(20000, '\x47');
  auto seg = LivepeerGatewayPeer::segment_data(*info, "noise", 0, noise, ladder());
  GatewayAnswer a = g->post(seg, noise);
  ASSERT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.result);
  EXPECT_FALSE(a.result->has_data());
  EXPECT_FALSE(a.result->error().empty());
}

// A segment given by URL (Content-Type application/vnd+livepeer.uri): the node fetches it.
// A plain HTTP server on its own thread and context serving `body` at /seg.ts; stopped and
// joined when it goes, whatever the test did.
class SegmentServer {
 public:
  explicit SegmentServer(std::string body) : body_(std::move(body)) {
    g_main_context_push_thread_default(context_);
    soup_server_add_handler(
        server_, "/seg.ts",
        +[](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
          const std::string& b = static_cast<SegmentServer*>(self)->body_;
          soup_server_message_set_status(m, 200, nullptr);
          soup_server_message_set_response(m, "video/mp2t", SOUP_MEMORY_COPY, b.data(), b.size());
        },
        this, nullptr);
    const bool listening = soup_server_listen_local(server_, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, nullptr);
    g_main_context_pop_thread_default(context_);
    if (listening) {
      GSList* uris = soup_server_get_uris(server_);
      port_ = g_uri_get_port(static_cast<GUri*>(uris->data));
      g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
    }
    // The context is the thread's default too: libsoup attaches each accepted connection's
    // sources to the thread-default context of whoever accepts it.
    thread_ = std::thread([this] {
      g_main_context_push_thread_default(context_);
      g_main_loop_run(loop_);
      g_main_context_pop_thread_default(context_);
    });
  }
  ~SegmentServer() {
    g_main_loop_quit(loop_);
    thread_.join();
    g_object_unref(server_);
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/seg.ts"; }
  int port() const { return port_; }

 private:
  std::string body_;
  GMainContext* context_ = g_main_context_new();
  GMainLoop* loop_ = g_main_loop_new(context_, FALSE);
  SoupServer* server_ = soup_server_new(nullptr, nullptr);
  int port_ = 0;
  std::thread thread_;
};

// A segment given by URL (Content-Type application/vnd+livepeer.uri): the node fetches it.
TEST_F(LivepeerGatewaySegment, SegmentGivenByUrlIsFetched) {
  const std::string media = small_segments()[0];
  SegmentServer source(media);
  ASSERT_NE(source.port(), 0);
  auto g = gateway();
  auto info = g->discover();
  ASSERT_TRUE(info);
  auto seg = LivepeerGatewayPeer::segment_data(*info, "by-url", 0, media, ladder());  // the hash of the media
  GatewayAnswer a = g->post(seg, source.url(), {}, "application/vnd+livepeer.uri");
  EXPECT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.result);
  EXPECT_TRUE(a.result->has_data()) << a.result->error();
  // A URL that does not answer: 400 BadRequest, as go-livepeer.
  a = g->post(seg, "http://127.0.0.1:1/nothing.ts", {}, "application/vnd+livepeer.uri");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.text, "BadRequest\n");
}

// The early 200 is not a client that stopped reading: a transcode longer than the listener's
// stall timeout (0.3 s here) still gets its TranscodeResult.
TEST_F(LivepeerGatewaySegment, EarlyAnswerOutlivesTheStallTimeout) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.extra = {"--http-stall-timeout", "0.3"};
  Orchestrator orch = start_orchestrator(o, "gateway-slow");
  auto g = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
  ASSERT_TRUE(g);
  auto info = g->discover();
  ASSERT_TRUE(info);
  MediaSpec spec;
  spec.width = 1280;
  spec.height = 720;
  spec.seconds = 4;
  spec.gop_frames = 120;
  TempDir dir;
  make_media(spec, dir.file("slow.ts"));
  const auto bytes = read_file(dir.file("slow.ts"));
  const std::string body(bytes.begin(), bytes.end());
  const auto started = std::chrono::steady_clock::now();
  GatewayAnswer a =
      g->post(LivepeerGatewayPeer::segment_data(*info, "slow", 0, body,
                                                {LivepeerGatewayPeer::profile("P720p30fps16x9", 1280, 720, 4000000)}),
              body);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.result) << "the answer was cut after " << took << " s";
  EXPECT_TRUE(a.result->has_data()) << a.result->error();
  EXPECT_GT(took, 0.6) << "too fast to show anything: use a longer segment";
}

// -maxSessions counts streams (auth-token sessions) as go-livepeer does: a third session is
// OrchestratorCapped at discovery and at /segment, while known sessions keep going.
TEST_F(LivepeerGatewaySegment, MaxSessionsCountsStreams) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.max_sessions = "1";
  Orchestrator orch = start_orchestrator(o, "gateway-capped");
  auto g = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
  ASSERT_TRUE(g);
  auto first = g->discover();
  auto second = g->discover();
  ASSERT_TRUE(first && second);
  const std::string body = small_segments()[0];
  GatewayAnswer a = g->post(LivepeerGatewayPeer::segment_data(*first, "one", 0, body, ladder()), body);
  EXPECT_EQ(a.status, 200) << a.text;
  a = g->post(LivepeerGatewayPeer::segment_data(*second, "two", 0, body, ladder()), body);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.text, "OrchestratorCapped\n");
  a = g->post(LivepeerGatewayPeer::segment_data(*first, "one", 1, small_segments()[1], ladder()), small_segments()[1]);
  EXPECT_EQ(a.status, 200) << a.text;
}

}  // namespace
}  // namespace lp::test
