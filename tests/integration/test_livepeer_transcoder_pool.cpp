// go-livepeer transcoders working for a real `lpnode --orchestrator`: registration over gRPC on
// the public TLS port (net.Transcoder/RegisterTranscoder), NotifySegments with unguessable
// source URLs, results on POST /transcodeResults checked in go-livepeer's order, and the
// renditions' Pixels checked against what they hold. The go-livepeer transcoder is a stand-in
// written from ot_rpc.go (support/livepeer_transcoder_peer.h) or a real lpnode speaking
// go-livepeer's protocol; the gateway is support/livepeer_gateway_peer.h.
#include <gtest/gtest.h>
#include <glib.h>

#include <csignal>
#include <future>
#include <regex>

#include "eth_key.h"
#include "keccak.h"
#include "livepeer_gateway_peer.h"
#include "livepeer_transcoder_peer.h"
#include "media.h"
#include "node_cluster.h"
#include "result_signing.h"

namespace lp::test {
namespace {

using namespace std::chrono_literals;

std::vector<net::VideoProfile> ladder() {
  return {LivepeerGatewayPeer::profile("P240p30fps16x9", 426, 240, 600000),
          LivepeerGatewayPeer::profile("P144p30fps16x9", 256, 144, 400000)};
}

// A rendition a test transcoder "made": a real segment and the pixels it holds.
ResultPart rendition(size_t which) {
  const std::string& bytes = small_segments()[which];
  g_autoptr(GBytes) gb = g_bytes_new(bytes.data(), bytes.size());
  MediaInfo m = inspect_media_bytes(gb);
  return ResultPart{bytes, int64_t{m.width} * m.height * m.decoded_frames};
}

std::unique_ptr<LivepeerTranscoderPeer> peer_for(const Orchestrator& orch, const std::string& secret = "test-secret",
                                                 int64_t capacity = 2) {
  return LivepeerTranscoderPeer::start("127.0.0.1", static_cast<uint16_t>(orch.http_port), secret, capacity, nullptr);
}

bool has_livepeer_transcoder(const Orchestrator& orch) {
  for (const auto& t : get_status(orch).transcoders)
    if (t.protocol == "livepeer") return true;
  return false;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

TEST(LivepeerTranscoderPool, RegistrationIsCheckedAsGoLivepeerDoes) {
  Orchestrator orch = start_orchestrator(OrchestratorOptions{}, "orch-register");
  auto wrong = peer_for(orch, "not-the-secret");
  auto status = wrong->ended(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 2);  // grpc-go's Unknown for a plain error, as go-livepeer returns errSecret
  EXPECT_EQ(status->message, "invalid secret");
  auto zero = peer_for(orch, "test-secret", 0);
  status = zero->ended(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "zero capacity");
  // Accepted: the stream stays open and the pool has it.
  auto good = peer_for(orch);
  EXPECT_FALSE(good->ended(1500ms)) << good->ended(0ms)->message;
  ASSERT_TRUE(wait_until([&] { return has_livepeer_transcoder(orch); }, 10s)) << get_status(orch).raw;
  Status s = get_status(orch);
  ASSERT_EQ(s.transcoders.size(), 1u);
  EXPECT_EQ(s.transcoders[0].capacity, 2);
  EXPECT_NE(s.raw.find("\"livepeer_capabilities\""), std::string::npos) << s.raw;
  // Its stream closing takes it out of the pool.
  good.reset();
  EXPECT_TRUE(wait_until([&] { return get_status(orch).transcoders.empty(); }, 10s)) << get_status(orch).raw;
  // Guessing is slowed down: after 5 wrong secrets from one address, one try per second.
  for (int i = 0; i < 5; ++i) {
    auto guess = peer_for(orch, "guess-" + std::to_string(i));
    auto refused = guess->ended(10s);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->message, "invalid secret");
  }
  auto throttled = peer_for(orch, "guess-6");
  status = throttled->ended(10s);
  ASSERT_TRUE(status);
  EXPECT_NE(status->message.find("too many wrong secrets"), std::string::npos) << status->message;
  // An orchestrator without --orch-secret takes no transcoders.
  OrchestratorOptions no_secret;
  no_secret.secret = "";
  no_secret.transcoder = true;
  Orchestrator closed = start_orchestrator(no_secret, "orch-no-secret");
  auto refused = peer_for(closed, "");
  status = refused->ended(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "invalid secret");
}

TEST(LivepeerTranscoderPool, ResultsAreCheckedInGoLivepeersOrder) {
  Orchestrator orch = start_orchestrator(OrchestratorOptions{}, "orch-results");
  auto peer = peer_for(orch);
  ASSERT_TRUE(wait_until([&] { return has_livepeer_transcoder(orch); }, 10s));
  auto g = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
  ASSERT_TRUE(g);
  auto info = g->discover();
  ASSERT_TRUE(info);
  const std::string body = small_segments()[0];
  auto answer = std::async(std::launch::async, [&] {
    auto gw = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
    return gw->post(LivepeerGatewayPeer::segment_data(*info, "stream-p", 0, body, ladder()), body);
  });

  auto notify = peer->next(20s);
  ASSERT_TRUE(notify);
  EXPECT_GT(notify->taskid(), 0);
  EXPECT_EQ(notify->profiles(), "invalid");
  EXPECT_EQ(notify->orchid(), "offchain");
  EXPECT_EQ(notify->segdata().manifestid(), "stream-p");
  EXPECT_EQ(notify->segdata().seq(), 0);
  EXPECT_TRUE(notify->segdata().hash().empty());  // zeroed, as go-livepeer's mdCopy
  EXPECT_EQ(notify->segdata().auth_token().session_id(), info->auth_token().session_id());
  ASSERT_EQ(notify->segdata().fullprofiles3_size(), 2);
  EXPECT_EQ(notify->segdata().fullprofiles3(0).name(), "P240p30fps16x9");
  // The source: at a URL with a 128-bit random token, not one guessable from the session.
  std::smatch m;
  const std::string url = notify->url();
  ASSERT_TRUE(
      std::regex_search(url, m, std::regex("^https://127\\.0\\.0\\.1:[0-9]+/v1/jobs/[^/]+/([0-9a-f]{32})/source$")))
      << url;
  PeerAnswer source = peer->fetch(url);
  EXPECT_EQ(source.status, 200);
  EXPECT_EQ(source.body, body);
  std::string guessed = url;
  guessed.replace(static_cast<size_t>(m.position(1)), 32, std::string(32, '0'));
  EXPECT_EQ(peer->fetch(guessed).status, 404);

  const std::string task = std::to_string(notify->taskid());
  const std::string boundary = "b0undary";
  const std::string parts = LivepeerTranscoderPeer::multipart({rendition(0), rendition(1)}, boundary);
  auto headers = [&](std::string auth, std::string creds, std::string type, std::string task_id, std::string pixels) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!auth.empty()) h.emplace_back("Authorization", auth);
    if (!creds.empty()) h.emplace_back("Credentials", creds);
    if (!type.empty()) h.emplace_back("Content-Type", type);
    if (!task_id.empty()) h.emplace_back("TaskId", task_id);
    if (!pixels.empty()) h.emplace_back("Pixels", pixels);
    return h;
  };
  const std::string mixed = "multipart/mixed; boundary=" + boundary;
  // go-livepeer's order: auth type, secret, content type, task id, pixels.
  PeerAnswer a = peer->post_raw(headers("Bearer x", "test-secret", mixed, task, "1"), parts);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.body, "Unauthorized\n");
  a = peer->post_raw(headers("Livepeer-Transcoder-1.0", "wrong", "x", "y", "z"), parts);
  EXPECT_EQ(a.status, 401);
  a = peer->post_raw(headers("Livepeer-Transcoder-1.0", "test-secret", "", "y", "z"), parts);
  EXPECT_EQ(a.status, 415);
  a = peer->post_raw(headers("Livepeer-Transcoder-1.0", "test-secret", mixed, "seven", "z"), parts);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, "Invalid Task ID\n");
  a = peer->post_raw(headers("Livepeer-Transcoder-1.0", "test-secret", mixed, task, "many"), parts);
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, "Invalid Pixels\n");
  a = peer->post_raw(headers("Livepeer-Transcoder-1.0", "test-secret", mixed, task, "1"), "not multipart at all");
  EXPECT_EQ(a.status, 500) << a.body;

  // That last one failed the attempt: the segment comes again, as a new task.
  notify = peer->next(20s);
  ASSERT_TRUE(notify);
  EXPECT_EQ(std::to_string(notify->taskid()) == task, false);
  // One rendition for two profiles.
  a = peer->send_results(notify->taskid(), {rendition(0)});
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("MismatchedSegments"), std::string::npos) << a.body;

  notify = peer->next(20s);
  ASSERT_TRUE(notify);
  // Pixels that the renditions do not hold.
  ResultPart inflated = rendition(1);
  inflated.pixels *= 2;
  a = peer->send_results(notify->taskid(), {rendition(0), inflated});
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("states Pixels"), std::string::npos) << a.body;
  // Third attempt was the last (the dispatcher's cap): the gateway gets the error.
  GatewayAnswer result = answer.get();
  ASSERT_EQ(result.status, 200) << result.text;
  ASSERT_TRUE(result.result);
  EXPECT_NE(result.result->error().find("states Pixels"), std::string::npos) << result.result->error();

  // A segment done right: the renditions reach the gateway, signed, with the measured pixels.
  const std::string body1 = small_segments()[1];
  answer = std::async(std::launch::async, [&] {
    auto gw = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
    return gw->post(LivepeerGatewayPeer::segment_data(*info, "stream-p", 1, body1, ladder()), body1);
  });
  notify = peer->next(20s);
  ASSERT_TRUE(notify);
  const std::vector<ResultPart> good = {rendition(0), rendition(1)};
  a = peer->send_results(notify->taskid(), good, 12345);
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body, "OK");
  result = answer.get();
  ASSERT_EQ(result.status, 200) << result.text;
  ASSERT_TRUE(result.result && result.result->has_data()) << (result.result ? result.result->error() : "");
  const auto& segments = result.result->data().segments();
  ASSERT_EQ(segments.size(), 2);
  std::vector<eth::Digest> hashes;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(segments[i].pixels(), good[static_cast<size_t>(i)].pixels);
    auto [status, bytes] = g->get(segments[i].url());
    ASSERT_EQ(status, 200) << segments[i].url();
    EXPECT_EQ(bytes, good[static_cast<size_t>(i)].bytes);
    hashes.push_back(eth::keccak256(bytes));
  }
  auto sig = eth::Signature::from_bytes(std::span(reinterpret_cast<const uint8_t*>(result.result->data().sig().data()),
                                                  result.result->data().sig().size()));
  ASSERT_TRUE(sig);
  EXPECT_TRUE(eth::verify_results(hashes, *sig, *eth::parse_address(test_key().address)));
  // A late result for a task that is over: ignored, as go-livepeer does.
  a = peer->send_results(notify->taskid(), good);
  EXPECT_EQ(a.status, 200);

  // A transcoder's own error: passed to the gateway as it is, not retried.
  answer = std::async(std::launch::async, [&] {
    auto gw = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
    return gw->post(LivepeerGatewayPeer::segment_data(*info, "stream-p", 2, body, ladder()), body);
  });
  notify = peer->next(20s);
  ASSERT_TRUE(notify);
  a = peer->send_results(notify->taskid(), {rendition(0), ResultPart{"tiny", 1}});
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("ZeroSegments"), std::string::npos) << a.body;
  notify = peer->next(20s);
  ASSERT_TRUE(notify);
  a = peer->send_error(notify->taskid(), "Invalid data found when processing input");
  EXPECT_EQ(a.status, 200);
  result = answer.get();
  ASSERT_TRUE(result.result);
  EXPECT_EQ(result.result->error(), "Invalid data found when processing input");
  EXPECT_FALSE(peer->next(1s));  // not re-dispatched

  // The gateway ends its session: the transcoder is told (an empty url, the session id).
  ASSERT_TRUE(g->end_session(info->auth_token()));
  notify = peer->next(10s);
  ASSERT_TRUE(notify);
  EXPECT_EQ(notify->url(), "");
  EXPECT_EQ(notify->segdata().auth_token().session_id(), info->auth_token().session_id());
}

TEST(LivepeerTranscoderPool, V1SegmentsReachGoLivepeerTranscodersAndTheirBitsAreAnnounced) {
  Orchestrator orch = start_orchestrator(OrchestratorOptions{}, "orch-v1");
  net::Capabilities caps;  // go-livepeer's DefaultCapabilities plus HEVC decoding
  for (int bit : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 26}) {
    if (caps.bitstring_size() == 0) caps.add_bitstring(0);
    caps.set_bitstring(0, caps.bitstring(0) | (uint64_t{1} << bit));
  }
  caps.set_version("0.8.9");
  auto peer =
      LivepeerTranscoderPeer::start("127.0.0.1", static_cast<uint16_t>(orch.http_port), "test-secret", 1, &caps);
  ASSERT_TRUE(wait_until([&] { return has_livepeer_transcoder(orch); }, 10s));
  // Gateways are told what the pool can do: here the go-livepeer transcoder's bits.
  auto g = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
  auto info = g->discover();
  ASSERT_TRUE(info);
  ASSERT_GE(info->capabilities().bitstring_size(), 1);
  EXPECT_EQ(info->capabilities().bitstring(0), caps.bitstring(0));

  const std::string token = auth_token(orch);
  auto answer = std::async(std::launch::async, [&] {
    return post_segment(orch, token, "v1-cam", 4, small_segments()[2], "P144p30fps16x9");
  });
  auto notify = peer->next(20s);
  ASSERT_TRUE(notify);
  EXPECT_EQ(notify->segdata().manifestid(), "v1-cam");
  EXPECT_EQ(notify->segdata().seq(), 4);
  EXPECT_GT(notify->segdata().duration(), 0);
  ASSERT_EQ(notify->segdata().fullprofiles3_size(), 1);
  EXPECT_EQ(notify->segdata().fullprofiles3(0).name(), "P144p30fps16x9");
  EXPECT_EQ(notify->segdata().fullprofiles3(0).width(), 256);
  EXPECT_EQ(peer->fetch(notify->url()).body, small_segments()[2]);
  PeerAnswer a = peer->send_results(notify->taskid(), {rendition(0)});
  EXPECT_EQ(a.status, 200) << a.body;
  HttpResponse r = answer.get();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("P144p30fps16x9"), std::string::npos);
}

TEST(LivepeerTranscoderPool, RealGoLivepeerProtocolTranscoderInAMixedPoolIsReplacedWhenKilled) {
  Orchestrator orch = start_orchestrator(OrchestratorOptions{}, "orch-mixed");
  auto lp_transcoder = NodeProcess::start(lpnode_binary(),
                                          {"-transcoder", "-orchAddr", orch.address(), "-orchSecret", "test-secret",
                                           "-maxSessions", "2", "--orch-protocol", "livepeer"},
                                          "livepeer-transcoder");
  ASSERT_TRUE(wait_until([&] { return has_livepeer_transcoder(orch); }, 20s)) << lp_transcoder->log();
  auto g = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
  ASSERT_TRUE(g);
  auto info = g->discover();
  ASSERT_TRUE(info);
  // A go-livepeer segment on the go-livepeer-protocol transcoder.
  const std::string body = small_segments()[0];
  GatewayAnswer a = g->post(LivepeerGatewayPeer::segment_data(*info, "mixed", 0, body, ladder()), body);
  ASSERT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.result && a.result->has_data()) << (a.result ? a.result->error() : "") << orch.process->log();
  for (int i = 0; i < a.result->data().segments_size(); ++i) {
    const auto& seg = a.result->data().segments(i);
    auto [status, bytes] = g->get(seg.url());
    ASSERT_EQ(status, 200);
    g_autoptr(GBytes) gb = g_bytes_new(bytes.data(), bytes.size());
    MediaInfo m = inspect_media_bytes(gb);
    EXPECT_EQ(m.height, ladder()[static_cast<size_t>(i)].height());
    EXPECT_EQ(seg.pixels(), int64_t{m.width} * m.height * m.decoded_frames);
  }
  // A v1 client on the same port, same pool.
  const std::string token = auth_token(orch);
  HttpResponse v1 = post_segment(orch, token, "v1-stream", 0, small_segments()[1]);
  EXPECT_EQ(v1.status, 200) << v1.body;
  // The mixed pool: an lpgst transcoder joins; /status and /metrics name both protocols.
  auto lpgst_transcoder = start_transcoder(orch, 2, "lpgst-transcoder");
  ASSERT_TRUE(wait_for_transcoders(orch, 2, 20s));
  Status s = get_status(orch);
  std::set<std::string> protocols;
  for (const auto& t : s.transcoders) protocols.insert(t.protocol);
  EXPECT_EQ(protocols, (std::set<std::string>{"livepeer", "lpgst"})) << s.raw;
  EXPECT_NE(s.raw.find("\"gateway_sessions\":[{\"session_id\":\"" + info->auth_token().session_id()), std::string::npos)
      << s.raw;
  HttpResponse metrics = http_request("GET", orch.cli_url("/metrics"));
  EXPECT_NE(metrics.body.find("lpgst_orchestrator_transcoders_by_protocol{protocol=\"livepeer\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("lpgst_orchestrator_transcoders_by_protocol{protocol=\"lpgst\"} 1"), std::string::npos);
  EXPECT_EQ(metric_value(metrics.body, "lpgst_livepeer_gateway_sessions"), 1);

  // The stream sticks to the transcoder that took its first segment; kill that one while it
  // holds the next segment: the segment is re-dispatched to the lpgst transcoder.
  lpgst_transcoder.reset();
  ASSERT_TRUE(wait_for_transcoders(orch, 1, 20s));
  auto pending = std::async(std::launch::async, [&] {
    auto gw = LivepeerGatewayPeer::connect("127.0.0.1", static_cast<uint16_t>(orch.http_port));
    return gw->post(LivepeerGatewayPeer::segment_data(*info, "mixed", 1, small_segments()[1], ladder()),
                    small_segments()[1]);
  });
  ASSERT_TRUE(orch.process->wait_for_log("seq 1) -> go-livepeer transcoder", 20s)) << orch.process->log();
  lp_transcoder->signal(SIGKILL);
  lpgst_transcoder = start_transcoder(orch, 2, "lpgst-replacement");
  a = pending.get();
  ASSERT_EQ(a.status, 200) << a.text;
  ASSERT_TRUE(a.result && a.result->has_data()) << (a.result ? a.result->error() : "") << orch.process->log();
  EXPECT_EQ(a.result->data().segments_size(), 2);
  EXPECT_GE(get_status(orch).totals["segments_redispatched"], 1);
}

}  // namespace
}  // namespace lp::test
