// The HTTP/2 side of a TLS port (h2_port.h) on loopback: a real listener with ALPN, the
// connection guard, a SoupServer behind the HTTP/1.1 bridge, and gRPC methods; clients are
// lpgst's own HTTP/2 client and libsoup (which picks h2 when offered, or HTTP/1.1 if forced).
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <dirent.h>

#include <future>
#include <thread>

#include "http/http_listen.h"
#include "http/tls_identity.h"
#include "http2/grpc_messages.h"
#include "http2/h2_connection.h"
#include "http2/h2_port.h"
#include "main_context.h"

namespace lp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int open_fds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

// Runs `fn` on the default main context (the server's thread) and waits for it.
template <typename F>
auto on_server(F fn) {
  std::promise<decltype(fn())> done;
  auto result = done.get_future();
  invoke_on(g_main_context_default(), [&] { done.set_value(fn()); });
  return result.get();
}

class H2Port : public testing::Test {
 protected:
  void SetUp() override {
    g_autofree char* dir = g_dir_make_tmp("h2port-XXXXXX", nullptr);
    dir_ = dir;
    auto identity = TlsIdentity::load_or_create(dir_);
    ASSERT_TRUE(identity) << identity.error().message;
    identity_ = *identity;
    loop_ = g_main_loop_new(nullptr, FALSE);
    thread_ = std::thread([this] { g_main_loop_run(loop_); });
    const bool ok = on_server([this] {
      port_ = std::make_unique<h2::Port>(h2::ServerLimits{.max_concurrent_streams = 100,
                                                          .max_header_bytes = 16 << 10,
                                                          .idle_timeout = 30s,
                                                          .preface_timeout = 2s,
                                                          .stall_timeout = 1500ms,
                                                          .keepalive = 2s});
      ListenOptions options;
      options.tls = identity_->certificate();
      // Short enough for tests; each HTTP/2 request is held to them through the bridge.
      options.limits.header_timeout = 1500ms;
      options.limits.stall_timeout = 1500ms;
      options.limits.max_bodies = 2;
      options.h2 = port_->acceptor();
      auto server = listen_http("127.0.0.1:0", "--test", options);
      if (!server) return false;
      server_ = std::move(*server);
      port_->serve_http_with(server_.get());
      add_handlers();
      return true;
    });
    ASSERT_TRUE(ok);
    const std::string bound = on_server([this] { return bound_address(server_.get()); });
    port_number_ = static_cast<uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
  }

  void TearDown() override {
    tls_.reset();
    if (tcp_) g_object_unref(tcp_);
    on_server([this] {
      port_.reset();
      server_.reset();
      return true;
    });
    g_main_loop_quit(loop_);
    thread_.join();
    g_main_loop_unref(loop_);
    g_autofree char* cmd = g_strdup_printf("rm -rf '%s'", dir_.c_str());
    [[maybe_unused]] int rc = system(cmd);
  }

  void add_handlers() {
    // /echo answers the request body with its content type.
    soup_server_add_handler(
        server_.get(), "/echo",
        +[](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
          SoupMessageBody* body = soup_server_message_get_request_body(msg);
          g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
          soup_server_message_set_status(msg, 200, nullptr);
          soup_server_message_set_response(msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                           static_cast<const char*>(g_bytes_get_data(bytes, nullptr)),
                                           g_bytes_get_size(bytes));
        },
        nullptr, nullptr);
    // /chunked answers three chunks, 50 ms apart, with chunked encoding.
    soup_server_add_handler(
        server_.get(), "/chunked",
        +[](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
          soup_server_message_set_status(msg, 200, nullptr);
          soup_message_headers_set_encoding(soup_server_message_get_response_headers(msg), SOUP_ENCODING_CHUNKED);
          soup_server_message_pause(msg);
          g_object_ref(msg);
          auto count = std::make_shared<int>(0);
          add_timeout_repeat(50ms, [msg, count] {
            SoupMessageBody* body = soup_server_message_get_response_body(msg);
            if (++*count <= 3) {
              const std::string part = "part" + std::to_string(*count) + ";";
              soup_message_body_append(body, SOUP_MEMORY_COPY, part.data(), part.size());
              soup_server_message_unpause(msg);
              return true;
            }
            soup_message_body_complete(body);
            soup_server_message_unpause(msg);
            g_object_unref(msg);
            return false;
          });
        },
        nullptr, nullptr);
    // /slow answers "late" after 5 s (more than twice the fixture's 2 s keepalive).
    soup_server_add_handler(
        server_.get(), "/slow",
        +[](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
          soup_server_message_pause(msg);
          g_object_ref(msg);
          add_timeout_once(5000ms, [msg] {
            soup_server_message_set_status(msg, 200, nullptr);
            soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_STATIC, "late", 4);
            soup_server_message_unpause(msg);
            g_object_unref(msg);
          });
        },
        nullptr, nullptr);
    // gRPC: /test.Echo/Say answers its message reversed; /test.Echo/Count streams three.
    port_->services().add("/test.Echo/Say", [](std::string request, const grpc::ServerCall& call) {
      call.reply(std::string(request.rbegin(), request.rend()));
    });
    // /test.Echo/Hold never answers (a registration's stream).
    port_->services().add("/test.Echo/Hold", [](std::string, const grpc::ServerCall&) {});
    port_->services().add("/test.Echo/Count", [](std::string request, const grpc::ServerCall& call) {
      auto n = std::make_shared<int>(0);
      add_timeout_repeat(20ms, [call, request, n] {
        if (!call.alive()) return false;
        if (++*n <= 3) {
          call.send(request + std::to_string(*n));
          return true;
        }
        call.finish(grpc::kOk);
        return false;
      });
    });
  }

  std::unique_ptr<h2::Connection> connect() {
    h2::ConnectOptions options;
    options.host = "127.0.0.1";
    options.port = port_number_;
    options.cert_pin = identity_->sha256();
    auto c = h2::Connection::connect(options, nullptr);
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }

  struct Answer {
    h2::Headers headers, trailers;
    std::string body;
    uint32_t close_code = 0xffffffff;
  };
  Answer call(h2::Connection& c, const h2::Headers& headers, std::string body) {
    Answer a;
    h2::StreamEvents events;
    events.on_headers = [&a](const h2::Headers& h, bool trailers) { (trailers ? a.trailers : a.headers) = h; };
    events.on_data = [&a](std::string_view d) { a.body.append(d); };
    events.on_close = [&a](uint32_t code) { a.close_code = code; };
    auto id = c.submit(headers, std::move(body), std::move(events));
    EXPECT_TRUE(id);
    if (!id) return a;
    auto e = c.finish(*id, Clock::now() + 10s, nullptr);
    EXPECT_TRUE(e.ok()) << e.error().message;
    return a;
  }

  // A TLS connection offering `protocol` (ALPN), handshake done; the certificate is accepted.
  GIOStream* tls_connect(const char* protocol) {
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GError) error = nullptr;
    tcp_ = g_socket_client_connect_to_host(client, "127.0.0.1", port_number_, nullptr, &error);
    EXPECT_TRUE(tcp_) << error->message;
    if (!tcp_) return nullptr;
    GIOStream* tls = g_tls_client_connection_new(G_IO_STREAM(tcp_), nullptr, &error);
    EXPECT_TRUE(tls) << error->message;
    if (!tls) return nullptr;
    tls_.reset(tls);
    const gchar* protocols[] = {protocol, nullptr};
    g_tls_connection_set_advertised_protocols(G_TLS_CONNECTION(tls), protocols);
    g_signal_connect(
        tls, "accept-certificate",
        G_CALLBACK(+[](GTlsConnection*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
        nullptr);
    EXPECT_TRUE(g_tls_connection_handshake(G_TLS_CONNECTION(tls), nullptr, &error)) << error->message;
    return tls;
  }

  std::vector<std::string> grpc_messages(const std::string& body) {
    std::vector<std::string> out;
    grpc::MessageReader reader;
    EXPECT_TRUE(reader.feed(body, [&](std::string&& m) { out.push_back(std::move(m)); }).ok());
    return out;
  }

  struct Unref {
    void operator()(gpointer p) const { g_object_unref(p); }
  };
  GSocketConnection* tcp_ = nullptr;  // leaked on purpose only if a test fails mid-way
  std::unique_ptr<GIOStream, Unref> tls_;
  std::string dir_;
  std::shared_ptr<TlsIdentity> identity_;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
  ServerPtr server_;
  std::unique_ptr<h2::Port> port_;
  uint16_t port_number_ = 0;
};

TEST_F(H2Port, GrpcUnaryCallAndErrors) {
  auto c = connect();
  ASSERT_TRUE(c);
  Answer a = call(*c, grpc::request_headers("/test.Echo/Say"), grpc::frame("hello"));
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "200");
  EXPECT_EQ(h2::header_value(a.headers, "content-type"), "application/grpc");
  EXPECT_EQ(grpc_messages(a.body), std::vector<std::string>{"olleh"});
  EXPECT_EQ(h2::header_value(a.trailers, "grpc-status"), "0");

  a = call(*c, grpc::request_headers("/test.Echo/Nope"), grpc::frame("x"));
  auto status = grpc::status_from(a.headers);  // trailers-only
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, grpc::kUnimplemented);
  EXPECT_NE(status->message.find("unknown method /test.Echo/Nope"), std::string::npos) << status->message;

  a = call(*c, grpc::request_headers("/test.Echo/Say"), grpc::frame("a") + grpc::frame("b"));
  status = grpc::status_from(a.headers);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, grpc::kInternal);
  EXPECT_EQ(status->message, "more than one request message");

  std::string compressed = grpc::frame("abc");
  compressed[0] = 1;
  a = call(*c, grpc::request_headers("/test.Echo/Say"), compressed);
  status = grpc::status_from(a.headers);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, grpc::kResourceExhausted);
  EXPECT_NE(status->message.find("compressed"), std::string::npos) << status->message;
}

// A gRPC request that keeps sending messages is refused at the second one (nothing piles up),
// and one that never ends is reset after the stall timeout.
TEST_F(H2Port, GrpcRequestsThatDoNotEndAreCutOff) {
  auto c = connect();
  ASSERT_TRUE(c);
  Answer a;
  h2::StreamEvents events;
  events.on_headers = [&a](const h2::Headers& h, bool trailers) { (trailers ? a.trailers : a.headers) = h; };
  events.on_close = [&a](uint32_t code) { a.close_code = code; };
  auto id = c->submit(grpc::request_headers("/test.Echo/Say"), grpc::frame("a") + grpc::frame("b"), std::move(events),
                      /*end_stream=*/false);
  ASSERT_TRUE(id);
  const auto t0 = Clock::now();
  EXPECT_TRUE(c->finish(*id, Clock::now() + 10s, nullptr).ok());
  auto status = grpc::status_from(a.headers);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "more than one request message");
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 1.0);

  Answer b;
  h2::StreamEvents held;
  held.on_close = [&b](uint32_t code) { b.close_code = code; };
  id = c->submit(grpc::request_headers("/test.Echo/Say"), grpc::frame("a"), std::move(held), /*end_stream=*/false);
  ASSERT_TRUE(id);
  const auto t1 = Clock::now();
  EXPECT_TRUE(c->finish(*id, Clock::now() + 10s, nullptr).ok());
  const double waited = std::chrono::duration<double>(Clock::now() - t1).count();
  EXPECT_EQ(b.close_code, static_cast<uint32_t>(NGHTTP2_CANCEL));
  EXPECT_GT(waited, 1.0);
  EXPECT_LT(waited, 5.0);
}

TEST_F(H2Port, GrpcServerStreamingCall) {
  auto c = connect();
  ASSERT_TRUE(c);
  Answer a = call(*c, grpc::request_headers("/test.Echo/Count"), grpc::frame("n"));
  EXPECT_EQ(grpc_messages(a.body), (std::vector<std::string>{"n1", "n2", "n3"}));
  EXPECT_EQ(h2::header_value(a.trailers, "grpc-status"), "0");
}

TEST_F(H2Port, LongStreamsOfASilentPeerArePingedThenClosed) {
  // A peer that keeps answering (its PING ACKs) keeps its stream past twice the keepalive.
  auto alive = connect();
  ASSERT_TRUE(alive);
  bool alive_closed = false;
  h2::StreamEvents events;
  events.on_close = [&alive_closed](uint32_t) { alive_closed = true; };
  ASSERT_TRUE(alive->submit(grpc::request_headers("/test.Echo/Hold"), grpc::frame("x"), std::move(events)));
  const auto until = Clock::now() + 5000ms;
  while (Clock::now() < until) EXPECT_TRUE(alive->pump(100ms, nullptr).ok());
  EXPECT_FALSE(alive_closed);
  EXPECT_EQ(on_server([this] { return port_->sessions(); }), 1u);
  // One that stops reading (a machine gone without a FIN) is closed after the unanswered PING.
  auto silent = connect();
  ASSERT_TRUE(silent);
  ASSERT_TRUE(silent->submit(grpc::request_headers("/test.Echo/Hold"), grpc::frame("y"), {}));
  EXPECT_TRUE(silent->pump(100ms, nullptr).ok());  // the request goes out; then nothing is read
  alive.reset();
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline && on_server([this] { return port_->sessions(); }) > 0)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(on_server([this] { return port_->sessions(); }), 0u);
}

TEST_F(H2Port, HttpRequestsOverH2ReachTheSoupHandlers) {
  auto c = connect();
  ASSERT_TRUE(c);
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 12));
  Answer a = call(*c, {{":method", "POST"}, {":path", "/echo"}, {"content-length", std::to_string(big.size())}}, big);
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "200");
  EXPECT_EQ(h2::header_value(a.headers, "content-type"), "application/octet-stream");
  EXPECT_TRUE(a.body == big) << "echoed " << a.body.size() << " of " << big.size() << " bytes";
  // No content-length: the bridge sends the body chunked.
  a = call(*c, {{":method", "POST"}, {":path", "/echo"}}, "no length given");
  EXPECT_EQ(a.body, "no length given");
  a = call(*c, {{":method", "GET"}, {":path", "/chunked"}}, "");
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "200");
  EXPECT_EQ(a.body, "part1;part2;part3;");
  a = call(*c, {{":method", "GET"}, {":path", "/missing"}}, "");
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "404");
  EXPECT_EQ(a.close_code, 0u);
}

TEST_F(H2Port, LibsoupGetsH2AndHttp11StillWorksOnTheSamePort) {
  const std::string url = "https://127.0.0.1:" + std::to_string(port_number_) + "/echo";
  g_autoptr(SoupSession) session = soup_session_new();
  g_autoptr(SoupMessage) msg = soup_message_new("POST", url.c_str());
  g_signal_connect(
      msg, "accept-certificate",
      G_CALLBACK(+[](SoupMessage*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
      nullptr);
  g_autoptr(GBytes) body = g_bytes_new_static("ping", 4);
  soup_message_set_request_body_from_bytes(msg, "text/plain", body);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) answer = soup_session_send_and_read(session, msg, nullptr, &error);
  ASSERT_TRUE(answer) << error->message;
  EXPECT_EQ(soup_message_get_status(msg), 200u);
  EXPECT_EQ(std::string(static_cast<const char*>(g_bytes_get_data(answer, nullptr)), g_bytes_get_size(answer)), "ping");
  EXPECT_EQ(soup_message_get_http_version(msg), SOUP_HTTP_2_0);

  // A long wait for an answer: libsoup's client answers the keepalive PINGs meanwhile.
  g_autoptr(SoupMessage) slow =
      soup_message_new("GET", ("https://127.0.0.1:" + std::to_string(port_number_) + "/slow").c_str());
  g_signal_connect(
      slow, "accept-certificate",
      G_CALLBACK(+[](SoupMessage*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
      nullptr);
  g_autoptr(GBytes) late = soup_session_send_and_read(session, slow, nullptr, &error);
  ASSERT_TRUE(late) << error->message;
  EXPECT_EQ(soup_message_get_status(slow), 200u);
  EXPECT_EQ(g_bytes_get_size(late), 4u);

  // A client that offers only http/1.1 is served by libsoup directly.
  GIOStream* tls = tls_connect("http/1.1");
  ASSERT_TRUE(tls);
  EXPECT_STREQ(g_tls_connection_get_negotiated_protocol(G_TLS_CONNECTION(tls)), "http/1.1");
  const std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\npong";
  ASSERT_TRUE(g_output_stream_write_all(g_io_stream_get_output_stream(tls), request.data(), request.size(), nullptr,
                                        nullptr, &error));
  std::string reply;
  char buffer[4096];
  gssize n = 0;
  while ((n = g_input_stream_read(g_io_stream_get_input_stream(tls), buffer, sizeof buffer, nullptr, nullptr)) > 0)
    reply.append(buffer, static_cast<size_t>(n));
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
  EXPECT_TRUE(reply.ends_with("\r\n\r\npong")) << reply;
}

// Connections their clients close are closed and freed: sessions, guard records, fds.
TEST_F(H2Port, ClientClosedConnectionsLeaveNothingBehind) {
  {
    auto warm = connect();  // first-use allocations (TLS backend, thread pools) before counting
    ASSERT_TRUE(warm);
    call(*warm, grpc::request_headers("/test.Echo/Say"), grpc::frame("x"));
  }
  std::this_thread::sleep_for(300ms);
  const int fds_before = open_fds();
  for (int i = 0; i < 100; ++i) {
    auto c = connect();
    ASSERT_TRUE(c);
    Answer a = call(*c, {{":method", "GET"}, {":path", "/missing"}}, "");
    ASSERT_EQ(h2::header_value(a.headers, ":status"), "404");
  }
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline && (on_server([this] { return port_->sessions(); }) != 0 ||
                                     on_server([this] { return open_connections(server_.get()); }) != 0))
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(on_server([this] { return port_->sessions(); }), 0u);
  EXPECT_EQ(on_server([this] { return open_connections(server_.get()); }), 0);
  EXPECT_LE(open_fds(), fds_before + 4);
}

TEST_F(H2Port, OversizeHeaderBlockResetsOnlyItsStream) {
  auto c = connect();
  ASSERT_TRUE(c);
  Answer a = call(*c, {{":method", "GET"}, {":path", "/missing"}, {"x-big", std::string(20000, 'a')}}, "");
  EXPECT_TRUE(a.headers.empty());
  EXPECT_NE(a.close_code, 0u);
  a = call(*c, {{":method", "GET"}, {":path", "/missing"}}, "");
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "404");
}

// A request body that stops coming: the listener's stall timeout ends the stream, as it
// would end an HTTP/1.1 connection; the connection serves on.
TEST_F(H2Port, StalledRequestBodyIsEndedByTheListenersTimeout) {
  auto c = connect();
  ASSERT_TRUE(c);
  uint32_t code = 0xffffffff;
  h2::Headers headers;
  h2::StreamEvents events;
  events.on_headers = [&](const h2::Headers& h, bool) { headers = h; };
  events.on_close = [&](uint32_t e) { code = e; };
  const auto t0 = Clock::now();
  auto id = c->submit({{":method", "POST"}, {":path", "/echo"}, {"content-length", "100000"}}, std::string(10, 'x'),
                      std::move(events), /*end_stream=*/false);
  ASSERT_TRUE(id);
  EXPECT_TRUE(c->finish(*id, Clock::now() + 10s, nullptr).ok());
  const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_TRUE(code != 0 || h2::header_value(headers, ":status") != "200") << "stream ended normally";
  EXPECT_GT(waited, 1.0);
  EXPECT_LT(waited, 6.0);
  Answer a = call(*c, {{":method", "GET"}, {":path", "/missing"}}, "");
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "404");
}

// Bodies being received at once are bounded on HTTP/2 as on HTTP/1.1 (max_bodies = 2 here):
// a third one is refused with 503 before any of it is read.
TEST_F(H2Port, BodiesReceivedAtOnceAreBounded) {
  auto c = connect();
  ASSERT_TRUE(c);
  std::vector<int32_t> held;
  for (int i = 0; i < 2; ++i) {
    auto id = c->submit({{":method", "POST"}, {":path", "/echo"}, {"content-length", "100000"}}, std::string(10, 'x'),
                        h2::StreamEvents{}, /*end_stream=*/false);
    ASSERT_TRUE(id);
    held.push_back(*id);
  }
  ASSERT_TRUE(c->pump(300ms, nullptr).ok());
  std::this_thread::sleep_for(200ms);
  Answer a = call(*c, {{":method", "POST"}, {":path", "/echo"}, {"content-length", "5"}}, "hello");
  EXPECT_EQ(h2::header_value(a.headers, ":status"), "503") << a.body;
}

// A client that opens TLS with h2 and then says nothing is closed after the preface timeout.
TEST_F(H2Port, SilentClientIsClosedAfterThePrefaceTimeout) {
  GIOStream* tls = tls_connect("h2");
  ASSERT_TRUE(tls);
  EXPECT_STREQ(g_tls_connection_get_negotiated_protocol(G_TLS_CONNECTION(tls)), "h2");
  const auto t0 = Clock::now();
  char buffer[256];
  GInputStream* in = g_io_stream_get_input_stream(tls);
  gssize n = 0;
  // Our SETTINGS arrive first; then the server closes.
  while ((n = g_input_stream_read(in, buffer, sizeof buffer, nullptr, nullptr)) > 0) {
  }
  const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_GT(waited, 1.5);
  EXPECT_LT(waited, 6.0);
}

}  // namespace
}  // namespace lp
