#include "livepeer_gateway_peer.h"

#include <glib.h>

#include "http2/grpc_messages.h"
#include "keccak.h"

namespace lp::test {

using Clock = std::chrono::steady_clock;

std::unique_ptr<LivepeerGatewayPeer> LivepeerGatewayPeer::connect(const std::string& host, uint16_t port) {
  h2::ConnectOptions options;
  options.host = host;
  options.port = port;
  auto c = h2::Connection::connect(options, nullptr);
  if (!c) return nullptr;
  return std::unique_ptr<LivepeerGatewayPeer>(new LivepeerGatewayPeer(std::move(*c)));
}

std::string LivepeerGatewayPeer::base64(const std::string& bytes) {
  g_autofree char* text = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  return text;
}

net::VideoProfile LivepeerGatewayPeer::profile(const std::string& name, int width, int height, int bitrate, int fps) {
  net::VideoProfile p;
  p.set_name(name);
  p.set_width(width);
  p.set_height(height);
  p.set_bitrate(bitrate);
  p.set_fps(static_cast<uint32_t>(fps));
  return p;
}

GatewayAnswer LivepeerGatewayPeer::exchange(const h2::Headers& headers, std::string body,
                                            std::chrono::seconds timeout) {
  GatewayAnswer answer;
  h2::Headers got;
  std::string data;
  h2::StreamEvents events;
  events.on_headers = [&](const h2::Headers& h, bool trailers) {
    if (!trailers) got = h;
  };
  events.on_data = [&](std::string_view d) { data.append(d); };
  auto id = conn_->submit(headers, std::move(body), std::move(events));
  if (!id) return answer;
  if (!conn_->finish(*id, Clock::now() + timeout, nullptr).ok()) return answer;
  const std::string status = h2::header_value(got, ":status");
  answer.status = status.empty() ? 0 : std::stoi(status);
  answer.text = data;
  return answer;
}

bool LivepeerGatewayPeer::end_session(const net::AuthToken& token) {
  net::EndTranscodingSessionRequest request;
  *request.mutable_auth_token() = token;
  h2::Headers got, trailers;
  h2::StreamEvents events;
  events.on_headers = [&](const h2::Headers& h, bool t) { (t ? trailers : got) = h; };
  auto id = conn_->submit(grpc::request_headers("/net.Orchestrator/EndTranscodingSession"),
                          grpc::frame(request.SerializeAsString()), std::move(events));
  if (!id || !conn_->finish(*id, Clock::now() + std::chrono::seconds(8), nullptr).ok()) return false;
  auto status = grpc::status_from(trailers.empty() ? got : trailers);
  return status && status->code == grpc::kOk;
}

std::optional<net::OrchestratorInfo> LivepeerGatewayPeer::discover(const eth::PrivateKey* key, std::string* error) {
  net::OrchestratorRequest request;
  if (key) {
    request.set_address(std::string(key->address().bytes.begin(), key->address().bytes.end()));
    // Broadcaster.Sign(addr.Hex()): personal_sign over keccak256 of the checksummed text.
    const eth::Signature sig = eth::personal_sign(*key, eth::keccak256(key->address().checksummed()));
    request.set_sig(std::string(sig.bytes().begin(), sig.bytes().end()));
  }
  h2::Headers got, trailers;
  std::string data;
  h2::StreamEvents events;
  events.on_headers = [&](const h2::Headers& h, bool t) { (t ? trailers : got) = h; };
  events.on_data = [&](std::string_view d) { data.append(d); };
  auto id = conn_->submit(grpc::request_headers("/net.Orchestrator/GetOrchestrator"),
                          grpc::frame(request.SerializeAsString()), std::move(events));
  if (!id) {
    if (error) *error = "the request was not sent";
    return std::nullopt;
  }
  if (auto finished = conn_->finish(*id, Clock::now() + std::chrono::seconds(8), nullptr); !finished.ok()) {
    if (error) *error = "no answer: " + finished.error().message;
    return std::nullopt;
  }
  auto status = grpc::status_from(trailers.empty() ? got : trailers);
  if (!status || status->code != grpc::kOk) {
    if (error) *error = status ? status->message : "no status";
    return std::nullopt;
  }
  std::vector<std::string> messages;
  grpc::MessageReader reader;
  if (!reader.feed(data, [&](std::string&& m) { messages.push_back(std::move(m)); }).ok() || messages.size() != 1) {
    if (error) *error = "not one gRPC message: " + std::to_string(messages.size());
    return std::nullopt;
  }
  net::OrchestratorInfo info;
  if (!info.ParseFromString(messages[0])) {
    if (error) *error = "not an OrchestratorInfo";
    return std::nullopt;
  }
  return info;
}

net::SegData LivepeerGatewayPeer::segment_data(const net::OrchestratorInfo& info, const std::string& manifest,
                                               int64_t seq, const std::string& body,
                                               const std::vector<net::VideoProfile>& profiles,
                                               const eth::PrivateKey* key) {
  net::SegData seg;
  seg.set_manifestid(manifest);
  seg.set_seq(seq);
  const eth::Digest hash = eth::keccak256(body);
  seg.set_hash(std::string(hash.begin(), hash.end()));
  seg.set_profiles("invalid");  // what go-livepeer's gateways put in the legacy field
  seg.set_duration(1000);
  *seg.mutable_auth_token() = info.auth_token();
  for (const auto& p : profiles) *seg.add_fullprofiles3() = p;
  if (key) {
    // Flatten(): manifest id, seq as a 32-byte word, hash, hex of keccak(name)[0:4] per profile.
    std::string flat = manifest;
    std::string word(32, '\0');
    auto v = static_cast<uint64_t>(seq);
    for (int i = 31; i >= 24; --i, v >>= 8) word[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    flat += word + seg.hash();
    static const char* hex = "0123456789abcdef";
    for (const auto& p : profiles) {
      const eth::Digest d = eth::keccak256(p.name());
      for (int i = 0; i < 4; ++i) {
        flat += hex[d[static_cast<size_t>(i)] >> 4];
        flat += hex[d[static_cast<size_t>(i)] & 15];
      }
    }
    const eth::Signature sig = eth::personal_sign(*key, eth::keccak256(flat));
    seg.set_sig(std::string(sig.bytes().begin(), sig.bytes().end()));
  }
  return seg;
}

GatewayAnswer LivepeerGatewayPeer::post_raw(const std::string& segment_header, const std::string& payment_header,
                                            const std::string& body, const std::string& content_type) {
  return exchange({{":method", "POST"},
                   {":path", "/segment"},
                   {"content-type", content_type},
                   {"content-length", std::to_string(body.size())},
                   {"livepeer-segment", segment_header},
                   {"livepeer-payment", payment_header}},
                  body, std::chrono::seconds(60));
}

GatewayAnswer LivepeerGatewayPeer::post(const net::SegData& segment, const std::string& body,
                                        const net::Payment& payment, const std::string& content_type,
                                        std::chrono::seconds timeout) {
  GatewayAnswer a = exchange({{":method", "POST"},
                              {":path", "/segment"},
                              {"content-type", content_type},
                              {"content-length", std::to_string(body.size())},
                              {"livepeer-segment", base64(segment.SerializeAsString())},
                              {"livepeer-payment", base64(payment.SerializeAsString())}},
                             body, timeout);
  if (a.status == 200) {
    net::TranscodeResult result;
    if (result.ParseFromString(a.text)) a.result = result;
  }
  return a;
}

std::pair<int, std::string> LivepeerGatewayPeer::get(const std::string& url) {
  const size_t path_at = url.find('/', url.find("://") + 3);
  GatewayAnswer a = exchange({{":method", "GET"}, {":path", path_at == std::string::npos ? "/" : url.substr(path_at)}},
                             "", std::chrono::seconds(10));
  return {a.status, a.text};
}

}  // namespace lp::test
