// The orchestrator's parts, shared by its source files (not a public header).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "chain_call_queue.h"
#include "dispatcher.h"
#include "http/http_listen.h"
#include "http2/h2_port.h"
#include "livepeer/livepeer_auth_tokens.h"
#include "livepeer/livepeer_segment_creds.h"
#include "livepeer/livepeer_sessions.h"
#include "livepeer/livepeer_transcoder_server.h"
#include "job_media.h"
#include "local_transcoder.h"
#include "metrics.h"
#include "orchestrator.h"
#include "result_store.h"
#include "transcoder_channel_server.h"
#include "wire/capabilities.h"
#include "wire/segment.h"

namespace lp {

// go-livepeer's http.Error answer: the text and a newline, text/plain, nosniff (POST /segment's
// refusals; livepeer_segment_api.cpp).
void refuse_as_go_http(SoupServerMessage* msg, int status, const std::string& text);

// OrchestratorInfo's payment fields for one gateway (and stream), on chain.
struct PaymentQuote {
  net::PriceInfo price;
  net::TicketParams params;
};

struct Orchestrator::Impl {
  explicit Impl(OrchestratorConfig c);
  ~Impl();

  // Public API (api_server.cpp).
  void add_public_handlers();
  void on_info(SoupServerMessage* msg);
  void on_segment(SoupServerMessage* msg);
  void on_result_download(SoupServerMessage* msg, const char* path);
  void on_job_media(SoupServerMessage* msg, const char* path);
  void answer_segment(SoupServerMessage* msg, JobOutcome outcome, gint64 started_us);
  void check_clients();
  void expire_results();
  wire::Capabilities capabilities() const;
  int max_sessions() const;
  void add_livepeer_methods();  // gRPC for go-livepeer gateways (livepeer_discovery.h)
  // go-livepeer gateways' POST /segment and the renditions' /stream/ URLs (livepeer_segment_api.cpp).
  void add_livepeer_segment_handlers();
  void on_livepeer_segment(SoupServerMessage* msg);
  // After the headers and body checks: the URI fetch when the body names one, then transcoding.
  void receive_livepeer_segment(SoupServerMessage* msg, livepeer::SegmentCreds creds, SharedBytes body);
  // On chain (livepeer_payments.cpp): GetOrchestrator's price and ticket params; /segment's
  // payment, balance and refreshed info before receive_livepeer_segment; the debit after.
  void add_payment_info(net::OrchestratorInfo info, const eth::Address& gateway, const grpc::ServerCall& call);
  void check_livepeer_payment(SoupServerMessage* msg, livepeer::SegmentCreds creds, SharedBytes body);
  void debit_livepeer_segment(const livepeer::SegmentCreds& creds, int64_t pixels);
  void transcode_livepeer_segment(SoupServerMessage* msg, livepeer::SegmentCreds creds, SharedBytes body);
  void answer_livepeer_segment(SoupServerMessage* msg, const livepeer::SegmentCreds& creds, JobOutcome outcome);
  void on_stream_file(SoupServerMessage* msg, const char* path);
  livepeer::CredsContext livepeer_creds_context();
  std::vector<int> livepeer_capability_bits() const;
  net::OrchestratorInfo livepeer_info(const net::AuthToken& token);
  std::string public_base(SoupServerMessage* msg) const;
  std::string base_for_host(const std::string& host) const;
  std::string signed_service_addr() const;
  Result<wire::SegmentHeaders> segment_headers(SoupServerMessage* msg) const;

  // Operator API (orchestrator.cpp).
  void add_operator_handlers();
  std::string status_json() const;

  OrchestratorConfig config;
  OrchestratorMetrics metrics;
  Dispatcher dispatcher;
  JobMedia media;
  ResultStore results;
  ServerPtr public_server;
  ServerPtr operator_server;
  // HTTP/2 on the public port (ALPN h2): gRPC, and the HTTP handlers through a bridge.
  // Declared after public_server so that its sessions end before the server does.
  std::unique_ptr<h2::Port> h2_port;
  // go-livepeer transcoders (RegisterTranscoder, /transcodeResults); made with h2_port.
  std::unique_ptr<livepeer::TranscoderServer> livepeer_transcoders;
  livepeer::AuthTokens livepeer_tokens;  // go-livepeer gateways' session tokens (main thread)
  livepeer::Sessions livepeer_sessions;  // go-livepeer sessions for -maxSessions (main thread)
  // /stream/<session>/<profile>/<seq>.<ext> -> (result id, rendition index); main thread,
  // pruned with the results.
  std::map<std::string, std::pair<std::string, size_t>> stream_files;
  SoupSession* fetch_session = nullptr;  // owned: fetches segments given by URL
  // False once the Impl is gone: fetches still finishing check it before touching it.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  std::unique_ptr<TranscoderChannelServer> channel;
  std::shared_ptr<LocalTranscoder> local;
  // On chain only: runs config.payments' blocking calls. Declared after config, so it stops (its
  // thread joined) before the PaymentService it calls is destroyed.
  std::unique_ptr<pm::ChainCallQueue> chain_calls;
  std::string token_secret;
  bool draining = false;
  std::function<void()> drained;
  guint drain_timer = 0;
  guint client_check = 0;
  gint64 last_expiry_us = 0;    // main thread
  size_t freed_since_trim = 0;  // result bytes expired since the heap was last trimmed
  uint64_t segments_answered = 0;
  // POST /v1/segment requests accepted and not yet fully answered (drain waits for them),
  // with their segment's id while it is being transcoded ("" once answered).
  std::map<SoupServerMessage*, std::string> open_answers;
};

}  // namespace lp
