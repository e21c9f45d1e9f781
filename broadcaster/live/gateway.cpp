#include "gateway.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <filesystem>
#include <map>

#include "hls_writer.h"
#include "http/connection_guard.h"
#include "http/http_listen.h"
#include "http/http_reply.h"
#include "live_stream.h"
#include "main_context.h"
#include "owned.h"
#include "rtmp_server.h"

namespace lp {
namespace {

// RTMP's FLV bytes are held back until the first video frame: by then a stream with audio
// has sent its audio config, so the segmenter knows whether to wait for audio.
constexpr size_t kMaxHeldTags = 256;
// Ended streams kept for their playlists (no threads, only files), at most this many times
// max_streams: past it the oldest go early, so that short publishes cannot pile up.
constexpr size_t kKeptPerStream = 4;

using HeldBytes = Owned<GBytes, g_bytes_unref>;

using MessageRef = Owned<SoupServerMessage, g_object_unref>;

std::string seconds_text(std::chrono::milliseconds ms) {
  char text[32];
  g_snprintf(text, sizeof text, "%g s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

// Heap freed by the threads of ended streams stays in their malloc arenas until trimmed.
void return_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

bool valid_key(const std::string& key) { return !key.empty() && key.size() <= 128 && file_safe_name(key) == key; }

const char* content_type_of(const std::string& path) {
  if (path.ends_with(".m3u8")) return "application/vnd.apple.mpegurl";
  if (path.ends_with(".ts")) return "video/mp2t";
  if (path.ends_with(".m4s")) return "video/iso.segment";
  if (path.ends_with(".mp4")) return "video/mp4";
  return "application/octet-stream";
}

void reply(SoupServerMessage* msg, int status, const std::string& text) {
  reply_text(msg, status, "text/plain; charset=utf-8", text);
}

}  // namespace

struct Gateway::Impl {
  struct Stream {
    std::unique_ptr<LiveStream> live;  // null while RTMP tags are held back
    std::vector<HeldBytes> held;       // FLV header + tags until the first video frame
    bool audio_seen = false;
    bool rtmp = false;
    uint64_t generation = 0;  // tells this publish from an earlier one on the same key
    gint64 last_input_us = 0;
    gint64 ended_us = 0;  // 0 while live
    MessageRef http;      // the HTTP ingest request feeding it, while it does
  };

  struct Refusal {
    guint http_status;
    std::string message;
  };

  GatewayConfig config;
  ServerPtr http;
  std::unique_ptr<RtmpServer> rtmp;
  std::map<std::string, Stream> streams;
  uint64_t next_generation = 1;
  guint sweep = 0;

  explicit Impl(GatewayConfig c) : config(std::move(c)) {}
  ~Impl() {
    remove_source(sweep);
    for (auto& [key, s] : streams) s.http.reset();
    http.reset();     // first: its ingest requests end their streams as they go
    rtmp.reset();     // ends RTMP publishes
    streams.clear();  // stops the rest
  }

  LiveStreamConfig stream_config(const std::string& key, const std::string& demuxer, std::optional<bool> audio) {
    LiveStreamConfig c;
    c.name = key;
    c.hls_dir = config.hls_dir;
    c.orchestrators = config.orchestrators;
    c.profiles = config.profiles;
    c.client = config.client;
    c.segment_seconds = config.segment_seconds;
    c.window = config.window;
    c.demuxer = demuxer;
    c.has_audio = audio;
    c.max_buffer_bytes = config.stream_buffer_bytes;
    return c;
  }

  // Live, or ended with segments still going through: what holds a pipeline and threads.
  static bool active(const Stream& s) { return s.ended_us == 0 || (s.live && !s.live->stats().finished); }

  size_t active_count() const {
    size_t n = 0;
    for (const auto& [key, s] : streams) n += active(s);
    return n;
  }

  // A new publish on `key`: refused while one is live, or when the gateway is at its limit;
  // an ended one still lingering goes.
  std::optional<Refusal> begin(const std::string& key, bool via_rtmp) {
    if (!valid_key(key)) return Refusal{400, "stream key must be 1-128 of A-Z a-z 0-9 . _ -"};
    auto it = streams.find(key);
    if (it != streams.end()) {
      if (it->second.ended_us == 0) return Refusal{409, "stream " + key + " is already live"};
      drop(key);
    }
    if (const size_t n = active_count(); n >= config.max_streams) {
      g_message("stream %s: refused: %zu streams at once already (the limit)", key.c_str(), n);
      return Refusal{503, "the gateway is at its limit of " + std::to_string(config.max_streams) +
                              " streams at once (--max-streams); try again later"};
    }
    // Ended streams only keep their playlists; past the bound, the oldest of them go now.
    while (streams.size() >= kKeptPerStream * std::max<size_t>(config.max_streams, 1)) {
      const std::string* oldest = nullptr;
      gint64 at = 0;
      for (const auto& [k, s] : streams)
        if (!active(s) && (!oldest || s.ended_us < at)) {
          oldest = &k;
          at = s.ended_us;
        }
      if (!oldest) break;
      drop(std::string(*oldest));
    }
    std::error_code ec;
    std::filesystem::remove_all(config.hls_dir + "/" + key, ec);
    Stream& s = streams[key];
    s.rtmp = via_rtmp;
    s.generation = next_generation++;
    s.last_input_us = g_get_monotonic_time();
    g_message("stream %s: started (%s)", key.c_str(), via_rtmp ? "RTMP" : "HTTP");
    return std::nullopt;
  }

  void finish(const std::string& key, const std::string& why) {
    auto it = streams.find(key);
    if (it == streams.end() || it->second.ended_us != 0) return;
    Stream& s = it->second;
    if (!s.live && !s.held.empty()) start_held(key, s);  // a stream that never showed video still ends cleanly
    if (s.live) s.live->end();
    s.ended_us = g_get_monotonic_time();
    s.http.reset();
    g_message("stream %s: input ended (%s)", key.c_str(), why.c_str());
  }

  // Ends a live stream from our side: its publisher's connection is closed, then the stream
  // ends as if the publisher had stopped (what is in flight finishes, then ENDLIST).
  void close_ingest(const std::string& key, const std::string& why) {
    auto it = streams.find(key);
    if (it == streams.end() || it->second.ended_us != 0) return;
    Stream& s = it->second;
    if (s.rtmp && rtmp) {
      rtmp->disconnect(key, why);  // its on_end finishes the stream
    } else if (s.http) {
      // libsoup then reads the end of the connection mid-body and drops the request.
      if (GSocket* socket = ConnectionGuard::socket_of(s.http.get())) g_socket_shutdown(socket, TRUE, TRUE, nullptr);
    }
    finish(key, why);
  }

  // A stream's input got too far ahead of its segmenter: dropped rather than buffered.
  void overflowed(const std::string& key) {
    close_ingest(key, "more than " + std::to_string(config.stream_buffer_bytes) +
                          " bytes waiting for the segmenter (it cannot keep up)");
  }

  void drop(const std::string& key) {
    auto it = streams.find(key);
    if (it == streams.end()) return;
    // Stopped and joined here, before its folder goes and a new stream of the key may start:
    // a stream still finishing is cancelled mid-call (LiveStream's destructor), so nothing of
    // it can write into the folder afterwards.
    streams.erase(it);
    std::error_code ec;
    std::filesystem::remove_all(config.hls_dir + "/" + key, ec);
    g_message("stream %s: cleaned up", key.c_str());
  }

  // False when the stream refused the bytes (see overflowed()).
  bool start_held(const std::string& key, Stream& s) {
    GBytes* header = s.held.front().get();
    gsize n = 0;
    const auto* h = static_cast<const uint8_t*>(g_bytes_get_data(header, &n));
    std::string fixed(reinterpret_cast<const char*>(h), n);
    if (fixed.size() >= 5) fixed[4] = static_cast<char>(s.audio_seen ? 0x05 : 0x01);  // what really comes
    s.live = LiveStream::start(stream_config(key, "flvdemux", s.audio_seen));
    g_autoptr(GBytes) head = g_bytes_new(fixed.data(), fixed.size());
    bool ok = s.live->push(head);
    for (size_t i = 1; i < s.held.size() && ok; ++i) ok = s.live->push(s.held[i].get());
    s.held.clear();
    return ok;
  }

  void on_flv(const std::string& key, GBytes* flv) {
    auto it = streams.find(key);
    if (it == streams.end()) return;
    Stream& s = it->second;
    if (s.ended_us != 0) return;
    s.last_input_us = g_get_monotonic_time();
    if (s.live) {
      if (!s.live->push(flv)) overflowed(key);
      return;
    }
    s.held.emplace_back(g_bytes_ref(flv));
    gsize n = 0;
    const auto* tag = static_cast<const uint8_t*>(g_bytes_get_data(flv, &n));
    if (s.held.size() == 1 || n < 13) return;  // the file header
    const uint8_t type = tag[0] & 0x1f;
    if (type == 8) s.audio_seen = true;
    // A video tag that is not the AVC sequence header (packet type 0) is a frame.
    const bool frame = type == 9 && n > 12 && !((tag[11] & 0x0f) == 7 && tag[12] == 0);
    if ((frame || s.held.size() >= kMaxHeldTags) && !start_held(key, s)) overflowed(key);
  }

  // Every second: ingests silent for the ingest timeout are closed and their streams end;
  // a stream done with its last segment lets its pipeline and threads go; ended ones go
  // after the stream timeout.
  bool housekeeping() {
    const gint64 now = g_get_monotonic_time();
    const gint64 timeout = std::chrono::microseconds(config.stream_timeout).count();
    const auto silence = std::min<std::chrono::milliseconds>(config.ingest_timeout, config.stream_timeout);
    const gint64 stall = std::chrono::microseconds(silence).count();
    std::vector<std::string> silent, gone;
    bool released = false;
    for (auto& [key, s] : streams) {
      if (s.ended_us == 0 && now - s.last_input_us > stall) silent.push_back(key);
      if (s.ended_us != 0 && s.live && s.live->stats().finished) {
        s.live.reset();  // its threads have returned: joined now, not when the stream goes
        released = true;
      }
      if (s.ended_us != 0 && now - s.ended_us > timeout && !s.live) gone.push_back(key);
    }
    for (const auto& key : silent) close_ingest(key, "nothing received for " + seconds_text(silence));
    for (const auto& key : gone) drop(key);
    if (released) return_memory();
    return true;
  }

  void add_http_handlers();
  void serve_hls(SoupServerMessage* msg, const std::string& path);
  void ingest_started(SoupServerMessage* msg, const std::string& key);
};

void Gateway::Impl::serve_hls(SoupServerMessage* msg, const std::string& path) {
  // /hls/<key>/<file> or /hls/<key>/<rendition>/<file>: plain names only, nothing hidden.
  std::vector<std::string> parts;
  for (size_t at = 5; at <= path.size();) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return reply(msg, 404, "no such stream file");
  for (const auto& p : parts)
    if (p.empty() || p[0] == '.' || file_safe_name(p) != p) return reply(msg, 404, "no such stream file");
  std::string file = config.hls_dir;
  for (const auto& p : parts) file += "/" + p;
  gchar* data = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(file.c_str(), &data, &size, nullptr)) return reply(msg, 404, "no such stream file");
  SoupMessageHeaders* h = soup_server_message_get_response_headers(msg);
  soup_message_headers_replace(h, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace(h, "Cache-Control", path.ends_with(".m3u8") ? "no-cache" : "max-age=60");
  soup_server_message_set_status(msg, 200, nullptr);
  soup_server_message_set_response(msg, content_type_of(path), SOUP_MEMORY_TAKE, data, size);
}

// PUT/POST /live/<key>: the body, as it arrives, is the stream (MPEG-TS).
void Gateway::Impl::ingest_started(SoupServerMessage* msg, const std::string& key) {
  if (auto refused = begin(key, false)) {
    if (refused->http_status == 503)
      soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "10");
    return reply(msg, refused->http_status, refused->message + "\n");
  }
  Stream& s = streams[key];
  s.live = LiveStream::start(stream_config(key, "tsdemux", std::nullopt));
  s.http.reset(SOUP_SERVER_MESSAGE(g_object_ref(msg)));
  soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
  struct Ctx {
    Impl* self;
    std::string key;
    uint64_t generation;  // a later publish on the key is not this request's to feed or end
    Stream* current() const {
      auto it = self->streams.find(key);
      return it == self->streams.end() || it->second.generation != generation ? nullptr : &it->second;
    }
  };
  auto on_chunk = +[](SoupServerMessage*, GBytes* chunk, gpointer data) {
    auto* ctx = static_cast<Ctx*>(data);
    Stream* s = ctx->current();
    if (!s || s->ended_us != 0 || !s->live) return;
    s->last_input_us = g_get_monotonic_time();
    if (!s->live->push(chunk)) ctx->self->overflowed(ctx->key);
  };
  auto on_end = +[](SoupServerMessage*, gpointer data) {
    auto* ctx = static_cast<Ctx*>(data);
    if (ctx->current()) ctx->self->finish(ctx->key, "request body ended");
  };
  auto free_ctx = +[](gpointer data, GClosure*) { delete static_cast<Ctx*>(data); };
  g_signal_connect_data(msg, "got-chunk", G_CALLBACK(on_chunk), new Ctx{this, key, s.generation}, free_ctx,
                        GConnectFlags{});
  g_signal_connect_data(msg, "got-body", G_CALLBACK(on_end), new Ctx{this, key, s.generation}, free_ctx,
                        GConnectFlags{});
  g_signal_connect_data(msg, "disconnected", G_CALLBACK(on_end), new Ctx{this, key, s.generation}, free_ctx,
                        GConnectFlags{});
}

void Gateway::Impl::add_http_handlers() {
  SoupServer* s = http.get();
  refuse_unexpected_bodies(s, {"/hls"});
  soup_server_add_early_handler(
      s, "/live",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer self) {
        const std::string method = soup_server_message_get_method(m);
        if (method != "PUT" && method != "POST")
          return reply(m, 405, "PUT or POST the stream's MPEG-TS to /live/<key>\n");
        const std::string p = path;
        static_cast<Impl*>(self)->ingest_started(m, p.size() > 6 ? p.substr(6) : "");
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/live",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer) {
        const std::string method = soup_server_message_get_method(m);
        if (method != "PUT" && method != "POST")
          return reply(m, 405, "PUT or POST the stream's MPEG-TS to /live/<key>\n");
        if (soup_server_message_get_status(m) >= 400) return;  // refused early
        reply(m, 200, std::string("stream ") + (std::string(path).size() > 6 ? path + 6 : "") + " ended\n");
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/hls",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer self) {
        if (std::string_view(soup_server_message_get_method(m)) != "GET") return reply(m, 405, "GET only\n");
        static_cast<Impl*>(self)->serve_hls(m, path);
      },
      this, nullptr);
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() = default;

Result<std::unique_ptr<Gateway>> Gateway::start(GatewayConfig config) {
  if (config.orchestrators.empty()) return Error{ErrorCode::BadRequest, "--gateway needs --orch-addr (one or more)"};
  if (config.hls_dir.empty()) return Error{ErrorCode::BadRequest, "no directory for the live HLS"};
  if (auto e = check_hls_codecs(config.profiles); !e.ok())
    return Error{e.error().code, "--transcoding-options: " + e.error().message};
  if (g_mkdir_with_parents(config.hls_dir.c_str(), 0755) != 0)
    return Error{ErrorCode::Internal, "cannot create " + config.hls_dir};
  auto impl = std::make_unique<Impl>(std::move(config));
  // Every live HTTP ingest is one long request body: room for all of them, and some uploads.
  ListenOptions listen;
  listen.limits = impl->config.http_limits;
  listen.limits.max_bodies = std::max(listen.limits.max_bodies, static_cast<int>(impl->config.max_streams) + 8);
  auto http = listen_http(impl->config.http_addr, "--http-addr", listen);
  if (!http) return http.error();
  impl->http = std::move(*http);
  impl->add_http_handlers();
  if (!impl->config.rtmp_addr.empty()) {
    Impl* me = impl.get();
    RtmpServer::Handlers h;
    h.on_publish = [me](const RtmpPublish& p) -> Result<void> {
      if (auto refused = me->begin(p.stream_key, true)) return Error{ErrorCode::BadRequest, refused->message};
      return {};
    };
    h.on_data = [me](const std::string& key, GBytes* flv) { me->on_flv(key, flv); };
    h.on_end = [me](const std::string& key, const std::string& why) { me->finish(key, why); };
    RtmpServerOptions options;
    // A connection that sends nothing at all goes as soon as a stalled publish would.
    options.idle_timeout = std::max<std::chrono::milliseconds>(impl->config.ingest_timeout, std::chrono::seconds(1));
    auto rtmp = RtmpServer::start(impl->config.rtmp_addr, std::move(h), options);
    if (!rtmp) return rtmp.error();
    impl->rtmp = std::move(*rtmp);
  }
  impl->sweep = add_timeout_repeat(std::chrono::seconds(1), [me = impl.get()] { return me->housekeeping(); });
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

int Gateway::rtmp_port() const { return impl_->rtmp ? impl_->rtmp->port() : 0; }
std::string Gateway::http_address() const { return bound_address(impl_->http.get()); }
size_t Gateway::active_streams() const { return impl_->active_count(); }

}  // namespace lp
