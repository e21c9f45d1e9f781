// The node's identity through real lpnode processes: a key created under --data-dir and
// reused, keystore flags (go-livepeer's too), wrong passwords and damaged keystores, no
// password in logs or answers, signed /v1/info and results checked by the client library,
// client signatures, and transcoders that never touch a keystore.
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "keystore_dir.h"
#include "node_cluster.h"
#include "orchestrator_client.h"
#include "result_verifier.h"
#include "sha256.h"
#include "wire/info.h"
#include "wire/segment.h"

namespace lp::test {
namespace {

using std::chrono::seconds;

std::string address_in(const std::string& log) {
  std::smatch m;
  static const std::regex re("signing as (0x[0-9a-fA-F]{40})");
  return std::regex_search(log, m, re) ? m[1].str() : "";
}

// lpnode with only --data-dir for identity: it makes its own key, and keeps it.
std::unique_ptr<NodeProcess> start_plain(const std::string& data_dir, const std::string& name,
                                         std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--orchestrator", "--transcoder", "--http-addr", "127.0.0.1:0",
                                   "--cli-addr",     "127.0.0.1:0",  "--data-dir",  data_dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return NodeProcess::start(lpnode_binary(), args, name);
}

TEST(NodeIdentity, KeyIsCreatedUnderDataDirOnFirstStartAndReusedAfter) {
  TempDir data;
  std::string first;
  {
    auto node = start_plain(data.path(), "first-start");
    ASSERT_TRUE(node->wait_for_log("lpnode: orchestrator on", seconds(30))) << node->log();
    first = address_in(node->log());
    EXPECT_NE(node->log().find("created a new node key"), std::string::npos);
  }
  ASSERT_FALSE(first.empty());
  auto files = eth::list_keystore_files(data.file("keystore"));
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].address->checksummed(), first);
  struct stat st {};
  ASSERT_EQ(stat((*files)[0].path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(data.file("keystore-password").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = start_plain(data.path(), "second-start");
  ASSERT_TRUE(again->wait_for_log("lpnode: orchestrator on", seconds(30))) << again->log();
  EXPECT_EQ(address_in(again->log()), first);
  EXPECT_EQ(again->log().find("created a new node key"), std::string::npos);
}

TEST(NodeIdentity, KeystoreFlagsPickTheAccountAndRefuseWhatIsWrong) {
  TempDir dir;
  const std::string password = "s3cret-pa55word-\xc3\xa9";
  auto a = eth::PrivateKey::generate();
  auto b = eth::PrivateKey::generate();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(eth::write_keystore_file(dir.file("keys"), *a, password, eth::kScryptLight));
  ASSERT_TRUE(eth::write_keystore_file(dir.file("keys"), *b, password, eth::kScryptLight));
  std::ofstream(dir.file("pw")) << password << "\n";
  std::ofstream(dir.file("wrong")) << "not the password\n";
  auto run = [&](std::vector<std::string> extra, const std::string& name) {
    std::vector<std::string> args = {"--orchestrator", "--http-addr", "127.0.0.1:0", "--cli-addr", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return NodeProcess::start(lpnode_binary(), args, name);
  };

  // Two keys and no account named: refused, both listed.
  auto ambiguous = run({"--eth-keystore-path", dir.file("keys"), "--eth-password", dir.file("pw")}, "ambiguous");
  ASSERT_EQ(ambiguous->wait_exit(seconds(20)), 1);
  EXPECT_NE(ambiguous->log().find(a->address().checksummed()), std::string::npos) << ambiguous->log();

  // go-livepeer's spellings, with the account named.
  auto picked =
      run({"-ethKeystorePath", dir.file("keys"), "-ethPassword", dir.file("pw"), "-ethAcctAddr", b->address().hex()},
          "picked");
  ASSERT_TRUE(picked->wait_for_log("lpnode: orchestrator on", seconds(20))) << picked->log();
  EXPECT_EQ(address_in(picked->log()), b->address().checksummed());

  // Wrong password: a clear message, and never the password itself.
  auto wrong = run({"--eth-keystore-path", dir.file("keys"), "--eth-password", dir.file("wrong"), "--eth-acct-addr",
                    a->address().checksummed()},
                   "wrong-password");
  ASSERT_EQ(wrong->wait_exit(seconds(20)), 1);
  EXPECT_NE(wrong->log().find("wrong password"), std::string::npos) << wrong->log();
  EXPECT_EQ(wrong->log().find("not the password"), std::string::npos) << wrong->log();

  // A damaged keystore says what is wrong with it.
  std::ofstream(dir.file("broken.json")) << "{\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\"}";
  auto broken = run({"--eth-keystore-path", dir.file("broken.json"), "--eth-password", dir.file("pw")}, "broken");
  ASSERT_EQ(broken->wait_exit(seconds(20)), 1);
  EXPECT_NE(broken->log().find("broken.json"), std::string::npos) << broken->log();
  EXPECT_NE(broken->log().find("invalid JSON"), std::string::npos) << broken->log();

  auto missing = run({"--eth-keystore-path", dir.file("nope")}, "missing");
  ASSERT_EQ(missing->wait_exit(seconds(20)), 1);
  EXPECT_NE(missing->log().find("no such file or directory"), std::string::npos) << missing->log();
}

TEST(NodeIdentity, PasswordNeverAppearsInLogsStatusOrInfo) {
  TempDir dir;
  const std::string password = "Unique-Password-7731";
  auto key = eth::PrivateKey::generate();
  ASSERT_TRUE(key);
  auto path = eth::write_keystore_file(dir.file("keys"), *key, password, eth::kScryptLight);
  ASSERT_TRUE(path);
  OrchestratorOptions o;
  o.transcoder = true;
  o.extra = {"--eth-keystore-path", *path, "--eth-password", password, "-v", "6"};
  Orchestrator orch = start_orchestrator(o, "password-on-the-command-line");
  // start_orchestrator also passes the shared test key first; the last flag given wins.
  ASSERT_EQ(post_segment(orch, auth_token(orch), "pw", 0, small_segments()[0]).status, 200);
  const std::string everything = orch.process->log() + get_status(orch).raw +
                                 http_request("GET", orch.url("/v1/info")).body +
                                 http_request("GET", orch.cli_url("/metrics")).body;
  EXPECT_EQ(everything.find(password), std::string::npos);
  EXPECT_NE(everything.find(key->address().checksummed()), std::string::npos);
}

TEST(NodeIdentity, ClientVerifiesSignedInfoAndResults) {
  OrchestratorOptions o;
  o.transcoder = true;
  Orchestrator orch = start_orchestrator(o, "signed");
  const std::string address = "127.0.0.1:" + std::to_string(orch.http_port);

  // The info signature covers the documented text and recovers the node's address.
  auto info = wire::info_from_json(http_request("GET", orch.url("/v1/info")).body);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->signer, test_key().address);
  auto sig = eth::Signature::parse(info->signature);
  ASSERT_TRUE(sig);
  auto signer = eth::personal_recover(eth::bytes_of(wire::info_signing_text(*info)), *sig);
  ASSERT_TRUE(signer);
  EXPECT_EQ(signer->checksummed(), test_key().address);

  g_autoptr(GBytes) body = g_bytes_new(small_segments()[0].data(), small_segments()[0].size());
  SegmentToSend segment{"client", 0, 1000, *parse_profiles("P144p30fps16x9,P240p30fps16x9"), body};
  OrchestratorClient client(address);
  auto done = client.transcode(segment);
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_EQ(done->renditions.size(), 2u);

  // Tampered renditions fail verification, whichever way they are tampered with.
  auto parsed_signer = eth::parse_address(test_key().address);
  ASSERT_TRUE(parsed_signer);
  std::vector<GBytes*> views = {done->renditions[0].get(), done->renditions[1].get()};
  VerifyOptions verify{*parsed_signer, true};
  EXPECT_TRUE(verify_result(done->result, views, segment.profiles, verify).ok());

  gsize n = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(views[1], &n));
  std::string flipped(data, n);
  flipped[n / 2] ^= 0x40;
  g_autoptr(GBytes) tampered = g_bytes_new(flipped.data(), flipped.size());
  auto result = done->result;
  result.renditions[1].sha256 = sha256_hex(flipped.data(), flipped.size());  // a consistent liar
  auto e = verify_result(result, {views[0], tampered}, segment.profiles, verify);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::VerificationFailed);
  EXPECT_NE(e.error().message.find("signature"), std::string::npos) << e.error().message;

  auto overbilled = done->result;
  overbilled.renditions[0].pixels += 256 * 144;
  e = verify_result(overbilled, views, segment.profiles, VerifyOptions{std::nullopt, true});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("pixels"), std::string::npos) << e.error().message;

  auto short_result = done->result;
  short_result.renditions.pop_back();
  EXPECT_FALSE(verify_result(short_result, {views[0]}, segment.profiles, verify).ok());

  auto other = eth::PrivateKey::generate();
  ASSERT_TRUE(other);
  e = verify_result(done->result, views, segment.profiles, VerifyOptions{other->address(), false});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find(other->address().checksummed()), std::string::npos) << e.error().message;

  // A pinned address that is not the node's is refused at /v1/info.
  ClientOptions pinned;
  pinned.expected_signer = other->address();
  OrchestratorClient wary(address, pinned);
  auto refused = wary.transcode(segment);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::VerificationFailed);
}

TEST(NodeIdentity, ClientSignaturesAreCheckedAndCanBeRequired) {
  OrchestratorOptions o;
  o.transcoder = true;
  o.extra = {"--require-client-signature"};
  Orchestrator orch = start_orchestrator(o, "requires-client-signature");
  const std::string address = "127.0.0.1:" + std::to_string(orch.http_port);
  g_autoptr(GBytes) body = g_bytes_new(small_segments()[1].data(), small_segments()[1].size());
  SegmentToSend segment{"signed-client", 3, 1000, *parse_profiles("P144p30fps16x9"), body};

  OrchestratorClient anonymous(address);
  auto refused = anonymous.transcode(segment);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::BadSignature) << refused.error().message;

  auto key = eth::PrivateKey::generate();
  ASSERT_TRUE(key);
  ClientOptions with_key;
  with_key.client_key = &*key;
  OrchestratorClient signed_client(address, with_key);
  auto ok = signed_client.transcode(segment);
  EXPECT_TRUE(ok) << ok.error().message;

  // A signature over other metadata (another seq) does not pass for this segment.
  auto headers = segment_headers(auth_token(orch), "signed-client", 4, small_segments()[1]);
  wire::SegmentHeaders other;
  other.stream_id = "signed-client";
  other.seq = 5;
  other.duration_ms = 1000;
  other.profiles = segment.profiles;
  other.body_sha256 = headers["Lp-Body-Sha256"];
  headers["Lp-Signature"] = eth::personal_sign(*key, eth::bytes_of(wire::segment_signing_text(other))).hex();
  headers["Lp-Signer"] = key->address().checksummed();
  HttpResponse forged = http_request("POST", orch.url("/v1/segment"), small_segments()[1], headers);
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(error_code(forged), "bad_signature");
}

// Transcoders hold no key: one at work never opens a file in a keystore directory, even one
// sitting where an orchestrator's would be ($HOME/.lpgst/keystore).
TEST(NodeIdentity, TranscodersNeverOpenAKeystore) {
  TempDir home;
  const std::string keystore = home.file(".lpgst/keystore");
  auto key = eth::PrivateKey::generate();
  ASSERT_TRUE(key);
  auto path = eth::write_keystore_file(keystore, *key, "pw", eth::kScryptLight);
  ASSERT_TRUE(path);
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_GE(inotify_add_watch(fd, keystore.c_str(), IN_OPEN | IN_ACCESS), 0);

  OrchestratorOptions o;
  o.max_sessions = "auto";
  Orchestrator orch = start_orchestrator(o, "orchestrator-elsewhere");
  g_setenv("HOME", home.path().c_str(), TRUE);  // the transcoder inherits it
  auto t = start_transcoder(orch, 1, "keyless-transcoder");
  g_unsetenv("HOME");
  ASSERT_EQ(post_segment(orch, auth_token(orch), "keyless", 0, small_segments()[0]).status, 200);
  t->signal(SIGTERM);
  t->wait_exit(seconds(20));
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  EXPECT_LE(n, 0) << "something opened a file in " << keystore;

  // The watch does see an orchestrator looking for its key there (so the check above can fail).
  g_setenv("HOME", home.path().c_str(), TRUE);
  auto looks =
      NodeProcess::start(lpnode_binary(), {"--orchestrator", "--http-addr", "127.0.0.1:0", "--cli-addr", "127.0.0.1:0"},
                         "orchestrator-looks-for-its-key");
  g_unsetenv("HOME");
  looks->wait_exit(seconds(20));
  EXPECT_GT(read(fd, buf, sizeof buf), 0) << looks->log();
  close(fd);

  // And a transcoder given key flags refuses to start.
  auto refused = NodeProcess::start(
      lpnode_binary(),
      {"--transcoder", "--orch-addr", "127.0.0.1:1", "--orch-secret", "s", "--eth-keystore-path", *path},
      "transcoder-with-key");
  ASSERT_EQ(refused->wait_exit(seconds(10)), 2);
  EXPECT_NE(refused->log().find("a transcoder holds no key"), std::string::npos) << refused->log();
}

}  // namespace
}  // namespace lp::test
