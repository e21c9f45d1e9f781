// A real `lpnode --orchestrator` seen by a go-livepeer gateway: gRPC on the TLS port over
// HTTP/2 (net.Orchestrator/GetOrchestrator, Ping, EndTranscodingSession, as server/rpc.go
// serves them), next to lpgst's v1 API over HTTP/2 and HTTP/1.1 on the same port.
#include <gtest/gtest.h>
#include <glib.h>

#include "eth_key.h"
#include "http2/grpc_messages.h"
#include "http2/h2_connection.h"
#include "lp_rpc.pb.h"
#include "node_cluster.h"

namespace lp::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Answer {
  h2::Headers headers, trailers;
  std::string body;
};

class LivepeerGatewayApi : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    OrchestratorOptions o;
    o.transcoder = true;
    o.max_sessions = "2";
    orch_ = std::make_unique<Orchestrator>(start_orchestrator(o, "gateway-api"));
  }
  static void TearDownTestSuite() { orch_.reset(); }

  std::unique_ptr<h2::Connection> connect() {
    h2::ConnectOptions options;
    options.host = "127.0.0.1";
    options.port = static_cast<uint16_t>(orch_->http_port);
    auto c = h2::Connection::connect(options, nullptr);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }

  Answer send(const h2::Headers& headers, std::string body) {
    Answer a;
    auto c = connect();
    if (!c) return a;
    h2::StreamEvents events;
    events.on_headers = [&a](const h2::Headers& h, bool trailers) { (trailers ? a.trailers : a.headers) = h; };
    events.on_data = [&a](std::string_view d) { a.body.append(d); };
    auto id = c->submit(headers, std::move(body), std::move(events));
    EXPECT_TRUE(id);
    if (id) {
      EXPECT_TRUE(c->finish(*id, Clock::now() + 10s, nullptr).ok());
    }
    return a;
  }

  // A unary call: the answer message, or the status when it failed.
  template <typename Reply>
  std::optional<Reply> call(const std::string& method, const google::protobuf::Message& request, grpc::Status* status) {
    Answer a = send(grpc::request_headers(method), grpc::frame(request.SerializeAsString()));
    auto st = grpc::status_from(a.trailers.empty() ? a.headers : a.trailers);
    *status = st.value_or(grpc::Status{});
    if (!st || st->code != grpc::kOk) return std::nullopt;
    std::vector<std::string> messages;
    grpc::MessageReader reader;
    EXPECT_TRUE(reader.feed(a.body, [&](std::string&& m) { messages.push_back(std::move(m)); }).ok());
    EXPECT_EQ(messages.size(), 1u);
    Reply reply;
    if (messages.size() != 1 || !reply.ParseFromString(messages[0])) return std::nullopt;
    return reply;
  }

  static std::unique_ptr<Orchestrator> orch_;
};
std::unique_ptr<Orchestrator> LivepeerGatewayApi::orch_;

eth::Address address_of(const std::string& bytes) {
  eth::Address a;
  EXPECT_EQ(bytes.size(), 20u);
  if (bytes.size() == 20) std::copy(bytes.begin(), bytes.end(), a.bytes.begin());
  return a;
}

TEST_F(LivepeerGatewayApi, OffchainGetOrchestratorDescribesTheNode) {
  grpc::Status status;
  auto info = call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", net::OrchestratorRequest(), &status);
  ASSERT_TRUE(info) << status.code << " " << status.message;
  EXPECT_EQ(info->transcoder(), "https://127.0.0.1:" + std::to_string(orch_->http_port));
  EXPECT_EQ(address_of(info->address()).checksummed(), test_key().address);
  // H.264 (bit 6 in go-livepeer's numbering) and MPEG-TS (bit 7) at least; a version that
  // passes a minimum-version check.
  ASSERT_GE(info->capabilities().bitstring_size(), 1);
  EXPECT_TRUE(info->capabilities().bitstring(0) & (uint64_t{1} << 6));
  EXPECT_TRUE(info->capabilities().bitstring(0) & (uint64_t{1} << 7));
  EXPECT_FALSE(info->capabilities().version().empty());
  // The auth token: 8 hex digits of session, 30 minutes, a 32-byte HMAC.
  const net::AuthToken& token = info->auth_token();
  EXPECT_EQ(token.session_id().size(), 8u);
  EXPECT_EQ(token.session_id().find_first_not_of("0123456789abcdef"), std::string::npos);
  const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  EXPECT_NEAR(static_cast<double>(token.expiration() - now), 1800.0, 5.0);
  EXPECT_EQ(token.token().size(), 32u);
  // Each call is a new session.
  auto again = call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", net::OrchestratorRequest(), &status);
  ASSERT_TRUE(again);
  EXPECT_NE(again->auth_token().session_id(), token.session_id());
  EXPECT_EQ(info->price_info().priceperunit(), 0);
}

TEST_F(LivepeerGatewayApi, GatewaySignatureIsCheckedWhenSent) {
  auto key = eth::PrivateKey::generate();
  ASSERT_TRUE(key);
  net::OrchestratorRequest request;
  request.set_address(std::string(key->address().bytes.begin(), key->address().bytes.end()));
  // go-livepeer's Broadcaster.Sign(addr.Hex()): personal_sign over keccak256 of the text.
  const eth::Digest digest = eth::keccak256(key->address().checksummed());
  const eth::Signature good = eth::personal_sign(*key, digest);
  request.set_sig(std::string(good.bytes().begin(), good.bytes().end()));
  grpc::Status status;
  EXPECT_TRUE(call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", request, &status)) << status.message;

  auto other = eth::PrivateKey::generate();
  ASSERT_TRUE(other);
  const eth::Signature bad = eth::personal_sign(*other, digest);
  request.set_sig(std::string(bad.bytes().begin(), bad.bytes().end()));
  EXPECT_FALSE(call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", request, &status));
  EXPECT_EQ(status.code, grpc::kUnknown);
  EXPECT_EQ(status.message, "Invalid orchestrator request (orchestrator req sig check failed)");

  request.set_sig("not a signature");
  EXPECT_FALSE(call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", request, &status));
  EXPECT_EQ(status.message, "Invalid orchestrator request (orchestrator req sig check failed)");
}

TEST_F(LivepeerGatewayApi, PingIsSignedByTheNodeKey) {
  net::PingPong ping;
  ping.set_value("some bytes to sign \x01\x02");
  grpc::Status status;
  auto pong = call<net::PingPong>("/net.Orchestrator/Ping", ping, &status);
  ASSERT_TRUE(pong) << status.message;
  auto sig = eth::Signature::from_bytes(
      std::span(reinterpret_cast<const uint8_t*>(pong->value().data()), pong->value().size()));
  ASSERT_TRUE(sig) << sig.error().message;
  // Orchestrator.Sign pre-hashes: personal_sign over keccak256(value).
  auto who = eth::personal_recover(eth::keccak256(ping.value()), *sig);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->checksummed(), test_key().address);
}

TEST_F(LivepeerGatewayApi, EndTranscodingSessionNeedsAValidToken) {
  grpc::Status status;
  auto info = call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", net::OrchestratorRequest(), &status);
  ASSERT_TRUE(info);
  net::EndTranscodingSessionRequest end;
  *end.mutable_auth_token() = info->auth_token();
  EXPECT_TRUE(call<net::EndTranscodingSessionResponse>("/net.Orchestrator/EndTranscodingSession", end, &status))
      << status.message;
  EXPECT_TRUE(orch_->process->wait_for_log("session " + info->auth_token().session_id() + " ended", 5s));

  end.mutable_auth_token()->set_expiration(end.auth_token().expiration() + 1);  // not what was signed
  EXPECT_FALSE(call<net::EndTranscodingSessionResponse>("/net.Orchestrator/EndTranscodingSession", end, &status));
  EXPECT_EQ(status.message, "invalid auth token");
  EXPECT_FALSE(call<net::EndTranscodingSessionResponse>("/net.Orchestrator/EndTranscodingSession",
                                                        net::EndTranscodingSessionRequest(), &status));
  EXPECT_EQ(status.message, "missing auth token");
}

TEST_F(LivepeerGatewayApi, BadRequestsGetGrpcErrorsAndTheNodeServesOn) {
  Answer a = send(grpc::request_headers("/net.Orchestrator/GetOrchestrator"), grpc::frame("\xff\xff\xff"));
  auto status = grpc::status_from(a.trailers.empty() ? a.headers : a.trailers);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, grpc::kInternal);
  a = send(grpc::request_headers("/net.Orchestrator/Nothing"), grpc::frame(""));
  status = grpc::status_from(a.headers);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, grpc::kUnimplemented);
  grpc::Status st;
  EXPECT_TRUE(call<net::OrchestratorInfo>("/net.Orchestrator/GetOrchestrator", net::OrchestratorRequest(), &st));
}

// lpgst's own v1 API answers on the same port over HTTP/2 (through the bridge) and HTTP/1.1.
TEST_F(LivepeerGatewayApi, V1ApiOverH2OnTheSamePort) {
  Answer a = send({{":method", "GET"}, {":path", "/v1/info"}}, "");
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "200");
  EXPECT_NE(a.body.find("\"service_addr\""), std::string::npos) << a.body;
  HttpResponse r = http_request("GET", orch_->url("/v1/info"));
  EXPECT_EQ(r.status, 200);
  // A whole segment through the v1 path over HTTP/2 (libsoup picks h2).
  r = post_segment(*orch_, auth_token(*orch_), "over-h2", 0, small_segments()[0]);
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace lp::test
