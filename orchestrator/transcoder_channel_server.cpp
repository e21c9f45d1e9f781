#include "transcoder_channel_server.h"

#include "http/http_listen.h"
#include "http/http_reply.h"
#include "main_context.h"
#include "wire/transcoder_channel.h"

namespace lp {

// A channel between upgrade and hello.
struct TranscoderChannelServer::Handshake {
  SoupWebsocketConnection* conn = nullptr;  // one reference, dropped in the destructor
  std::string address;
  std::string base_url;
  guint timeout = 0;
  gulong message_handler = 0;
  gulong close_handler = 0;

  ~Handshake() {
    remove_source(timeout);
    if (message_handler) g_signal_handler_disconnect(conn, message_handler);
    if (close_handler) g_signal_handler_disconnect(conn, close_handler);
    g_object_unref(conn);
  }
};

TranscoderChannelServer::TranscoderChannelServer(SoupServer* server, std::string secret, Dispatcher& dispatcher,
                                                 JobMedia& media, ChannelSettings settings, std::string scheme)
    : server_(server),
      secret_(std::move(secret)),
      dispatcher_(dispatcher),
      media_(media),
      settings_(std::move(settings)),
      scheme_(std::move(scheme)) {
  throttle_log_ = add_timeout_repeat(std::chrono::seconds(10), [this] {
    if (auto line = throttle_.flush(g_get_monotonic_time()); !line.empty()) g_message("%s", line.c_str());
    return true;
  });
  soup_server_add_early_handler(server_, wire::kChannelPath, on_early, this, nullptr);
  soup_server_add_websocket_handler(server_, wire::kChannelPath, nullptr, nullptr, on_websocket, this, nullptr);
}

TranscoderChannelServer::~TranscoderChannelServer() {
  remove_source(throttle_log_);
  soup_server_remove_handler(server_, wire::kChannelPath);
  close_all("orchestrator stopping");
}

void TranscoderChannelServer::close_all(const std::string& why) {
  handshakes_.clear();
  auto transcoders = std::move(transcoders_);
  for (auto& [id, t] : transcoders) {
    t->on_closed(nullptr);
    dispatcher_.remove_worker(id, why);
    t->close(why, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  }
}

// Runs once the request headers are in: refusing here means no upgrade and no channel.
void TranscoderChannelServer::on_early(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
  auto* me = static_cast<TranscoderChannelServer*>(self);
  if (me->secret_.empty()) {
    g_message("transcoder at %s refused: this node takes no remote transcoders (no --orch-secret)",
              peer_address(msg).c_str());
    return reply_error(msg, Error{ErrorCode::Unauthorized,
                                  "this orchestrator takes no remote transcoders (started without --orch-secret)"});
  }
  const char* ip = soup_server_message_get_remote_host(msg);
  const std::string address = ip ? ip : "?";
  const gint64 now = g_get_monotonic_time();
  if (!me->throttle_.may_try(address, now)) {
    me->throttle_.throttled(now);
    reply_error(msg, Error{ErrorCode::Busy, "too many wrong secrets from " + address + ": one try per second"});
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "1");
    soup_server_message_set_status(msg, 429, nullptr);
    return;
  }
  if (!wire::bearer_matches(request_header(msg, "Authorization"), me->secret_)) {
    me->throttle_.failed(address, now);
    // The first refusal after a quiet spell is logged at once; the rest in the 10 s summary.
    if (auto line = me->throttle_.flush(now); !line.empty()) g_message("%s", line.c_str());
    return reply_error(msg, Error{ErrorCode::Unauthorized, "orchestrator secret rejected"});
  }
  me->throttle_.succeeded(address);
}

void TranscoderChannelServer::on_websocket(SoupServer*, SoupServerMessage* msg, const char*,
                                           SoupWebsocketConnection* conn, gpointer self) {
  static_cast<TranscoderChannelServer*>(self)->accepted(msg, conn);
}

void TranscoderChannelServer::accepted(SoupServerMessage* msg, SoupWebsocketConnection* conn) {
  // Frames past libsoup's max-incoming-payload-size (128 KiB) close the channel; messages
  // gathered from fragments past the size guard's cap too.
  size_guard_.watch(conn, request_socket(msg));
  const std::string key = "c" + std::to_string(next_id_++);
  auto h = std::make_unique<Handshake>();
  h->conn = SOUP_WEBSOCKET_CONNECTION(g_object_ref(conn));
  h->address = peer_address(msg);
  std::string host = request_header(msg, "Host");
  if (host.empty()) {
    GUri* uri = soup_server_message_get_uri(msg);
    host = std::string(g_uri_get_host(uri)) + ":" + std::to_string(g_uri_get_port(uri));
  }
  h->base_url = scheme_ + host;
  struct Ctx {
    TranscoderChannelServer* server;
    std::string key;
  };
  // The handlers' data lives as long as the handshake (it disconnects them).
  auto on_message = +[](SoupWebsocketConnection*, gint, GBytes* message, gpointer data) {
    auto* ctx = static_cast<Ctx*>(data);
    gsize size = 0;
    const char* text = static_cast<const char*>(g_bytes_get_data(message, &size));
    ctx->server->hello(ctx->key, std::string(text ? text : "", size));
  };
  auto on_closed = +[](SoupWebsocketConnection*, gpointer data) {
    auto* ctx = static_cast<Ctx*>(data);
    ctx->server->drop_handshake(ctx->key, "");
  };
  auto free_ctx = +[](gpointer data, GClosure*) { delete static_cast<Ctx*>(data); };
  h->message_handler =
      g_signal_connect_data(conn, "message", G_CALLBACK(on_message), new Ctx{this, key}, free_ctx, GConnectFlags{});
  h->close_handler =
      g_signal_connect_data(conn, "closed", G_CALLBACK(on_closed), new Ctx{this, key}, free_ctx, GConnectFlags{});
  h->timeout = add_timeout_once(std::chrono::seconds(5), [this, key] {
    handshakes_.at(key)->timeout = 0;
    drop_handshake(key, "no hello within 5 s");
  });
  handshakes_[key] = std::move(h);
}

void TranscoderChannelServer::drop_handshake(const std::string& key, const std::string& why) {
  auto it = handshakes_.find(key);
  if (it == handshakes_.end()) return;
  std::unique_ptr<Handshake> h = std::move(it->second);
  handshakes_.erase(it);
  if (!why.empty()) {
    g_message("transcoder at %s dropped: %s", h->address.c_str(), why.c_str());
    if (soup_websocket_connection_get_state(h->conn) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(h->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, why.c_str());
  }
}

void TranscoderChannelServer::hello(const std::string& key, const std::string& text) {
  auto parsed = wire::parse_channel_message(text);
  const wire::Hello* hello = parsed ? std::get_if<wire::Hello>(&*parsed) : nullptr;
  if (hello == nullptr || hello->capacity < 1) {
    return drop_handshake(key, parsed ? (hello ? "hello with capacity < 1" : "first message must be hello")
                                      : "bad hello: " + parsed.error().message);
  }
  auto& h = *handshakes_.at(key);
  const std::string id = "t-" + std::to_string(next_transcoder_++);
  auto transcoder = std::make_shared<RemoteTranscoder>(id, h.address, h.conn, *hello, h.base_url, media_, settings_);
  drop_handshake(key, "");  // the transcoder holds the connection now
  transcoder->send(wire::to_json(wire::Welcome{id, settings_.heartbeat.count()}));
  transcoder->on_closed([this, id](const std::string& why) {
    g_message("transcoder %s gone: %s", id.c_str(), why.c_str());
    auto keep = transcoders_[id];  // alive until this callback returns
    transcoders_.erase(id);
    dispatcher_.remove_worker(id, why);
  });
  g_message("transcoder %s registered from %s: capacity %d, version %s", id.c_str(), transcoder->address().c_str(),
            hello->capacity, hello->version.c_str());
  transcoders_[id] = transcoder;
  dispatcher_.add_worker(transcoder);
}

}  // namespace lp
