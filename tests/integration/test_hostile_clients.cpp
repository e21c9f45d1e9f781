// The public and operator ports against hostile clients, on real lpnode processes: every case
// here was measured against the node before issue 12's hardening and either made it
// unavailable (leaked descriptors, unbounded memory, connections held open forever) or let
// a client make it sign or accept what it should not.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "node_cluster.h"
#include "wire/auth_token.h"
#include "wire/info.h"
#include "wire/result.h"

namespace lp::test {
namespace {

using namespace std::chrono;
using Clock = steady_clock;

int open_fds(pid_t pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A plain TCP connection to 127.0.0.1:port that writes raw bytes and reads what comes back.
class Raw {
 public:
  explicit Raw(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Raw() { close(fd_); }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  bool connected() const { return connected_; }
  bool send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  // Everything until the peer closes, or `limit` passes; `closed` says which.
  std::string read_all(milliseconds limit, bool* closed = nullptr) {
    std::string out;
    const auto until = Clock::now() + limit;
    if (closed) *closed = false;
    while (Clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(duration_cast<milliseconds>(until - Clock::now()).count());
      if (poll(&p, 1, std::max(1, left)) <= 0) break;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // The first answer's status line code, waiting at most `limit` (0 = none came).
  int status(milliseconds limit) {
    std::string got;
    const auto until = Clock::now() + limit;
    while (Clock::now() < until && got.find("\r\n") == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    if (got.rfind("HTTP/1.1 ", 0) != 0 || got.size() < 12) return 0;
    return std::stoi(got.substr(9, 3));
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

OrchestratorOptions plain(std::vector<std::string> extra = {}) {
  OrchestratorOptions o;
  o.tls = false;
  o.extra = std::move(extra);
  return o;
}

std::string get_info(int port, bool keep_alive) {
  return std::string("GET /v1/info HTTP/1.1\r\nHost: 127.0.0.1:") + std::to_string(port) + "\r\n" +
         (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
}

// Every connection a client closes after its answer is closed and freed by the node (libsoup
// 3.2's own listener kept each one in CLOSE_WAIT: 1,100 of them exhausted ulimit -n 1024).
TEST(HostileClients, ClientClosedKeepAliveConnectionsAreFreed) {
  Orchestrator orch = start_orchestrator(plain(), "keepalive");
  const pid_t pid = orch.process->pid();
  const int before = open_fds(pid);
  for (int i = 0; i < 2000; ++i) {
    Raw c(orch.http_port);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(get_info(orch.http_port, true)));
    ASSERT_EQ(c.status(seconds(5)), 200) << "request " << i;
  }  // closed by the client, keep-alive on the server's side
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_LE(open_fds(pid), before + 10) << "descriptors before: " << before;
  EXPECT_EQ(http_request("GET", orch.cli_url("/status")).status, 200);
}

// A bad token is answered when the headers arrive, and the body is never read: a 1 GiB
// announced body gets its 401 at once, and the node's memory does not grow with what follows.
TEST(HostileClients, RefusedBodiesAreAnsweredAtOnceAndNotRead) {
  Orchestrator orch = start_orchestrator(plain(), "unread-bodies");
  const pid_t pid = orch.process->pid();
  const long rss_before = rss_kb(pid);
  std::vector<std::unique_ptr<Raw>> senders;
  for (int i = 0; i < 3; ++i) {
    auto c = std::make_unique<Raw>(orch.http_port);
    ASSERT_TRUE(
        c->send("POST /v1/segment HTTP/1.1\r\nHost: x\r\nLp-Auth-Token: forged.1.2\r\n"
                "Content-Length: 1073741824\r\n\r\n"));
    const auto t0 = Clock::now();
    EXPECT_EQ(c->status(seconds(3)), 401);
    EXPECT_LT(Clock::now() - t0, seconds(2));
    // Keep pushing body bytes as a hostile client would; the node reads none into memory.
    std::string chunk(1 << 20, 'x');
    for (int k = 0; k < 64; ++k)
      if (!c->send(chunk)) break;
    senders.push_back(std::move(c));
  }
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_LT(rss_kb(pid) - rss_before, 40 * 1024) << "RSS grew from " << rss_before << " kB";
  EXPECT_EQ(http_request("GET", orch.url("/v1/info")).status, 200);
}

// Lengths are checked from the header alone: over the cap is 413 before any body, and a
// length that is not one decimal number (negative, a list, two headers) is 400.
TEST(HostileClients, ContentLengthIsJudgedFromTheHeader) {
  Orchestrator orch = start_orchestrator(plain(), "content-length");
  const std::string token = auth_token(orch);
  ASSERT_FALSE(token.empty());
  const std::string head = "POST /v1/segment HTTP/1.1\r\nHost: x\r\nLp-Auth-Token: " + token + "\r\n";
  struct Case {
    std::string headers;
    int status;
  };
  const std::vector<Case> cases = {
      {"Content-Length: 67108865\r\n", 413},
      {"Content-Length: 1099511627776\r\n", 413},
      {"Content-Length: -1\r\n", 400},
      {"Content-Length: 5, 10\r\n", 400},
      {"Content-Length: 5\r\nContent-Length: 10\r\n", 400},
      {"Content-Length: +5\r\n", 400},
  };
  for (const auto& c : cases) {
    Raw r(orch.http_port);
    ASSERT_TRUE(r.send(head + c.headers + "\r\n"));
    const auto t0 = Clock::now();
    EXPECT_EQ(r.status(seconds(3)), c.status) << c.headers;
    EXPECT_LT(Clock::now() - t0, seconds(2)) << c.headers;
  }
}

// Connections that stop in the middle of their headers, sit idle after an answer, or send a
// body at a trickle are closed within the configured timeouts.
TEST(HostileClients, StalledAndSlowConnectionsAreClosed) {
  Orchestrator orch = start_orchestrator(plain({"--http-header-timeout", "2", "--http-idle-timeout", "2",
                                                "--http-stall-timeout", "2", "--http-min-body-rate", "4096"}),
                                         "timeouts");
  const pid_t pid = orch.process->pid();
  const int before = open_fds(pid);
  std::vector<std::unique_ptr<Raw>> half;
  for (int i = 0; i < 30; ++i) {
    half.push_back(std::make_unique<Raw>(orch.http_port));
    ASSERT_TRUE(half.back()->send("GET /v1/info HTTP/1.1\r\nHost: 127"));
  }
  Raw idle(orch.http_port);
  ASSERT_TRUE(idle.send(get_info(orch.http_port, true)));
  ASSERT_EQ(idle.status(seconds(3)), 200);
  Raw nothing(orch.http_port);  // connects and never sends a byte
  const std::string token = auth_token(orch);
  Raw trickle(orch.http_port);
  ASSERT_TRUE(trickle.send("POST /v1/segment HTTP/1.1\r\nHost: x\r\nLp-Auth-Token: " + token +
                           "\r\nContent-Length: 100000\r\n\r\n"));
  std::thread drip([&trickle] {
    for (int i = 0; i < 60; ++i) {  // 100 bytes a second: far under 4096 B/s
      if (!trickle.send(std::string(100, 't'))) return;
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  const auto t0 = Clock::now();
  bool closed = false;
  for (auto& h : half) {
    h->read_all(seconds(6), &closed);
    EXPECT_TRUE(closed) << "a half-sent request head was kept open";
  }
  idle.read_all(seconds(6), &closed);
  EXPECT_TRUE(closed) << "an idle keep-alive connection was kept open";
  nothing.read_all(seconds(6), &closed);
  EXPECT_TRUE(closed) << "a silent connection was kept open";
  trickle.read_all(seconds(8), &closed);
  EXPECT_TRUE(closed) << "a 100 B/s body was kept open";
  drip.join();
  EXPECT_LT(Clock::now() - t0, seconds(10));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_LE(open_fds(pid), before + 4);
  EXPECT_EQ(http_request("GET", orch.url("/v1/info")).status, 200);
}

// Bodies being received at once are capped: past the cap a request is 503 before its body.
TEST(HostileClients, BodiesAtOnceAreCapped) {
  OrchestratorOptions o = plain({"--http-max-bodies", "2"});
  o.transcoder = true;
  Orchestrator orch = start_orchestrator(o, "bodies");
  const std::string token = auth_token(orch);
  std::string head = "POST /v1/segment HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [k, v] : segment_headers(token, "s", 0, std::string(1000000, 'x'))) head += k + ": " + v + "\r\n";
  head += "Content-Length: 1000000\r\n\r\n";
  Raw a(orch.http_port), b(orch.http_port), c(orch.http_port);
  ASSERT_TRUE(a.send(head + std::string(1000, 'a')));
  ASSERT_TRUE(b.send(head + std::string(1000, 'b')));
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(c.send(head));
  const std::string answer = c.read_all(seconds(3));
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("too many request bodies"), std::string::npos) << answer;
  EXPECT_EQ(a.status(milliseconds(200)), 0) << "the first two bodies are still being received";
}

// One client address cannot hold more than its share of connections; others still get in.
TEST(HostileClients, ConnectionsPerAddressAreCapped) {
  Orchestrator orch = start_orchestrator(plain({"--http-max-connections-per-ip", "10"}), "per-ip");
  std::vector<std::unique_ptr<Raw>> held;
  for (int i = 0; i < 10; ++i) held.push_back(std::make_unique<Raw>(orch.http_port));
  std::this_thread::sleep_for(milliseconds(200));
  Raw extra(orch.http_port);
  bool closed = false;
  extra.read_all(seconds(3), &closed);
  EXPECT_TRUE(closed) << "the 11th connection from one address was kept";
  held.clear();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(http_request("GET", orch.url("/v1/info")).status, 200);
}

// Wrong transcoder secrets: after five, one try per second from that address (429), and a
// summary line instead of a line each; no descriptor kept per attempt.
TEST(HostileClients, WrongSecretLoginsAreThrottled) {
  Orchestrator orch = start_orchestrator(plain(), "logins");
  const pid_t pid = orch.process->pid();
  const int before = open_fds(pid);
  int refused = 0, throttled = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = http_request("GET", orch.url("/v1/transcoder"), "",
                          {{"Authorization", "Bearer guess-" + std::to_string(i)},
                           {"Connection", "Upgrade"},
                           {"Upgrade", "websocket"},
                           {"Sec-WebSocket-Version", "13"},
                           {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
    if (r.status == 401) ++refused;
    if (r.status == 429) ++throttled;
  }
  EXPECT_LE(refused, 10);
  EXPECT_GE(throttled, 180);
  const std::string log = orch.process->log();
  size_t lines = 0;
  for (size_t at = log.find("transcoder logins refused"); at != std::string::npos;
       at = log.find("transcoder logins refused", at + 1))
    ++lines;
  EXPECT_LE(lines, 3u) << log;
  EXPECT_EQ(log.find("wrong or missing secret"), std::string::npos);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_LE(open_fds(pid), before + 6);
  // The right secret still gets in once the address's second has passed.
  std::this_thread::sleep_for(milliseconds(1100));
  auto t = start_transcoder(orch, 1, "right-secret");
  EXPECT_TRUE(wait_for_transcoders(orch, 1, seconds(5)));
}

// A registered channel that sends one endless fragmented message (libsoup gathers fragments
// in memory, with no cap of its own) is closed once it passes the size guard's cap.
TEST(HostileClients, EndlessFragmentedChannelMessageIsCut) {
  // The guard runs between libsoup's read bursts; libsoup's WebSocket read loop only returns
  // to the main loop once the socket is drained, which an ASan-built node (several times
  // slower) never manages against a loopback sender. The bound is checked where the node is
  // built as it runs.
  if (g_getenv("ASAN_OPTIONS")) GTEST_SKIP() << "node built with ASan reads slower than a loopback sender";
  Orchestrator orch = start_orchestrator(plain(), "fragments");
  const pid_t pid = orch.process->pid();
  const long rss_before = rss_kb(pid);
  Raw c(orch.http_port);
  ASSERT_TRUE(
      c.send("GET /v1/transcoder HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer test-secret\r\n\r\n"));
  ASSERT_EQ(c.status(seconds(3)), 101);
  // Frames of 64 KiB, masked with a zero key (payload as is): a text start, then continuations.
  auto frame = [](uint8_t first_byte) {
    std::string f;
    f += static_cast<char>(first_byte);
    f += static_cast<char>(0x80 | 127);
    const uint64_t n = 65536;
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xff);
    f += std::string(4, '\0');
    f += std::string(n, 'f');
    return f;
  };
  // Up to 512 MiB of one message, paced at about 128 MB/s (2 ms per 256 KiB). The guard acts
  // between libsoup's read bursts, and a burst lasts until the socket is drained: against an
  // unpaced loopback sender on a loaded machine one burst took 430 MiB, so the bound below
  // measured the machine's load, not the guard. Paced, the node drains the socket between
  // sends, and the guard's cut (4 MiB) comes within a burst or two. Without the guard the
  // node still gathers all 512 MiB.
  if (c.send(frame(0x01))) {
    const std::string more = frame(0x00);  // FIN=0, continuation
    size_t sent = 0;
    for (int n = 1; sent < (size_t{512} << 20); ++n) {
      if (!c.send(more)) break;  // the node closed the channel
      sent += more.size();
      if (n % 4 == 0) std::this_thread::sleep_for(milliseconds(2));
    }
    EXPECT_LT(sent, size_t{512} << 20) << "the node never closed the channel";
  }
  EXPECT_TRUE(orch.process->wait_for_log("without a whole message", seconds(3))) << orch.process->log();
  EXPECT_LT(rss_kb(pid) - rss_before, 256 * 1024) << "the node gathered the fragments";
  EXPECT_EQ(http_request("GET", orch.url("/v1/info")).status, 200);
}

// DNS rebinding: a page on another origin reaching the operator API names its own host.
TEST(HostileClients, OperatorApiAnswersOnlyToIpHosts) {
  Orchestrator orch = start_orchestrator(plain(), "rebinding");
  auto bad = http_request("GET", orch.cli_url("/status"), "", {{"Host", "attacker.example:7935"}});
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(http_request("GET", orch.cli_url("/status")).status, 200);
  auto local = http_request("GET", orch.cli_url("/status"), "", {{"Host", "localhost:7935"}});
  EXPECT_EQ(local.status, 200);
}

// Without --service-addr a node bound to every interface signs its own host name, never the
// Host header a request names; result indices are plain decimals.
TEST(HostileClients, InfoSignsOnlyTheNodesOwnAddress) {
  TempDir data;
  const int http = free_port(), cli = free_port();
  auto node =
      NodeProcess::start(lpnode_binary(),
                         {"--orchestrator", "--http-addr", "http://0.0.0.0:" + std::to_string(http), "--cli-addr",
                          "127.0.0.1:" + std::to_string(cli), "--data-dir", data.path(), "--eth-keystore-path",
                          test_key().keystore, "--eth-password", test_key().password_file},
                         "wildcard");
  ASSERT_TRUE(node->wait_for_log("lpnode: orchestrator on", seconds(20))) << node->log();
  EXPECT_TRUE(node->wait_for_log("no --service-addr", seconds(1))) << node->log();
  const std::string url = "http://127.0.0.1:" + std::to_string(http);
  auto r = http_request("GET", url + "/v1/info", "", {{"Host", "attacker.example:443"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto info = wire::info_from_json(r.body);
  ASSERT_TRUE(info) << r.body;
  EXPECT_EQ(info->service_addr.find("attacker.example"), std::string::npos) << info->service_addr;
  EXPECT_EQ(info->service_addr, std::string(g_get_host_name()) + ":" + std::to_string(http));
}

// A result's index is a plain decimal: "+0" and "-0" (which strtoul takes for 0) name nothing.
TEST(HostileClients, ResultIndicesArePlainDecimals) {
  OrchestratorOptions o = plain();
  o.transcoder = true;
  Orchestrator orch = start_orchestrator(o, "indices");
  auto r = post_segment(orch, auth_token(orch), "idx", 0, small_segments()[0]);
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = wire::transcode_result_from_json(r.body);
  ASSERT_TRUE(result && !result->renditions.empty()) << r.body;
  const std::string url = result->renditions[0].url;
  ASSERT_EQ(url.back(), '0') << url;
  const std::string base = url.substr(0, url.size() - 1);
  EXPECT_EQ(http_request("GET", base + "0").status, 200);
  for (const char* index : {"+0", "-0", "0x0", "%200", "00000"})
    EXPECT_EQ(http_request("GET", base + index).status, 404) << index;
}

// Results leave memory when their ttl passes, also on a node that gets no more segments
// (expiry used to run only when a new result came in).
TEST(HostileClients, ResultsExpireWhileIdle) {
  OrchestratorOptions o = plain({"--result-ttl", "1"});
  o.transcoder = true;
  Orchestrator orch = start_orchestrator(o, "result-ttl");
  ASSERT_EQ(post_segment(orch, auth_token(orch), "ttl", 0, small_segments()[0]).status, 200);
  EXPECT_EQ(get_status(orch).totals["results_stored"], 1);
  std::this_thread::sleep_for(milliseconds(2500));
  const Status s = get_status(orch);
  EXPECT_EQ(s.totals.at("results_stored"), 0) << s.raw;
  EXPECT_EQ(s.totals.at("result_bytes"), 0) << s.raw;
}

// Auth tokens are made with their own key, not the transcoders' secret: a token minted with
// the secret is refused, and a real token survives a restart on the same data dir.
TEST(HostileClients, TokensAreNotMadeWithTheTranscoderSecret) {
  TempDir data;
  OrchestratorOptions o = plain({"--data-dir", data.path()});
  o.secret = "transcoder-secret";
  Orchestrator orch = start_orchestrator(o, "token-key");
  auto forged = wire::issue_token("transcoder-secret", "0123456789abcdef", g_get_real_time() / G_USEC_PER_SEC + 600);
  ASSERT_TRUE(forged);
  const std::string body = small_segments()[0];
  auto refused = post_segment(orch, wire::to_header_value(*forged), "forged", 0, body);
  EXPECT_EQ(refused.status, 401) << refused.body;
  const std::string token = auth_token(orch);
  ASSERT_FALSE(token.empty());
  orch.process.reset();
  o.http_port = orch.http_port;
  o.cli_port = orch.cli_port;
  Orchestrator again = start_orchestrator(o, "token-key-again");
  auto still = post_segment(again, token, "kept", 0, body);
  EXPECT_NE(still.status, 401) << "a token from before the restart was refused: " << still.body;
}

}  // namespace
}  // namespace lp::test
