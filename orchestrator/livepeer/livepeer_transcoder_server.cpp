#include "livepeer_transcoder_server.h"

#include <algorithm>

#include "http/http_listen.h"
#include "http/http_reply.h"
#include "livepeer/livepeer_capabilities.h"
#include "lp_rpc.pb.h"
#include "main_context.h"
#include "sha256.h"
#include "wire/auth_token.h"

namespace lp::livepeer {
namespace {

constexpr const char* kResultsPath = "/transcodeResults";
// A transcoding error's text.
constexpr gint64 kMaxSmallBody = 64 << 10;
// More than one machine has: a typo or an attack, not a transcoder.
constexpr int64_t kMaxCapacity = 1000;

std::string ip_of(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

std::string body_text(GBytes* bytes, size_t max) {
  gsize n = 0;
  const char* data = static_cast<const char*>(g_bytes_get_data(bytes, &n));
  std::string text(data ? data : "", std::min<size_t>(n, max));
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) return "(not UTF-8 text)";
  return text;
}

}  // namespace

std::vector<int> default_capabilities() {
  std::vector<int> caps;
  for (int c = kH264; c <= kAuthToken; ++c) caps.push_back(c);
  caps.push_back(kMpeg7VideoSignature);
  caps.push_back(kSegmentSlicing);
  return caps;
}

// One upload being measured: the message (paused, referenced), the task it answers and the
// probes of its renditions.
struct TranscoderServer::Upload {
  SoupServerMessage* msg = nullptr;  // owned reference
  int64_t task_id = 0;
  ResultsBody body;
  std::vector<std::unique_ptr<RenditionProbe>> probes;
  std::vector<std::optional<Result<RenditionShape>>> shapes;
  size_t pending = 0;
};

TranscoderServer::TranscoderServer(SoupServer* server, grpc::ServiceTable& services, Dispatcher& dispatcher,
                                   JobMedia& media, TranscoderServerSettings settings)
    : server_(server), dispatcher_(dispatcher), media_(media), settings_(std::move(settings)) {
  services.add("/net.Transcoder/RegisterTranscoder",
               [this, alive = alive_](std::string request, const grpc::ServerCall& call) {
                 if (!*alive) return call.finish(grpc::kUnavailable, "orchestrator stopping");
                 register_transcoder(std::move(request), call);
               });
  soup_server_add_early_handler(server_, kResultsPath, on_early, this, nullptr);
  soup_server_add_handler(server_, kResultsPath, on_results, this, nullptr);
}

TranscoderServer::~TranscoderServer() {
  *alive_ = false;
  soup_server_remove_handler(server_, kResultsPath);
  for (auto& [msg, upload] : uploads_) {
    upload->probes.clear();
    soup_server_message_set_status(msg, 503, nullptr);
    soup_server_message_unpause(msg);
    g_object_unref(msg);
  }
  uploads_.clear();
  auto transcoders = std::move(transcoders_);
  for (auto& [id, t] : transcoders) {
    dispatcher_.remove_worker(id, "orchestrator stopping");
    t->close(grpc::kUnavailable, "orchestrator stopping");
  }
}

void TranscoderServer::register_transcoder(std::string bytes, const grpc::ServerCall& call) {
  net::RegisterRequest request;
  if (!request.ParseFromString(bytes)) return call.finish(grpc::kInternal, "grpc: error unmarshalling request");
  const std::string ip = ip_of(call.peer());
  const gint64 now = g_get_monotonic_time();
  if (!throttle_.may_try(ip, now)) {
    throttle_.throttled(now);
    return call.finish(grpc::kResourceExhausted, "too many wrong secrets from " + ip + ": one try per second");
  }
  // go-livepeer's errSecret and errZeroCapacity texts: its transcoders exit on these.
  if (settings_.secret.empty() || !wire::constant_time_equal(request.secret(), settings_.secret)) {
    throttle_.failed(ip, now);
    if (auto line = throttle_.flush(now); !line.empty()) g_message("%s", line.c_str());
    g_message("go-livepeer transcoder at %s refused: invalid secret", call.peer().c_str());
    return call.finish(grpc::kUnknown, "invalid secret");
  }
  throttle_.succeeded(ip);
  if (request.capacity() <= 0) {
    g_message("go-livepeer transcoder at %s refused: zero capacity", call.peer().c_str());
    return call.finish(grpc::kUnknown, "zero capacity");
  }
  // A transcoder that announces nothing is an older go-livepeer: its defaults, as go-livepeer.
  std::vector<int> caps = request.has_capabilities() ? capabilities_in(request.capabilities()) : default_capabilities();
  const int capacity = static_cast<int>(std::min(request.capacity(), kMaxCapacity));
  const std::string id = "lp-t-" + std::to_string(next_id_++);
  const std::string authority = h2::header_value(call.request_headers(), ":authority");
  auto transcoder =
      std::make_shared<RemoteTranscoder>(id, call.peer(), capacity, caps, request.capabilities().version(), call,
                                         settings_.source_base(authority), media_, [this] { return next_task_++; });
  call.on_cancel([this, alive = alive_, id] {
    if (!*alive) return;
    auto it = transcoders_.find(id);
    if (it == transcoders_.end()) return;
    auto keep = std::move(it->second);  // alive until this returns
    transcoders_.erase(it);
    g_message("go-livepeer transcoder %s gone: its registration stream closed", id.c_str());
    dispatcher_.remove_worker(id, "its registration stream closed");
  });
  std::string names;
  for (int c : caps) names += (names.empty() ? "" : ",") + capability_name(c);
  g_message("go-livepeer transcoder %s registered from %s: capacity %d, version %s, capabilities %s", id.c_str(),
            call.peer().c_str(), capacity, request.capabilities().version().c_str(), names.c_str());
  transcoders_[id] = transcoder;
  dispatcher_.add_worker(std::move(transcoder));
}

void TranscoderServer::end_session(const std::string& session_id) {
  for (auto& [id, t] : transcoders_) t->end_session(session_id);
}

RemoteTranscoder* TranscoderServer::owner_of(int64_t task_id) {
  for (auto& [id, t] : transcoders_)
    if (t->task(task_id)) return t.get();
  return nullptr;
}

// Headers first: nothing of the body is read for a wrong secret, a bad TaskId or a size
// over what the task can need.
void TranscoderServer::on_early(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
  auto* me = static_cast<TranscoderServer*>(self);
  const std::string ip = ip_of(peer_address(msg));
  const gint64 now = g_get_monotonic_time();
  if (!me->throttle_.may_try(ip, now)) {
    me->throttle_.throttled(now);
    return reply_text(msg, 429, "text/plain", "too many wrong secrets from " + ip + ": one try per second\n");
  }
  SoupMessageHeaders* headers = soup_server_message_get_request_headers(msg);
  auto head = check_results_head(headers, me->settings_.secret);
  if (auto* no = std::get_if<Refusal>(&head)) {
    if (no->status == 401) {
      me->throttle_.failed(ip, now);
      if (auto line = me->throttle_.flush(now); !line.empty()) g_message("%s", line.c_str());
    }
    return reply_text(msg, no->status, "text/plain", no->message + "\n");
  }
  me->throttle_.succeeded(ip);
  if (soup_message_headers_get_encoding(headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return reply_text(msg, 411, "text/plain", "Content-Length is required\n");
  const ResultsHead& h = std::get<ResultsHead>(head);
  const RemoteTranscoder* owner = me->owner_of(h.task_id);
  if (!owner) {
    // Late (its segment was re-dispatched or its client left) or unknown: go-livepeer answers
    // OK and drops it; here without reading the body.
    g_message("go-livepeer result for task %" G_GINT64_FORMAT " ignored: no such task in flight", h.task_id);
    return reply_text(msg, 200, "text/plain", "OK");
  }
  gint64 cap = kMaxSmallBody;
  if (h.multipart)
    cap = static_cast<gint64>(me->settings_.max_rendition_bytes *
                              std::max<size_t>(1, owner->task(h.task_id)->profiles.size())) +
          kMaxSmallBody;
  if (content_length(msg) > cap)
    reply_text(msg, 413, "text/plain",
               "a result of " + std::to_string(content_length(msg)) + " bytes is over the cap of " +
                   std::to_string(cap) + "\n");
}

void TranscoderServer::on_results(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
  static_cast<TranscoderServer*>(self)->results(msg);
}

void TranscoderServer::results(SoupServerMessage* msg) {
  SoupMessageHeaders* headers = soup_server_message_get_request_headers(msg);
  auto head = check_results_head(headers, settings_.secret);
  if (auto* no = std::get_if<Refusal>(&head)) return reply_text(msg, no->status, "text/plain", no->message + "\n");
  const ResultsHead h = std::get<ResultsHead>(head);
  g_autoptr(GBytes) body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
  RemoteTranscoder* owner = owner_of(h.task_id);
  if (!owner) {
    // Late (the task was re-dispatched or its client left) or unknown: go-livepeer ignores it.
    g_message("go-livepeer result for task %" G_GINT64_FORMAT " ignored: no such task in flight", h.task_id);
    return reply_text(msg, 200, "text/plain", "OK");
  }
  if (h.error_body) {
    const std::string text = body_text(body, 1000);
    g_message("go-livepeer transcoder %s: task %" G_GINT64_FORMAT " failed: %s", owner->id().c_str(), h.task_id,
              text.c_str());
    reply_text(msg, 200, "text/plain", "OK");
    // Passed on as it is and not retried, as go-livepeer: the transcoder found the segment bad.
    return owner->finish_task(h.task_id, Error{ErrorCode::BadSegment, text});
  }
  if (!h.multipart) return reply_text(msg, 200, "text/plain", "OK");  // carries nothing (go-livepeer)
  auto read = read_results_body(headers, body);
  if (auto* no = std::get_if<Refusal>(&read)) {
    reply_text(msg, no->status, "text/plain", no->message + "\n");
    return owner->finish_task(h.task_id, Error{ErrorCode::VerificationFailed, "result upload: " + no->message});
  }
  ResultsBody parts = std::get<ResultsBody>(std::move(read));
  if (auto why = check_renditions(parts, owner->task(h.task_id)->profiles.size()); !why.ok()) {
    reply_text(msg, 400, "text/plain", why.error().message + "\n");
    return owner->finish_task(h.task_id, Error{ErrorCode::VerificationFailed,
                                               "go-livepeer transcoder " + owner->id() + ": " + why.error().message});
  }
  // Measured before the answer: the transcoder hears whether its Pixels held.
  auto upload = std::make_unique<Upload>();
  upload->msg = SOUP_SERVER_MESSAGE(g_object_ref(msg));
  upload->task_id = h.task_id;
  upload->body = std::move(parts);
  upload->shapes.resize(upload->body.renditions.size());
  upload->pending = upload->body.renditions.size();
  Upload* raw = upload.get();
  uploads_[msg] = std::move(upload);
  soup_server_message_pause(msg);
  for (size_t i = 0; i < raw->body.renditions.size(); ++i) {
    raw->probes.push_back(
        RenditionProbe::start(raw->body.renditions[i].bytes, [this, raw, i](Result<RenditionShape> shape) {
          raw->shapes[i] = std::move(shape);
          if (--raw->pending == 0) measured(raw);
        }));
  }
}

void TranscoderServer::measured(Upload* upload) {
  auto node = uploads_.extract(upload->msg);
  std::unique_ptr<Upload> keep = std::move(node.mapped());
  // The probes' threads are joined later, off their own callback.
  add_timeout_once(std::chrono::milliseconds(0),
                   [probes = std::make_shared<decltype(keep->probes)>(std::move(keep->probes))] {});
  SoupServerMessage* msg = keep->msg;
  std::optional<std::string> problem;
  std::vector<RenditionOutput> outputs;
  RemoteTranscoder* owner = owner_of(keep->task_id);
  for (size_t i = 0; i < keep->shapes.size() && !problem; ++i) {
    const UploadedRendition& part = keep->body.renditions[i];
    const Result<RenditionShape>& shape = *keep->shapes[i];
    if (!shape) {
      problem = "rendition " + std::to_string(i) + ": " + shape.error().message;
      break;
    }
    // Pixels states width x height x frames sent to the encoder (lpms counts them there), which
    // can differ from the frames muxed by a few (a flush, a frame the muxer drops): 2 frames or
    // 5 % either way, whichever is more, is allowed. Past that the claim is not this rendition.
    // (The gateway is told the measured pixels in any case.)
    const int64_t measured = shape->pixels();
    const int64_t slack = std::max<int64_t>(2 * int64_t{shape->width} * shape->height, measured / 20);
    if (part.pixels < measured - slack || part.pixels > measured + slack) {
      problem = "rendition " + std::to_string(i) + " states Pixels " + std::to_string(part.pixels) + " but holds " +
                std::to_string(shape->frames) + " frames of " + std::to_string(shape->width) + "x" +
                std::to_string(shape->height) + " (" + std::to_string(shape->pixels()) + " pixels)";
      break;
    }
    RenditionOutput out;
    if (owner) out.name = owner->task(keep->task_id)->profiles.at(i).name;
    out.bytes = part.bytes;
    out.sha256 = sha256_hex(part.bytes.get());
    out.frames = shape->frames;
    out.pixels = shape->pixels();
    out.width = shape->width;
    out.height = shape->height;
    g_autofree char* type = g_ascii_strdown(part.media_type.c_str(), -1);  // Go may send video/MP2T
    out.media_type = part.media_type.empty() ? "video/mp2t" : type;
    outputs.push_back(std::move(out));
  }
  if (problem) {
    reply_text(msg, 400, "text/plain", *problem + "\n");
  } else {
    reply_text(msg, 200, "text/plain", "OK");
  }
  soup_server_message_unpause(msg);
  g_object_unref(msg);
  if (!owner) return;  // the task went while its renditions were measured
  if (problem)
    return owner->finish_task(
        keep->task_id, Error{ErrorCode::VerificationFailed, "go-livepeer transcoder " + owner->id() + ": " + *problem});
  owner->finish_task(keep->task_id, std::move(outputs));
}

}  // namespace lp::livepeer
