// lpnode's flags: each one in its GNU and go-livepeer spellings must give the same options,
// real go-livepeer command lines must parse, and every mistake must name the flag.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "node_options.h"

namespace {

using Args = std::vector<std::string>;

lp::NodeOptions parse_ok(const Args& args) {
  auto r = lp::parse_node_options(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : lp::NodeOptions{};
}

std::string parse_error(const Args& args) {
  auto r = lp::parse_node_options(args);
  EXPECT_FALSE(r.ok()) << "parsed although it should not have";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, lp::ErrorCode::BadRequest);
  return r.error().message;
}

// Every field, so two parses compare in one EXPECT_EQ with a readable difference.
std::string describe(const lp::NodeOptions& o) {
  std::string s;
  auto add = [&s](const char* name, const std::string& value) { s += std::string(name) + "=" + value + "\n"; };
  add("orchestrator", std::to_string(o.orchestrator));
  add("transcoder", std::to_string(o.transcoder));
  add("gateway", std::to_string(o.gateway));
  add("http_addr", o.http_addr);
  add("service_addr", o.service_addr);
  add("cli_addr", o.cli_addr);
  add("cli_addr_given", std::to_string(o.cli_addr_given));
  add("orch_protocol", o.orch_protocol);
  add("orch_addr", o.orch_addr);
  add("orch_secret", o.orch_secret);
  add("max_sessions", std::to_string(o.max_sessions));
  add("max_sessions_auto", std::to_string(o.max_sessions_auto));
  for (const auto& p : o.transcoding_options) add("profile", lp::profile_to_json(p));
  add("data_dir", o.data_dir);
  add("pipeline_template", o.pipeline_template);
  add("nvidia", o.nvidia);
  add("eth_keystore_path", o.eth_keystore_path);
  add("eth_password", o.eth_password);
  add("eth_acct_addr", o.eth_acct_addr);
  add("require_client_signature", std::to_string(o.require_client_signature));
  add("price_per_unit", std::to_string(o.price_per_unit));
  add("pixels_per_unit", std::to_string(o.pixels_per_unit));
  add("monitor", std::to_string(o.monitor));
  add("test_transcoder", std::to_string(o.test_transcoder));
  add("verbosity", std::to_string(o.verbosity));
  add("help", std::to_string(o.help));
  add("version", std::to_string(o.version));
  return s;
}

Args concat(Args a, const Args& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A file in a fresh directory, removed with it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lpnodeopts-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& contents) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct ValueFlag {
  std::string gnu;  // without "--"
  std::string go;   // without "-"; "" = no go-livepeer spelling
  std::string value;
};

// Each flag that takes a value, in every accepted form, gives what --gnu VALUE gives.
TEST(NodeOptions, EveryValueFlagInEverySpelling) {
  const Args base = {"--orchestrator"};
  const std::string defaults = describe(parse_ok(base));
  const std::vector<ValueFlag> flags = {
      {"http-addr", "httpAddr", "127.0.0.1:9000"},
      {"service-addr", "serviceAddr", "node.example.com:8936"},
      {"cli-addr", "cliAddr", "127.0.0.1:7000"},
      {"orch-addr", "orchAddr", "10.0.0.1:8935"},
      {"orch-secret", "orchSecret", "s3cret"},
      {"max-sessions", "maxSessions", "4"},
      {"max-sessions", "maxSessions", "auto"},
      {"transcoding-options", "transcodingOptions", "P720p30fps16x9,P144p30fps16x9"},
      {"nvidia", "nvidia", "0,1"},
      {"nvidia", "nvidia", "all"},
      {"data-dir", "dataDir", "/var/lib/lp"},
      {"data-dir", "datadir", "/var/lib/lp"},
      {"pipeline-template", "", "{source} ! queue ! {ladder}"},
      {"eth-keystore-path", "ethKeystorePath", "/keys"},
      {"eth-password", "ethPassword", "hunter2"},
      {"eth-acct-addr", "ethAcctAddr", "0x9D6d0B5B3983a3BDcFa7067C128D421e10e7a501"},
      {"price-per-unit", "pricePerUnit", "1200"},
      {"pixels-per-unit", "pixelsPerUnit", "1000000000000"},
      {"verbosity", "v", "6"},
  };
  for (const auto& f : flags) {
    SCOPED_TRACE("--" + f.gnu + " " + f.value);
    const std::string want = describe(parse_ok(concat(base, {"--" + f.gnu, f.value})));
    EXPECT_NE(want, defaults) << "the flag changed nothing";
    std::vector<Args> forms = {{"--" + f.gnu + "=" + f.value}};
    if (!f.go.empty()) {
      forms.push_back({"-" + f.go, f.value});
      forms.push_back({"-" + f.go + "=" + f.value});
      forms.push_back({"--" + f.go, f.value});
    }
    for (const auto& form : forms) {
      SCOPED_TRACE(form[0]);
      EXPECT_EQ(describe(parse_ok(concat(base, form))), want);
    }
  }
}

TEST(NodeOptions, EveryBooleanInEverySpelling) {
  struct Bool {
    std::string gnu, go;
    bool lp::NodeOptions::*field;
  };
  const std::vector<Bool> flags = {
      {"orchestrator", "orchestrator", &lp::NodeOptions::orchestrator},
      {"transcoder", "transcoder", &lp::NodeOptions::transcoder},
      {"gateway", "gateway", &lp::NodeOptions::gateway},
      {"gateway", "broadcaster", &lp::NodeOptions::gateway},
      {"monitor", "monitor", &lp::NodeOptions::monitor},
      {"test-transcoder", "testTranscoder", &lp::NodeOptions::test_transcoder},
      {"require-client-signature", "", &lp::NodeOptions::require_client_signature},
  };
  for (const auto& f : flags) {
    SCOPED_TRACE(f.gnu + " / " + f.go);
    // A valid role to sit beside: --orchestrator, or orchestrators for a gateway (which runs alone).
    const Args base = f.field == &lp::NodeOptions::gateway ? Args{"--orch-addr", "h:1"} : Args{"--orchestrator"};
    const auto want = parse_ok(concat(base, {"--" + f.gnu}));
    EXPECT_TRUE(want.*f.field);
    std::vector<std::string> forms = {"--" + f.gnu + "=true"};
    if (!f.go.empty()) {
      for (const char* v : {"", "=true", "=1", "=t", "=TRUE", "=True"}) {
        forms.push_back("-" + f.go + v);
        forms.push_back("--" + f.go + v);
      }
    }
    for (const auto& form : forms) {
      SCOPED_TRACE(form);
      EXPECT_EQ(describe(parse_ok(concat(base, {form}))), describe(want));
    }
    if (f.gnu != "orchestrator" && f.gnu != "gateway") {  // turning the only role off leaves none
      const auto off = parse_ok(concat(base, {"--" + f.gnu, "--" + f.gnu + "=false"}));
      EXPECT_FALSE(off.*f.field) << "the last one given wins";
    }
  }
}

TEST(NodeOptions, Defaults) {
  const auto o = parse_ok({"--orchestrator"});
  EXPECT_EQ(o.http_addr, "0.0.0.0:8935");
  EXPECT_EQ(o.cli_addr, "127.0.0.1:7935");
  EXPECT_EQ(o.service_addr, "");
  EXPECT_EQ(o.data_dir, "");
  EXPECT_EQ(o.max_sessions, 10);
  EXPECT_FALSE(o.max_sessions_auto);
  ASSERT_EQ(o.transcoding_options.size(), 2u);  // go-livepeer's default
  EXPECT_EQ(o.transcoding_options[0].name, "P240p30fps16x9");
  EXPECT_EQ(o.transcoding_options[1].name, "P360p30fps16x9");
  EXPECT_EQ(o.price_per_unit, 0);
  EXPECT_EQ(o.pixels_per_unit, 1);
  EXPECT_EQ(o.verbosity, 0);
}

TEST(NodeOptions, GoLivepeerOrchestratorCommandLine) {
  const auto o = parse_ok({"-orchestrator", "-transcoder", "-serviceAddr", "127.0.0.1:8935", "-orchSecret", "secret",
                           "-maxSessions", "4", "-transcodingOptions", "P240p30fps16x9,P360p30fps16x9", "-v", "6"});
  EXPECT_TRUE(o.orchestrator);
  EXPECT_TRUE(o.transcoder);
  EXPECT_FALSE(o.gateway);
  EXPECT_EQ(o.service_addr, "127.0.0.1:8935");
  EXPECT_EQ(o.orch_secret, "secret");
  EXPECT_EQ(o.max_sessions, 4);
  ASSERT_EQ(o.transcoding_options.size(), 2u);
  EXPECT_EQ(o.transcoding_options[1].name, "P360p30fps16x9");
  EXPECT_EQ(o.verbosity, 6);
  const auto gnu =
      parse_ok({"--orchestrator", "--transcoder", "--service-addr=127.0.0.1:8935", "--orch-secret", "secret",
                "--max-sessions", "4", "--transcoding-options", "P240p30fps16x9,P360p30fps16x9", "--verbosity", "6"});
  EXPECT_EQ(describe(gnu), describe(o));
}

TEST(NodeOptions, GoLivepeerTranscoderCommandLine) {
  const auto o = parse_ok({"-transcoder", "-orchAddr", "127.0.0.1:8935", "-orchSecret", "secret", "-nvidia", "0,1"});
  EXPECT_TRUE(o.transcoder);
  EXPECT_FALSE(o.orchestrator);
  EXPECT_EQ(o.orch_addr, "127.0.0.1:8935");
  EXPECT_EQ(o.orch_secret, "secret");
  EXPECT_EQ(o.nvidia, "0,1");
  const auto gnu = parse_ok({"--transcoder", "--orch-addr=127.0.0.1:8935", "--orch-secret=secret", "--nvidia=0,1"});
  EXPECT_EQ(describe(gnu), describe(o));
}

// A transcoder works for lpgst and go-livepeer orchestrators; -testTranscoder (refused until
// that was so) is a go-livepeer transcoder flag, taken now.
TEST(NodeOptions, OrchestratorProtocolAndTranscoderCliAddr) {
  const Args base = {"-transcoder", "-orchAddr", "o:8935", "-orchSecret", "s"};
  auto o = parse_ok(base);
  EXPECT_EQ(o.orch_protocol, "auto");
  EXPECT_FALSE(o.cli_addr_given);
  EXPECT_TRUE(o.test_transcoder);
  for (const char* p : {"auto", "lpgst", "livepeer"})
    EXPECT_EQ(parse_ok(concat(base, {"--orch-protocol", p})).orch_protocol, p);
  const std::string e = parse_error(concat(base, {"--orch-protocol", "grpc"}));
  EXPECT_NE(e.find("--orch-protocol"), std::string::npos) << e;
  EXPECT_NE(e.find("auto, lpgst or livepeer"), std::string::npos) << e;
  o = parse_ok(concat(base, {"-cliAddr", "127.0.0.1:7936", "-testTranscoder=false"}));
  EXPECT_TRUE(o.cli_addr_given);
  EXPECT_EQ(o.cli_addr, "127.0.0.1:7936");
  EXPECT_FALSE(o.test_transcoder);
}

TEST(NodeOptions, SecretFromFile) {
  const TempDir dir;
  const Args base = {"--orchestrator", "--orch-secret"};
  EXPECT_EQ(parse_ok(concat(base, {dir.write("plain", "abc")})).orch_secret, "abc");
  EXPECT_EQ(parse_ok(concat(base, {dir.write("lf", "abc\n")})).orch_secret, "abc");
  EXPECT_EQ(parse_ok(concat(base, {dir.write("crlf", "abc\r\n")})).orch_secret, "abc");
  // Only one line end goes; spaces belong to the secret.
  EXPECT_EQ(parse_ok(concat(base, {dir.write("two", "abc\n\n")})).orch_secret, "abc\n");
  EXPECT_EQ(parse_ok(concat(base, {dir.write("sp", " abc \n")})).orch_secret, " abc ");
  EXPECT_EQ(parse_ok({"-orchestrator", "-orchSecret=" + dir.write("go", "abc\n")}).orch_secret, "abc");
  // A value that names no file is the secret itself, unless it looks like a path: a typo in a
  // file name must not become the secret.
  EXPECT_EQ(parse_ok(concat(base, {"plain-secret"})).orch_secret, "plain-secret");
  EXPECT_NE(parse_error(concat(base, {dir.path() + "/missing"})).find("no such file"), std::string::npos);

  const auto empty = parse_error(concat(base, {dir.write("empty", "")}));
  EXPECT_NE(empty.find("--orch-secret"), std::string::npos) << empty;
  EXPECT_NE(empty.find("empty"), std::string::npos) << empty;
  EXPECT_NE(parse_error(concat(base, {dir.write("nl", "\n")})).find("empty"), std::string::npos);
  EXPECT_NE(parse_error({"--orchestrator", "--orch-secret="}).find("empty"), std::string::npos);
  EXPECT_NE(parse_error(concat(base, {dir.path()})).find("not a regular file"), std::string::npos);
}

TEST(NodeOptions, PasswordFromFile) {
  const TempDir dir;
  const auto file = dir.write("password.txt", "pass word\r\n");
  EXPECT_EQ(parse_ok({"--orchestrator", "--eth-password", file}).eth_password, "pass word");
  EXPECT_EQ(parse_ok({"-orchestrator", "-ethPassword", file}).eth_password, "pass word");
  EXPECT_EQ(parse_ok({"--orchestrator", "--eth-password", "literal"}).eth_password, "literal");
}

TEST(NodeOptions, UnreadableSecretFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const TempDir dir;
  const auto file = dir.write("secret", "abc");
  std::filesystem::permissions(file, std::filesystem::perms::none);
  const auto err = parse_error({"--orchestrator", "--orch-secret", file});
  EXPECT_NE(err.find("cannot read"), std::string::npos) << err;
}

TEST(NodeOptions, Addresses) {
  auto http = [](const std::string& v) { return parse_ok({"-orchestrator", "-httpAddr", v}); };
  EXPECT_EQ(http(":8935").http_addr, "0.0.0.0:8935");
  EXPECT_EQ(http("127.0.0.1:0").http_addr, "127.0.0.1:0");  // port 0: pick a free one
  EXPECT_EQ(http("10.1.2.3").http_addr, "10.1.2.3:8935");   // go-livepeer adds the port
  EXPECT_EQ(http("[::1]:9000").http_addr, "[::1]:9000");
  EXPECT_EQ(http("[::]").http_addr, "[::]:8935");
  EXPECT_EQ(http("localhost:08935").http_addr, "localhost:8935");
  EXPECT_EQ(parse_ok({"--orchestrator", "--cli-addr", ":7935"}).cli_addr, "0.0.0.0:7935");
  EXPECT_EQ(parse_ok({"--orchestrator", "--cli-addr", "127.0.0.2"}).cli_addr, "127.0.0.2:7935");
  EXPECT_EQ(parse_ok({"--orchestrator", "--service-addr", "node.example.com"}).service_addr, "node.example.com:8935");
  // TLS unless the address says http://; clients keep an explicit http:// (plain).
  EXPECT_FALSE(http("127.0.0.1:9").http_plain);
  EXPECT_FALSE(http("https://127.0.0.1:9").http_plain);
  const auto plain = http("http://127.0.0.1:9");
  EXPECT_TRUE(plain.http_plain);
  EXPECT_EQ(plain.http_addr, "127.0.0.1:9");
  auto orch = [](const std::string& v) { return parse_ok({"--transcoder", "--orch-secret=s", "--orch-addr", v}); };
  EXPECT_EQ(orch("h:1").orch_addr, "h:1");
  EXPECT_EQ(orch("https://h:1").orch_addr, "h:1");
  EXPECT_EQ(orch("http://h:1").orch_addr, "http://h:1");
  EXPECT_EQ(parse_ok({"--transcoder", "--orch-secret=s", "--orch-addr", "h:1", "--orch-cert-sha256",
                      "AB:" + std::string(62, 'c')})
                .orch_cert_sha256,
            "ab" + std::string(62, 'c'));

  struct Bad {
    Args args;
    std::string needle;
  };
  const std::vector<Bad> bad = {
      {{"--orchestrator", "--http-addr", "127.0.0.1:65536"}, "--http-addr: port"},
      {{"--orchestrator", "--http-addr", "127.0.0.1:x"}, "--http-addr: port"},
      {{"--orchestrator", "--http-addr", "127.0.0.1:"}, "--http-addr: port"},
      {{"--orchestrator", "-httpAddr=::1:8935"}, "-httpAddr: put an IPv6 address in brackets"},
      {{"--orchestrator", "--http-addr="}, "--http-addr: expected host:port"},
      {{"--orchestrator", "--http-addr", "[::1"}, "--http-addr: expected host:port"},
      {{"--orchestrator", "--http-addr", "[::1]8935"}, "--http-addr: expected host:port"},
      {{"--orchestrator", "--cli-addr", "a b:1"}, "--cli-addr: expected host:port"},
      {{"--orchestrator", "--service-addr", ":8935"}, "--service-addr: needs a host"},
      {{"--transcoder", "--orch-secret=s", "-orchAddr", ":8935"}, "-orchAddr: needs a host"},
      {{"--transcoder", "--orch-secret=s", "--orch-addr", "h:0"}, "--orch-addr: port must be 1"},
      {{"--transcoder", "--orch-secret=s", "--orch-addr", "ftp://h:8935"}, "--orch-addr: expected host:port"},
      {{"--orchestrator", "--http-addr", "https://h:1/x"}, "--http-addr: expected host:port"},
      {{"--transcoder", "--orch-secret=s", "--orch-addr", "h:1", "--orch-cert-sha256", "abc"},
       "--orch-cert-sha256: expected 64 hex digits"},
      {{"--transcoder", "--orch-secret=s", "--orch-addr", "a:1,b:2"}, "--transcoder works for one orchestrator"},
      {{"--gateway", "--orch-addr", "a:1,:2"}, "--orch-addr: needs a host"},
  };
  for (const auto& b : bad) {
    const auto err = parse_error(b.args);
    EXPECT_EQ(err.rfind(b.needle, 0), 0u) << err;
  }
}

TEST(NodeOptions, MissingValues) {
  for (const Args& args : std::vector<Args>{
           {"--orchestrator", "--orch-secret"},
           {"--orchestrator", "-maxSessions"},
           {"--orchestrator", "-v"},
           {"--orchestrator", "--http-addr", "--cli-addr", "127.0.0.1:1"},
           {"-orchSecret", "-orchestrator"},
           {"--orchestrator", "--transcoding-options", "--max-sessions=4"},
       }) {
    const auto err = parse_error(args);
    EXPECT_NE(err.find("needs a value"), std::string::npos) << err;
  }
  EXPECT_EQ(parse_error({"--orchestrator", "-maxSessions"}), "-maxSessions needs a value (N|auto)");
  // A value may start with a dash when it is not one of our flags.
  EXPECT_EQ(parse_ok({"--orchestrator", "--orch-secret", "-not-a-flag"}).orch_secret, "-not-a-flag");
}

TEST(NodeOptions, BadNumbers) {
  struct Bad {
    Args args;
    std::string prefix;
  };
  const std::vector<Bad> bad = {
      {{"--max-sessions", "0"}, "--max-sessions: expected a number from 1 to 100000 or auto"},
      {{"--max-sessions", "100001"}, "--max-sessions: expected"},
      {{"--max-sessions", "4x"}, "--max-sessions: expected"},
      {{"--max-sessions", "-1"}, "--max-sessions: expected"},
      {{"--max-sessions", " 4"}, "--max-sessions: expected"},
      {{"--max-sessions="}, "--max-sessions: expected"},
      {{"-maxSessions=AUTO"}, "-maxSessions: expected"},
      {{"-maxSessions", "99999999999999999999"}, "-maxSessions: expected"},
      {{"-pricePerUnit", "0.50USD"}, "-pricePerUnit: expected a whole number of wei"},
      {{"--price-per-unit", "-5"}, "--price-per-unit: expected"},
      {{"-pixelsPerUnit", "0"}, "-pixelsPerUnit: expected"},
      {{"-pixelsPerUnit", "1e12"}, "-pixelsPerUnit: expected"},
      {{"-v", "loud"}, "-v: expected a level"},
      {{"--verbosity=-1"}, "--verbosity: expected"},
      {{"-nvidia", "gpu0"}, "-nvidia: expected GPU ids like 0,1 or all"},
      {{"-nvidia", "0,"}, "-nvidia: expected GPU ids"},
      {{"-nvidia", ",1"}, "-nvidia: expected GPU ids"},
      {{"-orchestrator=yes"}, "-orchestrator: expected true or false"},
      {{"--monitor="}, "--monitor: expected true or false"},
  };
  for (const auto& b : bad) {
    const auto err = parse_error(concat({"--orchestrator"}, b.args));
    EXPECT_EQ(err.rfind(b.prefix, 0), 0u) << err;
  }
}

TEST(NodeOptions, TranscodingOptions) {
  const auto json = parse_ok(
      {"--orchestrator", "--transcoding-options", R"([{"name":"a","width":640,"height":360,"bitrate":900000}])"});
  ASSERT_EQ(json.transcoding_options.size(), 1u);
  EXPECT_EQ(json.transcoding_options[0].name, "a");
  EXPECT_EQ(json.transcoding_options[0].bitrate, 900000);

  const TempDir dir;
  const auto file = dir.write("profiles.json", R"([{"name":"f","width":320,"height":240,
    "bitrate":400000}])");
  const auto from_file = parse_ok({"-orchestrator", "-transcodingOptions", file});
  ASSERT_EQ(from_file.transcoding_options.size(), 1u);
  EXPECT_EQ(from_file.transcoding_options[0].name, "f");

  const auto err = parse_error({"--orchestrator", "-transcodingOptions=P999p"});
  EXPECT_EQ(err.rfind("-transcodingOptions: unknown profile preset", 0), 0u) << err;
}

TEST(NodeOptions, MaxSessionsAutoNeedsOrchestrator) {
  const auto o = parse_ok({"--orchestrator", "--transcoder", "--max-sessions", "auto"});
  EXPECT_TRUE(o.max_sessions_auto);
  const auto err = parse_error({"--transcoder", "--orch-addr=h:1", "--orch-secret=s", "--max-sessions", "auto"});
  EXPECT_NE(err.find("--max-sessions auto needs --orchestrator"), std::string::npos) << err;
  const auto last = parse_ok({"--orchestrator", "--max-sessions", "auto", "-maxSessions", "3"});
  EXPECT_FALSE(last.max_sessions_auto);
  EXPECT_EQ(last.max_sessions, 3);
}

TEST(NodeOptions, Roles) {
  EXPECT_NE(parse_error({}).find("no role"), std::string::npos);
  EXPECT_NE(parse_error({"--max-sessions", "4"}).find("no role"), std::string::npos);
  EXPECT_EQ(parse_error({"--transcoder", "--orch-secret", "s"}),
            "--transcoder without --orchestrator needs --orch-addr");
  EXPECT_EQ(parse_error({"-transcoder", "-orchAddr", "h:1"}),
            "--transcoder without --orchestrator needs --orch-secret");
  const auto gateway = parse_ok({"--gateway", "--orch-addr", "a:1,b.example:2", "--rtmp-addr", ":1936"});
  EXPECT_TRUE(gateway.gateway);
  EXPECT_EQ(gateway.orch_addrs, (std::vector<std::string>{"a:1", "b.example:2"}));
  EXPECT_EQ(gateway.rtmp_addr, "0.0.0.0:1936");
  EXPECT_TRUE(parse_ok({"-broadcaster", "-orchAddr", "a:1", "-rtmpAddr", "127.0.0.1:1935"}).gateway);
  EXPECT_NE(parse_error({"--gateway"}).find("--gateway needs --orch-addr"), std::string::npos);
  EXPECT_NE(parse_error({"--orchestrator", "--transcoder", "--gateway", "--orch-addr", "a:1"}).find("own process"),
            std::string::npos);
}

TEST(NodeOptions, PaymentFlags) {
  auto o = lp::parse_node_options({"-orchestrator", "-network", "devenv", "-ethUrl", "http://127.0.0.1:8545",
                               "-ethController", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "-ticketEV", "5000",
                               "-maxFaceValue", "900000", "-pricePerGateway", "{\"gateways\":[]}",
                               "-autoAdjustPrice=false", "-blockPollingInterval", "2", "-pricePerBroadcaster", "{}"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->network, "devenv");
  EXPECT_EQ(o->eth_url, "http://127.0.0.1:8545");
  EXPECT_EQ(o->eth_controller, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  EXPECT_EQ(o->ticket_ev, "5000");
  EXPECT_EQ(o->max_face_value, "900000");
  EXPECT_EQ(o->price_per_gateway, "{}");  // the alias, given last, wins
  EXPECT_FALSE(o->auto_adjust_price);
  EXPECT_EQ(o->block_polling_interval_s, 2);
  EXPECT_EQ(lp::parse_node_options({"-orchestrator"})->network, "offchain");
  EXPECT_NE(parse_error({"-orchestrator", "-network", "rinkeby"}).find("offchain, devenv or arbitrum-one-mainnet"),
            std::string::npos);
  EXPECT_NE(parse_error({"-orchestrator", "-ethUrl", "ws://x"}).find("http:// or https://"), std::string::npos);
  EXPECT_NE(parse_error({"-orchestrator", "-ethController", "0x12"}).find("a 0x address"), std::string::npos);
  EXPECT_NE(parse_error({"-orchestrator", "-ticketEV", "0"}).find("1 or more"), std::string::npos);
  EXPECT_NE(parse_error({"-orchestrator", "-ticketEV", "1e12"}).find("whole number of wei"), std::string::npos);
  EXPECT_NE(parse_error({"-orchestrator", "-maxFaceValue", "0x10"}).find("whole number of wei"), std::string::npos);
  EXPECT_NE(parse_error({"-orchestrator", "-blockPollingInterval", "0"}).find("1 to 3600"), std::string::npos);
}

TEST(NodeOptions, UnknownFlagsAndArguments) {
  EXPECT_EQ(parse_error({"--orchestrator", "-foo"}), "unknown flag -foo (lpnode --help lists the flags)");
  EXPECT_EQ(parse_error({"--orchestrator", "--foo=bar"}).rfind("unknown flag --foo ", 0), 0u);
  const auto go = parse_error({"-orchestrator", "-maxTicketEV", "1"});
  EXPECT_EQ(go.rfind("unknown flag -maxTicketEV (a go-livepeer flag lpgst does not support", 0), 0u) << go;
  EXPECT_NE(parse_error({"-redeemer"}).find("go-livepeer flag"), std::string::npos);
  // GNU names are case-sensitive, like Go's.
  EXPECT_EQ(parse_error({"-Orchestrator"}).rfind("unknown flag -Orchestrator", 0), 0u);

  EXPECT_NE(parse_error({"--orchestrator", "extra"}).find("unexpected argument \"extra\""), std::string::npos);
  // A Go boolean takes no separate value.
  EXPECT_NE(parse_error({"-orchestrator", "true"}).find("unexpected argument \"true\""), std::string::npos);
  EXPECT_NE(parse_error({"--orchestrator", "-"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(parse_error({"--orchestrator", "---x"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(parse_error({"--orchestrator", "--", "x"}).find("unexpected argument \"x\""), std::string::npos);
  EXPECT_TRUE(parse_ok({"--orchestrator", "--"}).orchestrator);
}

TEST(NodeOptions, HelpAndVersionNeedNoRole) {
  for (const char* flag : {"--help", "-h", "-help", "--h"}) {
    EXPECT_TRUE(parse_ok({flag}).help) << flag;
  }
  EXPECT_TRUE(parse_ok({"--version"}).version);
  EXPECT_TRUE(parse_ok({"-version"}).version);
  EXPECT_NE(parse_error({"--help", "--nope"}).find("unknown flag --nope"), std::string::npos);
}

TEST(NodeOptions, UsageListsEveryFlagWithItsGoSpellingAndDefault) {
  const std::string usage = lp::node_usage();
  for (const char* gnu : {"--orchestrator",
                          "--transcoder",
                          "--gateway",
                          "--http-addr [http://]HOST:PORT",
                          "--service-addr",
                          "--cli-addr",
                          "--orch-addr",
                          "--orch-secret",
                          "--max-sessions N|auto",
                          "--transcoding-options",
                          "--data-dir",
                          "--pipeline-template",
                          "--nvidia",
                          "--eth-keystore-path",
                          "--eth-password",
                          "--eth-acct-addr",
                          "--require-client-signature",
                          "--price-per-unit",
                          "--pixels-per-unit",
                          "--monitor",
                          "--verbosity",
                          "--help",
                          "--version"}) {
    EXPECT_NE(usage.find(gnu), std::string::npos) << gnu;
  }
  for (const char* go :
       {"-orchestrator", "-broadcaster", "-httpAddr", "-serviceAddr", "-cliAddr", "-orchAddr", "-orchSecret",
        "-maxSessions", "-transcodingOptions", "-dataDir", "-datadir", "-nvidia", "-ethKeystorePath", "-ethPassword",
        "-ethAcctAddr", "-pricePerUnit", "-pixelsPerUnit", "-monitor", "(go-livepeer: -v)", "-network", "-ethUrl",
        "-ethController", "-ticketEV", "-maxFaceValue", "-pricePerGateway", "-autoAdjustPrice",
        "-blockPollingInterval"}) {
    EXPECT_NE(usage.find(go), std::string::npos) << go;
  }
  for (const char* def : {"default 0.0.0.0:8935", "default 127.0.0.1:7935", "default 10",
                          "default P240p30fps16x9,P360p30fps16x9", "default $HOME/.lpgst"}) {
    EXPECT_NE(usage.find(def), std::string::npos) << def;
  }
}

}  // namespace
