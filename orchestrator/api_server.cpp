// The orchestrator's public API: GET /v1/info, POST /v1/segment, GET /v1/results/..., and the
// job media URLs remote transcoders use (GET source, PUT renditions).
#include <poll.h>

#include <algorithm>
#include <set>

#include "http/http_reply.h"
#include "orchestrator_impl.h"
#include "result_signing.h"
#include "sha256.h"
#include "wire/info.h"
#include "wire/result.h"
#include "wire/segment.h"

namespace lp {
namespace {

int64_t unix_now() { return g_get_real_time() / G_USEC_PER_SEC; }

bool has_length(SoupServerMessage* msg) {
  return soup_message_headers_get_encoding(soup_server_message_get_request_headers(msg)) ==
         SOUP_ENCODING_CONTENT_LENGTH;
}

// The token check, shared by the early handler and the full one.
Result<void> check_token(SoupServerMessage* msg, const std::string& secret) {
  const std::string value = request_header(msg, wire::header::kAuthToken);
  if (value.empty()) return Error{ErrorCode::Unauthorized, "no Lp-Auth-Token header: GET /v1/info first"};
  auto token = wire::auth_token_from_header_value(value);
  if (!token) return token.error();
  return wire::verify_token(secret, *token, unix_now());
}

// A client signature is checked whenever one is sent, and required with
// --require-client-signature.
Result<void> check_client_signature(const wire::SegmentHeaders& segment, bool required) {
  if (segment.signature.empty()) {
    if (!required) return {};
    return Error{ErrorCode::BadSignature, "this orchestrator requires a client signature (Lp-Signature, Lp-Signer)"};
  }
  auto sig = eth::Signature::parse(segment.signature);
  if (!sig) return Error{ErrorCode::BadSignature, "Lp-Signature: " + sig.error().message};
  auto signer = eth::parse_address(segment.signer);
  if (!signer) return Error{ErrorCode::BadSignature, "Lp-Signer: " + signer.error().message};
  auto ok = eth::verify_personal(eth::bytes_of(wire::segment_signing_text(segment)), *sig, *signer);
  if (!ok) return Error{ErrorCode::BadSignature, "Lp-Signature does not match the segment: " + ok.error().message};
  return {};
}

bool has_header(const wire::HeaderMap& headers, const char* name) {
  for (const auto& [k, v] : headers)
    if (g_ascii_strcasecmp(k.c_str(), name) == 0) return true;
  return false;
}

// A profile name as a header value: printable ASCII without quotes (the JSON part has it exact).
std::string header_safe(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') c = '_';
  return out;
}

// An index in a URL: 1 to 4 decimal digits and nothing else ("+0", "-0", " 1", "01x" are not).
std::optional<unsigned long> parse_index(const std::string& text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  unsigned long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned long>(c - '0');
  }
  return v;
}

SharedBytes request_body(SoupServerMessage* msg) {
  return share_bytes(soup_message_body_flatten(soup_server_message_get_request_body(msg)));
}

}  // namespace

void Orchestrator::Impl::add_public_handlers() {
  SoupServer* s = public_server.get();
  // An answer is out once libsoup has written it, or the client is gone.
  auto answered =
      +[](SoupServer*, SoupServerMessage* m, gpointer self) { static_cast<Impl*>(self)->open_answers.erase(m); };
  g_signal_connect(s, "request-finished", G_CALLBACK(answered), this);
  g_signal_connect(s, "request-aborted", G_CALLBACK(answered), this);
  soup_server_add_handler(
      s, "/v1/info",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        static_cast<Impl*>(self)->on_info(m);
      },
      this, nullptr);
  // Token and size are checked as soon as the headers are in, before a body is read.
  soup_server_add_early_handler(
      s, "/v1/segment",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        auto* me = static_cast<Impl*>(self);
        if (auto e = check_token(m, me->token_secret); !e.ok()) return reply_error(m, e.error());
        if (!has_length(m)) return reply_error(m, Error{ErrorCode::BadRequest, "Content-Length is required"});
        if (content_length(m) > static_cast<gint64>(me->config.max_segment_bytes))
          return reply_error(m, Error{ErrorCode::TooLarge, "segment of " + std::to_string(content_length(m)) +
                                                               " bytes is over the cap of " +
                                                               std::to_string(me->config.max_segment_bytes)});
        // Headers and capacity too, so a node reads no body it cannot take (all checked again
        // once the body is in, in the same order).
        auto segment = me->segment_headers(m);
        if (!segment) return reply_error(m, segment.error());
        if (me->draining) return reply_error(m, Error{ErrorCode::Busy, "orchestrator is shutting down"});
        if (auto e = me->dispatcher.check_capable(segment->profiles); !e.ok()) return reply_error(m, e.error());
        if (me->dispatcher.in_flight() >= me->max_sessions())
          reply_error(m, Error{ErrorCode::Busy, "at capacity: " + std::to_string(me->dispatcher.in_flight()) + " of " +
                                                    std::to_string(me->max_sessions()) + " sessions in use"});
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/v1/segment",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        static_cast<Impl*>(self)->on_segment(m);
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/v1/results",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer self) {
        static_cast<Impl*>(self)->on_result_download(m, path);
      },
      this, nullptr);
  // Rendition uploads: only to a live job with its token, with a length, within the cap; no
  // body is read otherwise.
  soup_server_add_early_handler(
      s, "/v1/jobs",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer self) {
        auto* me = static_cast<Impl*>(self);
        const bool chunked =
            soup_message_headers_get_encoding(soup_server_message_get_request_headers(m)) == SOUP_ENCODING_CHUNKED;
        if (!chunked && content_length(m) <= 0) return;  // no body (GET source)
        auto parts = path_parts(path);
        if (parts.size() != 6 || !me->media.source(parts[2], parts[3]))
          return reply_error(m, Error{ErrorCode::NotFound, "no such job (finished, cancelled or wrong token)"});
        if (!has_length(m)) return reply_error(m, Error{ErrorCode::BadRequest, "Content-Length is required"});
        if (content_length(m) > static_cast<gint64>(me->config.max_segment_bytes) * 4)
          reply_error(m, Error{ErrorCode::TooLarge, "rendition upload over the cap"});
      },
      this, nullptr);
  refuse_unexpected_bodies(s, {"/v1/info", "/v1/results"});
  soup_server_add_handler(
      s, "/v1/jobs",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer self) {
        static_cast<Impl*>(self)->on_job_media(m, path);
      },
      this, nullptr);
}

wire::Capabilities Orchestrator::Impl::capabilities() const {
  wire::Capabilities caps;
  std::set<std::string> codecs, presets;
  for (const auto& w : dispatcher.workers()) {
    codecs.insert(w.capabilities.codecs.begin(), w.capabilities.codecs.end());
    presets.insert(w.capabilities.presets.begin(), w.capabilities.presets.end());
    caps.max_width = std::max(caps.max_width, w.capabilities.max_width);
    caps.max_height = std::max(caps.max_height, w.capabilities.max_height);
    for (const auto& h : w.capabilities.hardware) caps.hardware.push_back(h);
  }
  caps.codecs.assign(codecs.begin(), codecs.end());
  caps.presets.assign(presets.begin(), presets.end());
  return caps;
}

int Orchestrator::Impl::max_sessions() const {
  return config.max_sessions_auto ? dispatcher.worker_capacity() : config.max_sessions;
}

// Result URLs name the host the client reached us by (what works for it behind NAT), when
// that is a plain host[:port]; they are not signed.
std::string Orchestrator::Impl::public_base(SoupServerMessage* msg) const {
  const std::string scheme = config.tls ? "https://" : "http://";
  if (!config.service_addr.empty()) return scheme + config.service_addr;
  return base_for_host(request_header(msg, "Host"));
}

// "scheme://host" for a Host (or :authority) a peer dialled, when it is a plain host[:port];
// else the signed service address.
std::string Orchestrator::Impl::base_for_host(const std::string& host) const {
  const bool plain = !host.empty() && host.size() < 256 &&
                     host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
                         std::string::npos;
  return std::string(config.tls ? "https://" : "http://") + (plain ? host : signed_service_addr());
}

// What /v1/info signs: --service-addr, else the address the node is bound to; a node bound to
// every interface signs its host name with the bound port (never the request's Host header,
// which anyone can set). lpnode warns at start when a public node has no --service-addr.
std::string Orchestrator::Impl::signed_service_addr() const {
  if (!config.service_addr.empty()) return config.service_addr;
  const std::string bound = bound_address(public_server.get());
  if (bound.starts_with("0.0.0.0:")) return std::string(g_get_host_name()) + bound.substr(7);
  if (bound.starts_with("[::]:")) return std::string(g_get_host_name()) + bound.substr(4);
  return bound;
}

void Orchestrator::Impl::on_info(SoupServerMessage* msg) {
  if (soup_server_message_get_method(msg) != std::string_view("GET"))
    return reply_error(msg, Error{ErrorCode::BadRequest, "GET /v1/info only"});
  wire::Info info;
  info.service_addr = signed_service_addr();
  info.version = PACKAGE_VERSION;
  info.capabilities = capabilities();
  info.capacity = {max_sessions(), dispatcher.in_flight()};
  info.price = config.price;
  auto token = wire::issue_token(token_secret, random_token().substr(0, 16), unix_now() + config.token_ttl.count());
  if (!token) return reply_error(msg, token.error());
  info.auth_token = *token;
  if (config.key) {
    info.signer = config.key->address().checksummed();
    info.signature = eth::personal_sign(*config.key, eth::bytes_of(wire::info_signing_text(info))).hex();
  }
  reply_json(msg, 200, wire::to_json(info));
}

// The segment's Lp-* headers; segments that name no profiles get --transcoding-options.
Result<wire::SegmentHeaders> Orchestrator::Impl::segment_headers(SoupServerMessage* msg) const {
  auto headers = request_headers(msg);
  if (!config.default_profiles.empty() && !has_header(headers, wire::header::kProfiles)) {
    wire::SegmentHeaders defaults;
    defaults.profiles = config.default_profiles;
    wire::HeaderMap written;
    wire::write_headers(defaults, written);
    headers[wire::header::kProfiles] = written[wire::header::kProfiles];
  }
  return wire::segment_from_headers(headers);
}

void Orchestrator::Impl::on_segment(SoupServerMessage* msg) {
  const gint64 started = g_get_monotonic_time();
  if (soup_server_message_get_method(msg) != std::string_view("POST"))
    return reply_error(msg, Error{ErrorCode::BadRequest, "POST /v1/segment only"});
  metrics.segment_received();
  // 1. token (again: the early check passed, but it may have expired while the body came).
  if (auto e = check_token(msg, token_secret); !e.ok()) return reply_error(msg, e.error());
  // 2. size
  SharedBytes body = request_body(msg);
  const size_t size = g_bytes_get_size(body.get());
  if (size > config.max_segment_bytes)
    return reply_error(msg, Error{ErrorCode::TooLarge,
                                  "segment over the cap of " + std::to_string(config.max_segment_bytes) + " bytes"});
  // 3. headers, then hash
  auto segment = segment_headers(msg);
  if (!segment) return reply_error(msg, segment.error());
  if (size == 0) return reply_error(msg, Error{ErrorCode::BadSegment, "segment is empty"});
  const std::string hash = sha256_hex(body.get());
  if (hash != segment->body_sha256)
    return reply_error(msg, Error{ErrorCode::HashMismatch, "body of " + std::to_string(size) + " bytes hashes to " +
                                                               hash + ", not Lp-Body-Sha256 " + segment->body_sha256});
  if (auto e = check_client_signature(*segment, config.require_client_signature); !e.ok())
    return reply_error(msg, e.error());
  // 4. capacity
  if (draining) return reply_error(msg, Error{ErrorCode::Busy, "orchestrator is shutting down"});
  if (auto e = dispatcher.check_capable(segment->profiles); !e.ok()) return reply_error(msg, e.error());
  const int max = max_sessions();
  if (dispatcher.in_flight() >= max)
    return reply_error(msg, Error{ErrorCode::Busy, "at capacity: " + std::to_string(dispatcher.in_flight()) + " of " +
                                                       std::to_string(max) + " sessions in use"});
  // 5. dispatch; the answer waits for the outcome.
  Segment s{segment->stream_id, segment->seq, segment->duration_ms, segment->profiles, body};
  soup_server_message_pause(msg);
  g_object_ref(msg);
  auto& slot = open_answers[msg];
  slot = dispatcher.submit(std::move(s), [this, msg, started](JobOutcome outcome, const std::string&) {
    if (auto it = open_answers.find(msg); it != open_answers.end()) it->second.clear();
    answer_segment(msg, std::move(outcome), started);
    soup_server_message_unpause(msg);
    g_object_unref(msg);
  });
}

// A paused message does no I/O, so libsoup does not see its client hang up: the sockets of
// the segments being transcoded are checked for end-of-file, and a gone client's segment is
// dropped, freeing its slot at once.
void Orchestrator::Impl::check_clients() {
  std::vector<SoupServerMessage*> gone;
  for (const auto& [msg, sid] : open_answers) {
    if (sid.empty()) continue;
    // The peer's FIN (POLLRDHUP), not readable bytes: over TLS a leaving client sends a
    // close_notify alert first, which a peek would take for data.
    GSocket* socket = request_socket(msg);
    if (!socket) continue;
    pollfd p{g_socket_get_fd(socket), POLLRDHUP, 0};
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
      gone.push_back(msg);  // nobody will read the answer
  }
  for (SoupServerMessage* msg : gone) {
    auto it = open_answers.find(msg);
    const std::string sid = it->second;
    open_answers.erase(it);
    dispatcher.abandon(sid);
    metrics.segment_failed("client_gone");
    soup_server_message_set_status(msg, 503, nullptr);  // written to nobody; lets libsoup finish it
    // A chunked answer (go-livepeer's early 200) ends here too, or libsoup waits for it.
    soup_message_body_complete(soup_server_message_get_response_body(msg));
    soup_server_message_unpause(msg);
    g_object_unref(msg);  // the reference taken when the answer was paused
  }
}

void Orchestrator::Impl::answer_segment(SoupServerMessage* msg, JobOutcome outcome, gint64 started_us) {
  ++segments_answered;
  metrics.observe_overall_latency(double(g_get_monotonic_time() - started_us) / 1e6);
  if (!outcome) {
    metrics.segment_failed(error_code_name(outcome.error().code));
    g_message("segment failed: %s", outcome.error().message.c_str());
    return reply_error(msg, outcome.error());
  }
  metrics.segment_transcoded();
  const std::string id = results.put(*outcome);
  wire::TranscodeResult result;
  const std::string base = public_base(msg) + "/v1/results/" + id + "/";
  std::vector<std::span<const uint8_t>> spans;
  for (size_t i = 0; i < outcome->size(); ++i) {
    const RenditionOutput& r = (*outcome)[i];
    gsize n = 0;
    const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(r.bytes.get(), &n));
    spans.emplace_back(data, n);
    result.renditions.push_back(
        {r.name, base + std::to_string(i), static_cast<int64_t>(n), r.frames, r.pixels, r.sha256, r.width, r.height});
  }
  if (config.key) {
    result.signature = eth::sign_results(*config.key, spans).hex();
    result.signer = config.key->address().checksummed();
  }
  const std::string json = wire::to_json(result);
  const std::string accept = request_header(msg, "Accept");
  if (accept.find("multipart/mixed") == std::string::npos) return reply_json(msg, 200, json);

  // Inline: the JSON result first, then each rendition in profile order. Written part by part:
  // the renditions' bytes are appended by reference, not copied into one buffer.
  const std::string boundary = "lpgst-" + random_token();
  SoupMessageBody* out = soup_server_message_get_response_body(msg);
  auto text = [&](const std::string& s) { soup_message_body_append(out, SOUP_MEMORY_COPY, s.data(), s.size()); };
  text("--" + boundary + "\r\nContent-Type: application/json\r\n\r\n" + json);
  for (const auto& r : *outcome) {
    const std::string name = header_safe(r.name);
    text("\r\n--" + boundary + "\r\nContent-Type: " + r.media_type +
         "\r\nContent-Disposition: attachment; filename=\"" + name + "." + file_extension_for(r.media_type) +
         "\"\r\nLp-Rendition-Name: " + name + "\r\n\r\n");
    soup_message_body_append_bytes(out, r.bytes.get());
  }
  text("\r\n--" + boundary + "--\r\n");
  soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Content-Type",
                               ("multipart/mixed; boundary=\"" + boundary + "\"").c_str());
  soup_server_message_set_status(msg, 200, nullptr);
}

// GET /v1/results/<id>/<i>
void Orchestrator::Impl::on_result_download(SoupServerMessage* msg, const char* path) {
  auto parts = path_parts(path);
  const auto index = parts.size() == 4 ? parse_index(parts[3]) : std::nullopt;
  auto found = index ? results.get(parts[2], *index) : ResultStore::Found{};
  if (!found.bytes) return reply_error(msg, Error{ErrorCode::NotFound, "no such result (unknown, or expired)"});
  reply_bytes(msg, 200, found.media_type.c_str(), found.bytes.get());
}

// GET /v1/jobs/<job>/<token>/source, PUT /v1/jobs/<job>/<token>/renditions/<i>
void Orchestrator::Impl::on_job_media(SoupServerMessage* msg, const char* path) {
  auto parts = path_parts(path);
  const std::string_view method = soup_server_message_get_method(msg);
  if (parts.size() == 5 && parts[4] == "source" && method == "GET") {
    SharedBytes source = media.source(parts[2], parts[3]);
    if (!source)
      return reply_error(msg, Error{ErrorCode::NotFound, "no such job (finished, cancelled or wrong token)"});
    return reply_bytes(msg, 200, "application/octet-stream", source.get());
  }
  if (parts.size() == 6 && parts[4] == "renditions" && method == "PUT") {
    const auto index = parse_index(parts[5]);
    if (!index) return reply_error(msg, Error{ErrorCode::BadRequest, "bad rendition index " + parts[5]});
    if (auto e = media.put(parts[2], parts[3], *index, request_body(msg)); !e.ok()) return reply_error(msg, e.error());
    soup_server_message_set_status(msg, 204, nullptr);
    return;
  }
  reply_error(msg, Error{ErrorCode::NotFound, "no such job URL"});
}

}  // namespace lp
