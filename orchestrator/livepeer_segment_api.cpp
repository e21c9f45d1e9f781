// POST /segment from go-livepeer gateways (server/segment_rpc.go ServeSegment), served by the
// same dispatcher as lpgst's /v1/segment, and the renditions' /stream/ URLs. Over HTTP/2 it
// arrives through the h1 bridge like every other HTTP request.
#include <libsoup/soup.h>

#include <set>
#include <span>

#include "http/http_listen.h"
#include "http/http_reply.h"
#include "keccak.h"
#include "livepeer/livepeer_capabilities.h"
#include "livepeer/livepeer_profiles.h"
#include "main_context.h"
#include "orchestrator_impl.h"
#include "result_signing.h"

namespace lp {
namespace {

constexpr const char* kUriBody = "application/vnd+livepeer.uri";
constexpr auto kUriFetchTimeout = std::chrono::seconds(8);  // go-livepeer's common.HTTPTimeout

std::string bytes_text(GBytes* bytes) {
  gsize n = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(bytes, &n));
  return std::string(data ? data : "", n);
}

// The short name this file uses.
void refuse(SoupServerMessage* msg, int status, const std::string& text) { refuse_as_go_http(msg, status, text); }

}  // namespace

void refuse_as_go_http(SoupServerMessage* msg, int status, const std::string& text) {
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "X-Content-Type-Options", "nosniff");
  reply_text(msg, status, "text/plain; charset=utf-8", text + "\n");
}

// What the pool can do in go-livepeer's bits: what go-livepeer transcoders announced, and for
// lpgst's own (which announce encoders, not bits) what their encoders and this machine's
// GStreamer decoders give.
std::vector<int> Orchestrator::Impl::livepeer_capability_bits() const {
  std::set<int> bits;
  wire::Capabilities lpgst;
  std::set<std::string> codecs;
  for (const auto& w : dispatcher.workers()) {
    if (w.protocol == "livepeer") {
      bits.insert(w.livepeer_capabilities.begin(), w.livepeer_capabilities.end());
    } else {
      codecs.insert(w.capabilities.codecs.begin(), w.capabilities.codecs.end());
    }
  }
  if (!codecs.empty() || bits.empty()) {  // (no transcoder at all: what this machine decodes)
    lpgst.codecs.assign(codecs.begin(), codecs.end());
    for (int b : livepeer::transcoder_capabilities(lpgst)) bits.insert(b);
  }
  return {bits.begin(), bits.end()};
}

livepeer::CredsContext Orchestrator::Impl::livepeer_creds_context() {
  livepeer::CredsContext context;
  context.tokens = &livepeer_tokens;
  context.capabilities = livepeer::to_net_capabilities(livepeer_capability_bits(), livepeer::kAnnouncedVersion);
  context.now_unix = g_get_real_time() / G_USEC_PER_SEC;
  context.onchain = config.payments != nullptr;
  context.capped = [this](const std::string& session) {
    return draining || livepeer_sessions.capped(session, static_cast<size_t>(std::max(0, max_sessions())),
                                                std::chrono::steady_clock::now());
  };
  return context;
}

net::OrchestratorInfo Orchestrator::Impl::livepeer_info(const net::AuthToken& token) {
  net::OrchestratorInfo info;
  info.set_transcoder("https://" + signed_service_addr());
  if (config.key) info.set_address(std::string(config.key->address().bytes.begin(), config.key->address().bytes.end()));
  *info.mutable_capabilities() = livepeer_creds_context().capabilities;
  info.mutable_price_info()->set_priceperunit(0);
  info.mutable_price_info()->set_pixelsperunit(1);
  *info.mutable_auth_token() = token;  // the request's: new tokens come only from GetOrchestrator
  return info;
}

void Orchestrator::Impl::add_livepeer_segment_handlers() {
  SoupServer* s = public_server.get();
  // Payment and segment credentials, then the size, before any body is read.
  soup_server_add_early_handler(
      s, "/segment",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        auto* me = static_cast<Impl*>(self);
        if (soup_server_message_get_method(m) != std::string_view("POST")) return refuse(m, 405, "Method Not Allowed");
        auto checked = livepeer::check_segment_headers(
            request_header(m, "Livepeer-Payment"), request_header(m, "Livepeer-Segment"), me->livepeer_creds_context());
        if (auto* no = std::get_if<livepeer::Refusal>(&checked)) return refuse(m, no->status, no->message);
        // Go's HTTP clients send the length of a segment body; without one the cap could only
        // be checked after libsoup had buffered the body.
        if (soup_message_headers_get_encoding(soup_server_message_get_request_headers(m)) !=
            SOUP_ENCODING_CONTENT_LENGTH)
          return refuse(m, 411, "Content-Length is required");
        if (content_length(m) > static_cast<gint64>(me->config.max_segment_bytes))
          refuse(m, 413,
                 "segment of " + std::to_string(content_length(m)) + " bytes is over the cap of " +
                     std::to_string(me->config.max_segment_bytes));
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/segment",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        static_cast<Impl*>(self)->on_livepeer_segment(m);
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/stream",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer self) {
        static_cast<Impl*>(self)->on_stream_file(m, path);
      },
      this, nullptr);
  refuse_unexpected_bodies(s, {"/stream"});
  fetch_session = soup_session_new();  // its deadline is the fetch's own timer
  soup_session_set_proxy_resolver(fetch_session, nullptr);
}

void Orchestrator::Impl::on_livepeer_segment(SoupServerMessage* msg) {
  // Checked again: a token can expire, or capacity go, while the body comes.
  auto checked = livepeer::check_segment_headers(request_header(msg, "Livepeer-Payment"),
                                                 request_header(msg, "Livepeer-Segment"), livepeer_creds_context());
  if (auto* no = std::get_if<livepeer::Refusal>(&checked)) return refuse(msg, no->status, no->message);
  auto creds = std::get<livepeer::SegmentCreds>(std::move(checked));
  metrics.segment_received();
  SharedBytes body = share_bytes(soup_message_body_flatten(soup_server_message_get_request_body(msg)));
  if (g_bytes_get_size(body.get()) > config.max_segment_bytes) return refuse(msg, 413, "segment over the cap");
  if (config.payments) return check_livepeer_payment(msg, std::move(creds), std::move(body));
  receive_livepeer_segment(msg, std::move(creds), std::move(body));
}

void Orchestrator::Impl::receive_livepeer_segment(SoupServerMessage* msg, livepeer::SegmentCreds creds,
                                                  SharedBytes body) {
  if (request_header(msg, "Content-Type") != kUriBody)
    return transcode_livepeer_segment(msg, std::move(creds), std::move(body));
  // The body names the segment: fetch it (bounded in size and time), then go on.
  const std::string uri = bytes_text(body.get());
  SoupMessage* fetch = soup_message_new("GET", uri.c_str());
  if (!fetch || (!uri.starts_with("http://") && !uri.starts_with("https://"))) {
    if (fetch) g_object_unref(fetch);
    return refuse(msg, 400, "BadRequest");
  }
  g_signal_connect(
      fetch, "accept-certificate",
      G_CALLBACK(+[](SoupMessage*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
      nullptr);
  // Over the cap: cancelled as soon as the headers say so. A body without a Content-Length
  // is refused too (object stores send one), so the cap holds before anything is read.
  struct Fetch {
    Impl* impl;
    std::shared_ptr<bool> alive;
    SoupServerMessage* msg;
    livepeer::SegmentCreds creds;
    GCancellable* cancellable = g_cancellable_new();
    gint64 started_us = g_get_monotonic_time();
    guint deadline = 0;     // cancels the fetch at kUriFetchTimeout, however slowly bytes come
    bool unusable = false;  // no Content-Length, or over the cap
  };
  auto state = std::make_unique<Fetch>(Fetch{this, alive, msg, std::move(creds)});
  g_signal_connect(
      fetch, "got-headers", G_CALLBACK(+[](SoupMessage* m, gpointer data) {
        auto* f = static_cast<Fetch*>(data);
        SoupMessageHeaders* h = soup_message_get_response_headers(m);
        if (soup_message_headers_get_encoding(h) != SOUP_ENCODING_CONTENT_LENGTH ||
            soup_message_headers_get_content_length(h) > static_cast<goffset>(f->impl->config.max_segment_bytes)) {
          f->unusable = true;
          g_cancellable_cancel(f->cancellable);
        }
      }),
      state.get());
  Fetch* watched = state.get();
  state->deadline = add_timeout_once(kUriFetchTimeout, [watched] {
    watched->deadline = 0;  // fired: nothing to remove later
    g_cancellable_cancel(watched->cancellable);
  });
  soup_server_message_pause(msg);
  g_object_ref(msg);
  Fetch* raw = state.release();  // owned by the callback below, which always runs
  soup_session_send_and_read_async(
      fetch_session, fetch, G_PRIORITY_DEFAULT, raw->cancellable,
      +[](GObject* session, GAsyncResult* result, gpointer data) {
        std::unique_ptr<Fetch> f(static_cast<Fetch*>(data));
        remove_source(f->deadline);
        g_autoptr(GError) error = nullptr;
        g_autoptr(GBytes) bytes = soup_session_send_and_read_finish(SOUP_SESSION(session), result, &error);
        SoupMessage* m = soup_session_get_async_result_message(SOUP_SESSION(session), result);
        const bool ok = bytes && m && !f->unusable && SOUP_STATUS_IS_SUCCESSFUL(soup_message_get_status(m)) &&
                        g_get_monotonic_time() - f->started_us <= std::chrono::microseconds(kUriFetchTimeout).count();
        g_object_unref(f->cancellable);
        if (!*f->alive) {  // the node is shutting down
          g_object_unref(f->msg);
          return;
        }
        soup_server_message_unpause(f->msg);
        if (!ok) {
          g_message("segment from URL failed: %s", error ? error->message : "bad status or too slow");
          refuse(f->msg, 400, "BadRequest");
        } else {
          f->impl->transcode_livepeer_segment(f->msg, std::move(f->creds), share_bytes(g_bytes_ref(bytes)));
        }
        g_object_unref(f->msg);
      },
      raw);
  g_object_unref(fetch);
}

void Orchestrator::Impl::transcode_livepeer_segment(SoupServerMessage* msg, livepeer::SegmentCreds creds,
                                                    SharedBytes body) {
  const std::string& hash = creds.segment.hash();
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(body.get(), &size));
  const eth::Digest digest = eth::keccak256(std::span(data, size));
  if (hash.size() != digest.size() || !std::equal(digest.begin(), digest.end(), hash.begin(),
                                                  [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); }))
    return refuse(msg, 403, "Forbidden");
  if (size == 0) return refuse(msg, 400, "empty segment");
  const std::string session = creds.segment.auth_token().session_id();
  livepeer_sessions.touch(session, std::chrono::steady_clock::now());
  // The early 200: the upload is done; whatever happens next goes in the TranscodeResult.
  soup_server_message_set_status(msg, 200, nullptr);
  soup_message_headers_set_encoding(soup_server_message_get_response_headers(msg), SOUP_ENCODING_CHUNKED);
  answer_comes_later(msg);
  Segment s{"lp-" + session, creds.segment.seq(), creds.duration_ms, creds.profiles, body};
  // What a go-livepeer transcoder is sent: the gateway's SegData without its hash and storage
  // (go-livepeer's mdCopy), and its required capabilities for matching.
  net::SegData for_transcoder = creds.segment;
  for_transcoder.clear_hash();
  for_transcoder.DiscardUnknownFields();  // storage (32) is not in lpgst's subset of the proto
  s.livepeer_segment = for_transcoder.SerializeAsString();
  s.required_capabilities = livepeer::capabilities_in(creds.segment.capabilities());
  g_object_ref(msg);
  auto shared = std::make_shared<livepeer::SegmentCreds>(std::move(creds));
  auto& slot = open_answers[msg];
  slot = dispatcher.submit(std::move(s), [this, msg, shared](JobOutcome outcome, const std::string&) {
    if (auto it = open_answers.find(msg); it != open_answers.end()) it->second.clear();
    answer_livepeer_segment(msg, *shared, std::move(outcome));
    g_object_unref(msg);
  });
}

void Orchestrator::Impl::answer_livepeer_segment(SoupServerMessage* msg, const livepeer::SegmentCreds& creds,
                                                 JobOutcome outcome) {
  net::TranscodeResult result;
  result.set_seq(creds.segment.seq());
  *result.mutable_info() = livepeer_info(creds.segment.auth_token());
  if (creds.price_info) *result.mutable_info()->mutable_price_info() = *creds.price_info;
  if (creds.ticket_params) *result.mutable_info()->mutable_ticket_params() = *creds.ticket_params;
  int64_t pixels = 0;  // DebitFees: the renditions' pixels (none when transcoding failed)
  if (outcome)
    for (const RenditionOutput& r : *outcome) pixels += r.pixels;
  debit_livepeer_segment(creds, pixels);
  if (!outcome) {
    metrics.segment_failed(error_code_name(outcome.error().code));
    g_message("go-livepeer segment failed: %s", outcome.error().message.c_str());
    result.set_error(outcome.error().message);
  } else {
    metrics.segment_transcoded();
    const std::string id = results.put(*outcome);
    const std::string base = "https://" + signed_service_addr() + "/stream/";
    std::vector<std::span<const uint8_t>> spans;
    auto* data = result.mutable_data();
    for (size_t i = 0; i < outcome->size(); ++i) {
      const RenditionOutput& r = (*outcome)[i];
      gsize n = 0;
      spans.emplace_back(static_cast<const uint8_t*>(g_bytes_get_data(r.bytes.get(), &n)), n);
      const net::VideoProfile& p = creds.net_profiles[i];
      g_autofree char* session = g_uri_escape_string(creds.segment.auth_token().session_id().c_str(), nullptr, FALSE);
      g_autofree char* profile = g_uri_escape_string(p.name().c_str(), nullptr, FALSE);
      const std::string path = std::string(session) + "/" + profile + "/" + std::to_string(creds.segment.seq()) +
                               livepeer::rendition_extension(p);
      stream_files[path] = {id, i};
      auto* seg = data->add_segments();
      seg->set_url(base + path);
      seg->set_pixels(r.pixels);
    }
    if (config.key) {
      const eth::Signature sig = eth::sign_results(*config.key, spans);
      data->set_sig(std::string(sig.bytes().begin(), sig.bytes().end()));
    }
  }
  const std::string bytes = result.SerializeAsString();
  SoupMessageBody* body = soup_server_message_get_response_body(msg);
  soup_message_body_append(body, SOUP_MEMORY_COPY, bytes.data(), bytes.size());
  soup_message_body_complete(body);
  soup_server_message_unpause(msg);
}

void Orchestrator::Impl::on_stream_file(SoupServerMessage* msg, const char* path) {
  const std::string_view p(path);
  constexpr std::string_view prefix = "/stream/";
  auto it = p.starts_with(prefix) ? stream_files.find(std::string(p.substr(prefix.size()))) : stream_files.end();
  ResultStore::Found found;
  if (it != stream_files.end()) {
    found = results.get(it->second.first, it->second.second);
    if (!found.bytes) stream_files.erase(it);  // its result expired
  }
  if (!found.bytes) return refuse(msg, 404, "404 page not found");
  reply_bytes(msg, 200, found.media_type.c_str(), found.bytes.get());
}

}  // namespace lp
