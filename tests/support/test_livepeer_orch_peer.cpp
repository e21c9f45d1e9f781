// The go-livepeer orchestrator stand-in checked with small clients of its own: gRPC and HTTP
// over HTTP/2 (nghttp2 on a GTlsClientConnection) and HTTP/1.1 (libsoup), plus its Go-style
// parsing on its own.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>

#include <cstring>
#include <functional>

#include "livepeer_orch_peer.h"

namespace lp::test {
namespace {

using namespace std::chrono_literals;

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;
struct SessionDel {
  void operator()(nghttp2_session* s) const { nghttp2_session_del(s); }
};

std::string grpc_frame(const std::string& message) {
  const auto n = static_cast<uint32_t>(message.size());
  return std::string{'\0', static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)} +
         message;
}

// A blocking HTTP/2 client on one TLS connection; the test thread drives it with pump().
class H2Client {
 public:
  struct Response {
    std::map<std::string, std::string> headers, trailers;
    std::string data;
    bool closed = false;
  };

  bool connect(int port) {
    GPtr<GSocketClient> client(g_socket_client_new());
    g_autoptr(GError) error = nullptr;
    socket_.reset(
        g_socket_client_connect_to_host(client.get(), "127.0.0.1", static_cast<guint16>(port), nullptr, &error));
    if (!socket_) return false;
    tls_.reset(g_tls_client_connection_new(G_IO_STREAM(socket_.get()), nullptr, &error));
    if (!tls_) return false;
    g_signal_connect(tls_.get(), "accept-certificate",
                     G_CALLBACK(+[](GTlsConnection*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean {
                       return TRUE;  // the peer's certificate is self-signed, as go-livepeer's is
                     }),
                     nullptr);
    const char* const protocols[] = {"h2", nullptr};
    g_tls_connection_set_advertised_protocols(G_TLS_CONNECTION(tls_.get()), protocols);
    if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls_.get()), nullptr, &error)) return false;
    const char* alpn = g_tls_connection_get_negotiated_protocol(G_TLS_CONNECTION(tls_.get()));
    if (!alpn || std::strcmp(alpn, "h2") != 0) return false;

    nghttp2_session_callbacks* cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(
        cbs,
        [](nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen, const uint8_t* value,
           size_t valuelen, uint8_t, void* user) -> int {
          auto& r = static_cast<H2Client*>(user)->responses_[frame->hd.stream_id];
          auto& into = frame->headers.cat == NGHTTP2_HCAT_HEADERS ? r.trailers : r.headers;
          into.emplace(std::string(reinterpret_cast<const char*>(name), namelen),
                       std::string(reinterpret_cast<const char*>(value), valuelen));
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cbs, [](nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* user) -> int {
          static_cast<H2Client*>(user)->responses_[id].data.append(reinterpret_cast<const char*>(data), len);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cbs, [](nghttp2_session*, int32_t id, uint32_t, void* user) -> int {
          static_cast<H2Client*>(user)->responses_[id].closed = true;
          return 0;
        });
    nghttp2_session* session = nullptr;
    nghttp2_session_client_new(&session, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    session_.reset(session);
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
    return flush();
  }

  int32_t request(const std::string& method, const std::string& path, const std::map<std::string, std::string>& headers,
                  const std::string& body) {
    const std::string scheme = "https", authority = "127.0.0.1";
    std::vector<std::pair<std::string, std::string>> all = {
        {":method", method}, {":scheme", scheme}, {":authority", authority}, {":path", path}};
    for (const auto& h : headers) all.push_back(h);
    std::vector<nghttp2_nv> nva;
    for (auto& [n, v] : all)
      nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()), n.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    auto pending = std::make_unique<std::string>(body);
    nghttp2_data_provider provider{};
    provider.source.ptr = pending.get();
    provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                                nghttp2_data_source* source, void*) -> ssize_t {
      auto* rest = static_cast<std::string*>(source->ptr);
      const size_t n = std::min(length, rest->size());
      std::memcpy(buf, rest->data(), n);
      rest->erase(0, n);
      if (rest->empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    };
    const int32_t id = nghttp2_submit_request(session_.get(), nullptr, nva.data(), nva.size(), &provider, nullptr);
    bodies_.push_back(std::move(pending));
    flush();
    return id;
  }

  // Reads and answers until `done` holds, the connection ends, or `timeout` passes.
  bool pump(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto* in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(tls_.get()));
    const int fd = g_socket_get_fd(g_socket_connection_get_socket(socket_.get()));
    char buf[16384];
    while (!done()) {
      if (eof_ || std::chrono::steady_clock::now() > deadline) return false;
      g_autoptr(GError) error = nullptr;
      const gssize n = g_pollable_input_stream_read_nonblocking(in, buf, sizeof buf, nullptr, &error);
      if (n > 0) {
        nghttp2_session_mem_recv(session_.get(), reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(n));
        flush();
      } else if (n == 0 || !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        eof_ = true;
      } else {
        pollfd pfd{fd, POLLIN, 0};
        ::poll(&pfd, 1, 20);
      }
    }
    return true;
  }

  Response& response(int32_t id) { return responses_[id]; }
  bool eof() const { return eof_; }

 private:
  bool flush() {
    GOutputStream* out = g_io_stream_get_output_stream(tls_.get());
    for (;;) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_.get(), &data);
      if (n <= 0) return n == 0;
      if (!g_output_stream_write_all(out, data, static_cast<size_t>(n), nullptr, nullptr, nullptr)) return false;
    }
  }

  GPtr<GSocketConnection> socket_;
  GPtr<GIOStream> tls_;
  std::unique_ptr<nghttp2_session, SessionDel> session_;
  std::map<int32_t, Response> responses_;
  std::vector<std::unique_ptr<std::string>> bodies_;  // request bodies nghttp2 is still reading
  bool eof_ = false;
};

int32_t register_transcoder(H2Client& client, const std::string& secret, int64_t capacity) {
  net::RegisterRequest request;
  request.set_secret(secret);
  request.set_capacity(capacity);
  request.mutable_capabilities()->add_bitstring(0x1fff);
  return client.request("POST", "/net.Transcoder/RegisterTranscoder",
                        {{"content-type", "application/grpc"}, {"te", "trailers"}},
                        grpc_frame(request.SerializeAsString()));
}

constexpr const char* kSecret = "s3cret";
const std::string kBoundary = "b0undary";

std::string two_part_body() {
  return "--" + kBoundary + "\r\nContent-Type: video/mp2t\r\nContent-Length: 5\r\nPixels: 111\r\n\r\nfirst\r\n--" +
         kBoundary + "\r\nContent-Type: video/mp2t\r\nContent-Length: 6\r\nPixels: 222\r\n\r\nsecond\r\n--" +
         kBoundary + "--\r\n";
}

std::map<std::string, std::string> result_headers(const std::string& task, const std::string& content_type,
                                                  const std::string& secret = kSecret) {
  return {{"authorization", "Livepeer-Transcoder-1.0"},
          {"credentials", secret},
          {"taskid", task},
          {"pixels", "333"},
          {"content-type", content_type}};
}

// libsoup 3 negotiates h2 when offered; this binary's soup client is for the peer's HTTP/1.1
// path (H2Client covers h2). Set before main(), while the process has one thread.
[[maybe_unused]] const bool kSoupHttp1 = g_setenv("SOUP_FORCE_HTTP1", "1", TRUE);

// One blocking request through libsoup.
struct SoupAnswer {
  guint status = 0;
  SoupHTTPVersion version = SOUP_HTTP_1_0;
};
SoupAnswer soup_post(const std::string& url, const std::map<std::string, std::string>& headers,
                     const std::string& body) {
  GPtr<SoupSession> session(soup_session_new());
  GPtr<SoupMessage> msg(soup_message_new("POST", url.c_str()));
  g_signal_connect(
      msg.get(), "accept-certificate",
      G_CALLBACK(+[](SoupMessage*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
      nullptr);
  for (const auto& [name, value] : headers)
    if (name != "content-type")
      soup_message_headers_replace(soup_message_get_request_headers(msg.get()), name.c_str(), value.c_str());
  g_autoptr(GBytes) bytes = g_bytes_new(body.data(), body.size());
  auto ct = headers.find("content-type");
  soup_message_set_request_body_from_bytes(msg.get(), ct == headers.end() ? nullptr : ct->second.c_str(), bytes);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) answer = soup_session_send_and_read(session.get(), msg.get(), nullptr, &error);
  return {soup_message_get_status(msg.get()), soup_message_get_http_version(msg.get())};
}

TEST(LivepeerOrchPeer, RegistersStreamsNotificationsAndDrops) {
  auto peer = LivepeerOrchPeer::start(kSecret);
  ASSERT_TRUE(peer);
  peer->serve("/stream/abcd/0.tempfile", "source-bytes");
  H2Client client;
  ASSERT_TRUE(client.connect(peer->port()));
  const int32_t id = register_transcoder(client, kSecret, 3);
  const auto registration = peer->wait_registered(5s);
  ASSERT_TRUE(registration);
  EXPECT_EQ(registration->capacity, 3);
  ASSERT_TRUE(registration->has_capabilities);
  EXPECT_EQ(registration->capabilities.bitstring(0), 0x1fffu);
  EXPECT_EQ(registration->remote_address.rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(peer->open_registrations(), 1);
  // As go-livepeer: no response headers until the first message, and the stream stays open.
  client.pump([] { return false; }, 200ms);
  EXPECT_TRUE(client.response(id).headers.empty());
  EXPECT_FALSE(client.response(id).closed);

  net::NotifySegment notify;
  notify.set_url(peer->url("/stream/abcd/0.tempfile"));
  notify.set_taskid(7);
  notify.set_profiles("invalid");
  ASSERT_TRUE(peer->notify(notify));
  auto& response = client.response(id);
  ASSERT_TRUE(client.pump([&] { return response.data.size() >= 5; }));
  const auto* p = reinterpret_cast<const unsigned char*>(response.data.data());
  const uint32_t n = (uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 8) | p[4];
  ASSERT_TRUE(client.pump([&] { return response.data.size() >= 5 + n; }));
  EXPECT_EQ(p[0], 0);
  net::NotifySegment got;
  ASSERT_TRUE(got.ParseFromString(response.data.substr(5, n)));
  EXPECT_EQ(got.taskid(), 7);
  EXPECT_EQ(got.url(), notify.url());
  EXPECT_EQ(response.headers[":status"], "200");
  EXPECT_EQ(response.headers["content-type"], "application/grpc");

  // The source GET, on the same connection as the T's gRPC stream.
  const int32_t get = client.request("GET", "/stream/abcd/0.tempfile", {}, "");
  ASSERT_TRUE(client.pump([&] { return client.response(get).closed; }));
  EXPECT_EQ(client.response(get).headers[":status"], "200");
  EXPECT_EQ(client.response(get).data, "source-bytes");
  EXPECT_EQ(peer->gets("/stream/abcd/0.tempfile"), 1);

  peer->drop_transcoders();
  ASSERT_TRUE(client.pump([&] { return response.closed; }));
  EXPECT_EQ(response.trailers["grpc-status"], "14");
  EXPECT_EQ(response.trailers["grpc-message"], "orchestrator going away");
  EXPECT_EQ(peer->open_registrations(), 0);
  EXPECT_FALSE(peer->notify(notify));
  client.pump([] { return false; }, 2s);
  EXPECT_TRUE(client.eof());  // the connection is closed too
  EXPECT_EQ(peer->registrations(), 1);
}

TEST(LivepeerOrchPeer, RefusesWrongSecretAndZeroCapacity) {
  auto peer = LivepeerOrchPeer::start(kSecret);
  ASSERT_TRUE(peer);
  H2Client client;
  ASSERT_TRUE(client.connect(peer->port()));
  const int32_t wrong = register_transcoder(client, "nope", 3);
  const int32_t zero = register_transcoder(client, kSecret, 0);
  ASSERT_TRUE(client.pump([&] { return client.response(wrong).closed && client.response(zero).closed; }));
  // grpc-go's ServeHTTP transport: headers first, the status in trailers.
  EXPECT_EQ(client.response(wrong).headers[":status"], "200");
  EXPECT_EQ(client.response(wrong).headers.count("grpc-status"), 0u);
  EXPECT_EQ(client.response(wrong).trailers["grpc-status"], "2");
  EXPECT_EQ(client.response(wrong).trailers["grpc-message"], "invalid secret");
  EXPECT_EQ(client.response(zero).trailers["grpc-status"], "2");
  EXPECT_EQ(client.response(zero).trailers["grpc-message"], "zero capacity");

  peer->set_trailers_only_errors(true);
  const int32_t only = register_transcoder(client, "nope", 3);
  ASSERT_TRUE(client.pump([&] { return client.response(only).closed; }));
  EXPECT_EQ(client.response(only).headers["grpc-status"], "2");
  EXPECT_EQ(client.response(only).headers["grpc-message"], "invalid secret");
  EXPECT_TRUE(client.response(only).trailers.empty());
  EXPECT_EQ(peer->refused_registrations(), 3);
  EXPECT_EQ(peer->registrations(), 0);
}

TEST(LivepeerOrchPeer, RecordsResultsOverHttp1) {
  auto peer = LivepeerOrchPeer::start(kSecret);
  ASSERT_TRUE(peer);
  const std::string url = peer->url("/transcodeResults");
  const auto ok = soup_post(url, result_headers("5", "multipart/mixed; boundary=" + kBoundary), two_part_body());
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.version, SOUP_HTTP_1_1);
  const auto result = peer->wait_result(5, 5s);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->http_version, "http/1.1");
  EXPECT_EQ(result->status_sent, 200);
  EXPECT_TRUE(result->delivered);
  EXPECT_EQ(result->pixels, 333);
  ASSERT_EQ(result->parts.size(), 2u);
  EXPECT_EQ(result->parts[0].bytes, "first");
  EXPECT_EQ(result->parts[0].pixels, 111);
  EXPECT_EQ(result->parts[0].content_type, "video/mp2t");
  EXPECT_EQ(result->parts[1].bytes, "second");
  EXPECT_EQ(result->parts[1].pixels, 222);
  EXPECT_EQ(result->parts[1].headers.at("content-length"), "6");

  EXPECT_EQ(soup_post(url, result_headers("6", "multipart/mixed; boundary=x", "wrong"), "").status, 401u);
  EXPECT_EQ(peer->unauthorized(), 1);
  EXPECT_EQ(soup_post(url, result_headers("six", "multipart/mixed; boundary=x"), "").status, 400u);
  EXPECT_EQ(soup_post(url, result_headers("8", "livepeer/transcoding-error"), "decoder exploded").status, 200u);
  const auto error = peer->wait_result(8, 5s);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error, "decoder exploded");
  EXPECT_TRUE(error->delivered);
  EXPECT_EQ(peer->results().size(), 4u);
}

TEST(LivepeerOrchPeer, RecordsResultsOverH2) {
  auto peer = LivepeerOrchPeer::start(kSecret);
  ASSERT_TRUE(peer);
  H2Client client;
  ASSERT_TRUE(client.connect(peer->port()));
  // A rendition and its pHash, as a T with calc_perceptual_hash sends them.
  const std::string body = "--" + kBoundary + "\r\nContent-Type: video/mp4\r\nPixels: 9\r\n\r\nrendition\r\n--" +
                           kBoundary + "\r\nContent-Type: application/octet-stream\r\n\r\nphash\r\n--" + kBoundary +
                           "--";
  const int32_t id =
      client.request("POST", "/transcodeResults", result_headers("11", "multipart/mixed; boundary=" + kBoundary), body);
  ASSERT_TRUE(client.pump([&] { return client.response(id).closed; }));
  EXPECT_EQ(client.response(id).headers[":status"], "200");
  EXPECT_EQ(client.response(id).data, "OK");
  const auto result = peer->wait_result(11, 1s);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->http_version, "h2");
  ASSERT_EQ(result->parts.size(), 2u);
  EXPECT_EQ(result->parts[1].pixels, -1);
  EXPECT_EQ(result->parts[1].bytes, "phash");
  const int32_t missing = client.request("GET", "/nothing", {}, "");
  ASSERT_TRUE(client.pump([&] { return client.response(missing).closed; }));
  EXPECT_EQ(client.response(missing).headers[":status"], "404");
}

TEST(LivepeerOrchPeer, RestartsOnTheSamePort) {
  auto peer = LivepeerOrchPeer::start(kSecret);
  ASSERT_TRUE(peer);
  const int port = peer->port();
  H2Client first;
  ASSERT_TRUE(first.connect(port));
  register_transcoder(first, kSecret, 1);
  ASSERT_TRUE(peer->wait_registered(5s));
  peer.reset();
  first.pump([] { return false; }, 2s);
  EXPECT_TRUE(first.eof());
  peer = LivepeerOrchPeer::start(kSecret, port);
  ASSERT_TRUE(peer);
  H2Client second;
  ASSERT_TRUE(second.connect(port));
  register_transcoder(second, kSecret, 2);
  const auto registration = peer->wait_registered(5s);
  ASSERT_TRUE(registration);
  EXPECT_EQ(registration->capacity, 2);
}

PeerResult post(const std::string& content_type, const std::string& body, const std::string& task = "1",
                const std::string& pixels = "10") {
  PeerHttpRequest request{"POST", "/transcodeResults", result_headers(task, content_type), body, "h2"};
  request.headers["pixels"] = pixels;
  return handle_transcode_results(request, kSecret);
}

TEST(LivepeerOrchPeerParsing, FollowsGoLivepeer) {
  const std::string mixed = "multipart/mixed; boundary=" + kBoundary;
  EXPECT_EQ(post(mixed, two_part_body()).status_sent, 200);
  EXPECT_EQ(post("", "").status_sent, 415);
  EXPECT_EQ(post("multipart/mixed; boundary", "").status_sent, 415);
  EXPECT_EQ(post("multipart/mixed; boundary=\"" + kBoundary + "\"", two_part_body()).parts.size(), 2u);
  EXPECT_EQ(post(mixed, two_part_body(), "").status_sent, 400);
  EXPECT_EQ(post(mixed, two_part_body(), "1", "x").response_body, "Invalid Pixels\n");
  // Errors are taken before Pixels is looked at.
  EXPECT_EQ(post("livepeer/transcoding-error", "boom", "1", "x").status_sent, 200);
  // Other types: 200 "OK", and nothing reaches the orchestrator.
  const auto other = post("video/mp2t", "x");
  EXPECT_EQ(other.status_sent, 200);
  EXPECT_FALSE(other.delivered);
  // Multipart failures: 500 and an error result.
  const std::string cut = two_part_body().substr(0, two_part_body().size() - 8);
  EXPECT_EQ(post(mixed, cut).status_sent, 500);
  EXPECT_EQ(post(mixed, "").status_sent, 500);
  EXPECT_EQ(post("multipart/mixed", two_part_body()).error, "multipart: boundary is empty");
  const auto phash_first = post(
      mixed, "--" + kBoundary + "\r\nContent-Type: application/octet-stream\r\n\r\nh\r\n--" + kBoundary + "--\r\n");
  EXPECT_EQ(phash_first.status_sent, 500);
  EXPECT_EQ(phash_first.error, "Unknown perceptual hash");
  EXPECT_EQ(post(mixed, "--" + kBoundary + "\r\nPixels: x\r\n\r\nh\r\n--" + kBoundary + "--").status_sent, 500);
  // Bare "\n" line endings are taken, as Go takes them; a part without Pixels is skipped.
  const auto lf = post(mixed, "preamble\n--" + kBoundary + "\nPixels: 4\n\nab\n--" + kBoundary +
                                  "\nContent-Type: text/plain\n\nzz\n--" + kBoundary + "--\n");
  EXPECT_EQ(lf.status_sent, 200);
  ASSERT_EQ(lf.parts.size(), 2u);
  EXPECT_EQ(lf.parts[0].bytes, "ab");

  EXPECT_EQ(parse_go_int64("+12"), 12);
  EXPECT_EQ(parse_go_int64("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(parse_go_int64("9223372036854775808"));
  EXPECT_FALSE(parse_go_int64(" 1"));
  EXPECT_FALSE(parse_go_int64(""));
  const auto media = parse_media_type("Multipart/Mixed ; Boundary=\"a b\";");
  ASSERT_TRUE(media);
  EXPECT_EQ(media->first, "multipart/mixed");
  EXPECT_EQ(media->second.at("boundary"), "a b");
  EXPECT_FALSE(parse_media_type("a/b; x=1; x=2"));
  EXPECT_TRUE(parse_media_type("text"));  // Go takes a type without a subtype
}

}  // namespace
}  // namespace lp::test
