// The orchestrator's public and operator APIs against a real `lpnode --orchestrator
// --transcoder` on loopback: results, downloads, multipart, every bad request, capacity,
// /metrics, go-livepeer flag spellings, templates, and SIGTERM draining.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "node_cluster.h"
#include "sha256.h"
#include "wire/auth_token.h"
#include "wire/info.h"
#include "wire/result.h"

namespace lp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// One combined node shared by the tests that only send requests.
class OrchestratorApi : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    OrchestratorOptions o;
    o.transcoder = true;
    o.max_sessions = "2";
    orch_ = new Orchestrator(start_orchestrator(o, "combined"));
  }
  static void TearDownTestSuite() {
    delete orch_;
    orch_ = nullptr;
  }
  const Orchestrator& orch() { return *orch_; }
  // The server still answers, and still transcodes.
  void expect_still_serving() {
    EXPECT_EQ(http_request("GET", orch().url("/v1/info")).status, 200);
    HttpResponse ok = post_segment(orch(), auth_token(orch()), "after", 0, small_segments()[0]);
    EXPECT_EQ(ok.status, 200) << ok.body;
  }
  static Orchestrator* orch_;
};
Orchestrator* OrchestratorApi::orch_ = nullptr;

TEST_F(OrchestratorApi, InfoHasTokenCapabilitiesAndCapacity) {
  HttpResponse r = http_request("GET", orch().url("/v1/info"));
  ASSERT_EQ(r.status, 200);
  auto info = wire::info_from_json(r.body);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->capacity.max, 2);
  EXPECT_EQ(info->version, PACKAGE_VERSION);
  EXPECT_NE(std::find(info->capabilities.codecs.begin(), info->capabilities.codecs.end(), "H.264"),
            info->capabilities.codecs.end());
  EXPECT_GT(info->auth_token.expiry, g_get_real_time() / G_USEC_PER_SEC);
  EXPECT_EQ(info->service_addr, "127.0.0.1:" + std::to_string(orch().http_port));
}

TEST_F(OrchestratorApi, CombinedModeTranscodesAndResultsDownload) {
  const std::string& body = small_segments()[1];
  HttpResponse r = post_segment(orch(), auth_token(orch()), "combined-1", 1, body, "P144p30fps16x9,P240p30fps16x9");
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = wire::transcode_result_from_json(r.body);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->renditions.size(), 2u);
  EXPECT_EQ(result->renditions[0].name, "P144p30fps16x9");
  EXPECT_EQ(result->signer, test_key().address);
  const int sizes[2][2] = {{256, 144}, {426, 240}};
  for (size_t i = 0; i < 2; ++i) {
    const auto& rendition = result->renditions[i];
    HttpResponse media = http_request("GET", rendition.url);
    ASSERT_EQ(media.status, 200) << rendition.url;
    EXPECT_EQ(media.header("content-type"), "video/mp2t");
    EXPECT_EQ(static_cast<int64_t>(media.body.size()), rendition.bytes);
    EXPECT_EQ(sha256_hex(media.body.data(), media.body.size()), rendition.sha256);
    g_autoptr(GBytes) bytes = g_bytes_new(media.body.data(), media.body.size());
    MediaInfo mi = inspect_media_bytes(bytes);
    EXPECT_EQ(mi.width, sizes[i][0]);
    EXPECT_EQ(mi.height, sizes[i][1]);
    EXPECT_EQ(mi.decoded_frames, rendition.frames);
    EXPECT_EQ(rendition.pixels, rendition.frames * sizes[i][0] * sizes[i][1]);
    EXPECT_NEAR(rendition.frames, 30, 1);
  }
  // Unknown result ids are 404 with a code.
  HttpResponse missing = http_request("GET", orch().url("/v1/results/nope/0"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "not_found");
}

TEST_F(OrchestratorApi, MultipartAnswerCarriesTheRenditionsInline) {
  const std::string& body = small_segments()[2];
  auto headers = segment_headers(auth_token(orch()), "multipart", 2, body, "P144p30fps16x9,P240p30fps16x9");
  headers["Accept"] = "multipart/mixed";
  HttpResponse r = http_request("POST", orch().url("/v1/segment"), body, headers);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.header("content-type").starts_with("multipart/mixed")) << r.header("content-type");
  SoupMessageHeaders* h = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_replace(h, "Content-Type", r.header("content-type").c_str());
  g_autoptr(GBytes) bytes = g_bytes_new(r.body.data(), r.body.size());
  SoupMultipart* multipart = soup_multipart_new_from_message(h, bytes);
  ASSERT_NE(multipart, nullptr);
  ASSERT_EQ(soup_multipart_get_length(multipart), 3);
  SoupMessageHeaders* part_headers = nullptr;
  GBytes* part = nullptr;
  ASSERT_TRUE(soup_multipart_get_part(multipart, 0, &part_headers, &part));
  gsize n = 0;
  const char* json = static_cast<const char*>(g_bytes_get_data(part, &n));
  auto result = wire::transcode_result_from_json(std::string_view(json, n));
  ASSERT_TRUE(result) << result.error().message;
  for (int i = 1; i <= 2; ++i) {
    ASSERT_TRUE(soup_multipart_get_part(multipart, i, &part_headers, &part));
    gsize size = 0;
    const void* data = g_bytes_get_data(part, &size);
    EXPECT_EQ(sha256_hex(data, size), result->renditions[i - 1].sha256);
    EXPECT_STREQ(soup_message_headers_get_one(part_headers, "Lp-Rendition-Name"),
                 result->renditions[i - 1].name.c_str());
  }
  soup_multipart_free(multipart);
  soup_message_headers_unref(h);
}

TEST_F(OrchestratorApi, BadRequestsGetTheRightStatusAndCode) {
  const std::string& body = small_segments()[0];
  const std::string token = auth_token(orch());
  auto send = [&](const std::map<std::string, std::string>& headers, const std::string& b) {
    return http_request("POST", orch().url("/v1/segment"), b, headers);
  };
  auto with = [&](const std::string& name, const std::string& value) {
    auto h = segment_headers(token, "bad", 0, body);
    if (value.empty())
      h.erase(name);
    else
      h[name] = value;
    return h;
  };
  const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  auto expired = wire::issue_token("test-secret", "old", now - 10);
  auto forged = wire::issue_token("another-secret", "forged", now + 600);
  ASSERT_TRUE(expired && forged);
  std::string corrupt(20000, '\0');
  for (size_t i = 0; i < corrupt.size(); ++i) corrupt[i] = static_cast<char>((i * 7919) % 251);

  struct Case {
    const char* name;
    std::map<std::string, std::string> headers;
    std::string body;
    int status;
    const char* code;
  };
  std::vector<Case> cases = {
      {"no token", with("Lp-Auth-Token", ""), body, 401, "unauthorized"},
      {"mangled token", with("Lp-Auth-Token", "not-a-token"), body, 401, "unauthorized"},
      {"expired token", with("Lp-Auth-Token", wire::to_header_value(*expired)), body, 401, "unauthorized"},
      {"forged token", with("Lp-Auth-Token", wire::to_header_value(*forged)), body, 401, "unauthorized"},
      {"missing stream id", with("Lp-Stream-Id", ""), body, 400, "bad_request"},
      {"missing seq", with("Lp-Seq", ""), body, 400, "bad_request"},
      {"bad profiles JSON", with("Lp-Profiles", "[{\"name\":"), body, 400, "bad_request"},
      {"profile with an unknown field",
       with("Lp-Profiles", R"([{"name":"x","width":64,"height":64,"bitrate":1,"colour":1}])"), body, 400,
       "invalid_profile"},
      {"missing hash", with("Lp-Body-Sha256", ""), body, 400, "bad_request"},
      {"hash mismatch", with("Lp-Body-Sha256", std::string(64, 'a')), body, 422, "hash_mismatch"},
      {"unsupported codec",
       with("Lp-Profiles", R"([{"name":"h","width":64,"height":64,"bitrate":100000,"encoder":"VP8"}])"), body, 415,
       "unsupported"},
      {"corrupt segment", segment_headers(token, "bad", 0, corrupt), corrupt, 422, "bad_segment"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    HttpResponse r = send(c.headers, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(error_code(r), c.code) << r.body;
  }
  HttpResponse wrong_method = http_request("GET", orch().url("/v1/segment"));
  EXPECT_EQ(wrong_method.status, 401);  // the token comes first, whatever the method
  expect_still_serving();
}

// Without Lp-Profiles, the node's --transcoding-options apply (go-livepeer's default ladder,
// 240p and 360p, here).
TEST_F(OrchestratorApi, SegmentsWithoutProfilesGetTheNodesTranscodingOptions) {
  auto headers = segment_headers(auth_token(orch()), "defaults", 0, small_segments()[0]);
  headers.erase("Lp-Profiles");
  HttpResponse r = http_request("POST", orch().url("/v1/segment"), small_segments()[0], headers);
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = wire::transcode_result_from_json(r.body);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->renditions.size(), 2u);
  EXPECT_EQ(result->renditions[0].name, "P240p30fps16x9");
  EXPECT_EQ(result->renditions[1].name, "P360p30fps16x9");
  EXPECT_EQ(result->renditions[1].width, 640);
  EXPECT_EQ(result->renditions[1].height, 360);
}

TEST_F(OrchestratorApi, OversizeBodyIsRefusedBeforeItIsRead) {
  std::string big((64u << 20) + 1, 'x');
  HttpResponse r = http_request("POST", orch().url("/v1/segment"), big,
                                segment_headers(auth_token(orch()), "big", 0, "x"), seconds(60));
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(error_code(r), "too_large");
  expect_still_serving();
}

// A client that announces a body and vanishes halfway: the server drops it and carries on.
TEST_F(OrchestratorApi, TruncatedUploadLeavesTheServerServing) {
  for (int round = 0; round < 3; ++round) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(orch().http_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string request = "POST /v1/segment HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : segment_headers(auth_token(orch()), "cut", 0, small_segments()[0]))
      request += k + ": " + v + "\r\n";
    request += "Content-Length: " + std::to_string(small_segments()[0].size()) + "\r\n\r\n";
    request += small_segments()[0].substr(0, 5000);
    ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    close(fd);
  }
  expect_still_serving();
}

// libsoup would read any body into memory: endpoints that take none refuse one at once.
TEST_F(OrchestratorApi, BodiesWhereNoneBelongAreRefusedUnread) {
  std::string big(8u << 20, 'b');
  for (const auto& url : {orch().url("/v1/info"), orch().url("/v1/results/x/0"), orch().url("/nothing"),
                          orch().cli_url("/status"), orch().url("/v1/jobs/x/y/renditions/0")}) {
    SCOPED_TRACE(url);
    HttpResponse r = http_request("POST", url, big);
    EXPECT_TRUE(r.status == 413 || r.status == 404) << r.status << " " << r.body;
  }
  expect_still_serving();
}

TEST_F(OrchestratorApi, MetricsMoveAsSegmentsFlow) {
  auto metrics = [&] { return http_request("GET", orch().cli_url("/metrics")).body; };
  const std::string before = metrics();
  ASSERT_GE(metric_value(before, "lpgst_segment_source_received_total"), 0) << before;
  ASSERT_EQ(post_segment(orch(), auth_token(orch()), "metrics", 0, small_segments()[3]).status, 200);
  std::string corrupt(5000, 'z');
  ASSERT_EQ(post_segment(orch(), auth_token(orch()), "metrics", 1, corrupt).status, 422);
  const std::string after = metrics();
  EXPECT_EQ(metric_value(after, "lpgst_segment_source_received_total"),
            metric_value(before, "lpgst_segment_source_received_total") + 2);
  EXPECT_EQ(metric_value(after, "lpgst_segment_transcoded_total"),
            metric_value(before, "lpgst_segment_transcoded_total") + 1);
  EXPECT_EQ(metric_value(after, "lpgst_segment_transcode_failed_total"),
            std::max(0.0, metric_value(before, "lpgst_segment_transcode_failed_total")) + 1);
  EXPECT_EQ(metric_value(after, "lpgst_transcode_overall_latency_seconds_count"),
            metric_value(before, "lpgst_transcode_overall_latency_seconds_count") + 2);
  EXPECT_EQ(metric_value(after, "lpgst_orchestrator_transcoders_number"), 1);
  EXPECT_EQ(metric_value(after, "lpgst_orchestrator_transcoders_capacity"), 2);
  EXPECT_NE(after.find("lpgst_segment_transcode_failed_total{code=\"bad_segment\"}"), std::string::npos) << after;
  // lpctl status reads the same.
  if (const char* lpctl = std::getenv("LPCTL")) {
    auto status = NodeProcess::start(lpctl, {"status", "--cli-addr", "127.0.0.1:" + std::to_string(orch().cli_port)},
                                     "lpctl-status");
    ASSERT_EQ(status->wait_exit(seconds(10)), 0) << status->log();
    EXPECT_NE(status->log().find("transcoders: 1"), std::string::npos) << status->log();
    EXPECT_NE(status->log().find("load 0/2"), std::string::npos) << status->log();
  }
  // The dashboard and /status are served too.
  EXPECT_NE(http_request("GET", orch().cli_url("/")).body.find("<title>lpgst orchestrator</title>"), std::string::npos);
  Status s = get_status(orch());
  ASSERT_TRUE(s.ok);
  EXPECT_NE(s.raw.find("\"stream_id\":\"metrics\""), std::string::npos) << s.raw;
  EXPECT_NE(s.raw.find("lpsegmentsrc"), std::string::npos) << s.raw;  // each session's pipeline
}

// A segment long enough to keep a slot busy for a while on this machine.
const std::string& slow_segment() {
  static std::string s = [] {
    static TempDir dir;
    MediaSpec spec;
    spec.width = 1280;
    spec.height = 720;
    spec.seconds = 4;
    spec.gop_frames = 120;
    make_media(spec, dir.file("slow.ts"));
    return file_string(dir.file("slow.ts"));
  }();
  return s;
}

TEST(OrchestratorCapacity, FullIsBusyWithRetryAfterNotAQueue) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.max_sessions = "1";
  Orchestrator orch = start_orchestrator(o, "capacity-1");
  const std::string token = auth_token(orch);
  auto first = std::async(std::launch::async, [&] {
    return post_segment(orch, token, "slow", 0, slow_segment(), "P720p30fps16x9,P360p30fps16x9");
  });
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (get_status(orch).sessions_in_use < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  HttpResponse busy = post_segment(orch, token, "other", 0, small_segments()[0]);
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(error_code(busy), "busy");
  EXPECT_EQ(busy.header("retry-after"), "1");
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(post_segment(orch, token, "other", 0, small_segments()[0]).status, 200);
}

// A client that gives up frees its slot at once: its job is cancelled, not run to the end.
TEST(OrchestratorCapacity, ClientGoneFreesItsSlot) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.max_sessions = "1";
  Orchestrator orch = start_orchestrator(o, "client-gone");
  HttpResponse cut =
      post_segment(orch, auth_token(orch), "impatient", 0, slow_segment(), "P720p30fps16x9", milliseconds(700));
  EXPECT_EQ(cut.status, 0);  // we hung up
  ASSERT_TRUE(orch.process->wait_for_log("abandoned: its client went away", seconds(5))) << orch.process->log();
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (get_status(orch).sessions_in_use != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(get_status(orch).sessions_in_use, 0);
  EXPECT_EQ(post_segment(orch, auth_token(orch), "patient", 0, small_segments()[0]).status, 200);
  EXPECT_NE(http_request("GET", orch.cli_url("/metrics")).body.find("code=\"client_gone\""), std::string::npos);
}

TEST(OrchestratorCapacity, AutoWithNoTranscoderIsNoTranscoder) {
  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o, "auto-empty");
  auto info = wire::info_from_json(http_request("GET", orch.url("/v1/info")).body);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->capacity.max, 0);
  HttpResponse r = post_segment(orch, auth_token(orch), "s", 0, small_segments()[0]);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(error_code(r), "no_transcoder");
  EXPECT_EQ(r.header("retry-after"), "1");
  // One transcoder of capacity 3 joins: auto becomes 3.
  auto t = start_transcoder(orch, 3, "auto-t1");
  info = wire::info_from_json(http_request("GET", orch.url("/v1/info")).body);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->capacity.max, 3);
  EXPECT_EQ(post_segment(orch, auth_token(orch), "s", 0, small_segments()[0]).status, 200);
}

// An existing go-livepeer command line starts the same node.
TEST(OrchestratorFlags, GoLivepeerSpellingsStartTheSameNode) {
  TempDir data;
  const int http = free_port(), cli = free_port();
  auto node = NodeProcess::start(lpnode_binary(),
                                 {"-orchestrator",
                                  "-transcoder",
                                  "-httpAddr",
                                  "127.0.0.1:" + std::to_string(http),
                                  "-cliAddr",
                                  "127.0.0.1:" + std::to_string(cli),
                                  "-serviceAddr",
                                  "127.0.0.1:" + std::to_string(http),
                                  "-maxSessions",
                                  "3",
                                  "-orchSecret",
                                  "go-secret",
                                  "-transcodingOptions",
                                  "P144p30fps16x9,P240p30fps16x9",
                                  "-dataDir",
                                  data.path(),
                                  "-ethKeystorePath",
                                  test_key().keystore,
                                  "-ethPassword",
                                  test_key().password_file,
                                  "-v",
                                  "6",
                                  "-pricePerUnit",
                                  "0",
                                  "-monitor=false"},
                                 "go-flags");
  ASSERT_TRUE(node->wait_for_log("lpnode: orchestrator on", seconds(20))) << node->log();
  Orchestrator orch;
  orch.http_port = http;
  orch.cli_port = cli;
  orch.tls = true;
  Status s = get_status(orch);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.max_sessions, 3);
  ASSERT_EQ(s.transcoders.size(), 1u);
  EXPECT_TRUE(s.transcoders[0].local);
  EXPECT_EQ(s.transcoders[0].capacity, 3);
  auto t = NodeProcess::start(lpnode_binary(),
                              {"-transcoder", "-orchAddr", "127.0.0.1:" + std::to_string(http), "-orchSecret",
                               "go-secret", "-maxSessions", "2"},
                              "go-flags-t");
  ASSERT_TRUE(t->wait_for_log("registered with the orchestrator", seconds(20))) << t->log();
  EXPECT_TRUE(wait_for_transcoders(orch, 2, seconds(5)));
  EXPECT_EQ(post_segment(orch, auth_token(orch), "go", 0, small_segments()[0]).status, 200);
}

TEST(OrchestratorTemplate, FilterTemplateRunsAndDisallowedElementIsRefusedAtStart) {
  auto refused =
      NodeProcess::start(lpnode_binary(),
                         {"--orchestrator", "--transcoder", "--http-addr", "127.0.0.1:0", "--cli-addr", "127.0.0.1:0",
                          "--eth-keystore-path", test_key().keystore, "--eth-password", test_key().password_file,
                          "--pipeline-template", "{source} ! filesink location=/tmp/lpgst-stolen.ts ! {ladder}"},
                         "bad-template");
  auto status = refused->wait_exit(seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(*status, 0);
  EXPECT_NE(refused->log().find("'filesink' is not allowed"), std::string::npos) << refused->log();

  OrchestratorOptions o;
  o.transcoder = true;
  o.extra = {"--pipeline-template", "{source} ! decodebin ! deinterlace ! {ladder}"};
  Orchestrator orch = start_orchestrator(o, "deinterlace-template");
  HttpResponse r = post_segment(orch, auth_token(orch), "tmpl", 0, small_segments()[4]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(get_status(orch).raw.find("deinterlace ! lpladder"), std::string::npos);
}

TEST(OrchestratorDrain, SigtermFinishesInFlightRefusesNewAndExitsZero) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.max_sessions = "4";
  Orchestrator orch = start_orchestrator(o, "drain");
  const std::string token = auth_token(orch);
  auto in_flight = std::async(std::launch::async,
                              [&] { return post_segment(orch, token, "drain", 0, slow_segment(), "P720p30fps16x9"); });
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (get_status(orch).sessions_in_use < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  orch.process->signal(SIGTERM);
  ASSERT_TRUE(orch.process->wait_for_log("draining", seconds(5)));
  HttpResponse refused = post_segment(orch, token, "late", 0, small_segments()[0]);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(error_code(refused), "busy");
  EXPECT_EQ(in_flight.get().status, 200);
  auto exit_status = orch.process->wait_exit(seconds(30));
  ASSERT_TRUE(exit_status.has_value());
  EXPECT_EQ(*exit_status, 0) << orch.process->log();
}

}  // namespace
}  // namespace lp::test
