#include "node_cluster.h"

#include <gtest/gtest.h>
#include <json-glib/json-glib.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "keystore_dir.h"
#include "profile.h"
#include "sha256.h"

namespace lp::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Lives for the whole test process: keys and segments are shared by every test in it.
TempDir& shared_dir() {
  static auto* dir = new TempDir();  // never destroyed before the processes using it
  return *dir;
}

int64_t int_member(JsonObject* o, const char* name) {
  if (!json_object_has_member(o, name)) return 0;
  JsonNode* n = json_object_get_member(o, name);
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN) return json_node_get_boolean(n);
  return JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : 0;
}

std::string string_member(JsonObject* o, const char* name) {
  const char* s = json_object_has_member(o, name) ? json_object_get_string_member(o, name) : nullptr;
  return s ? s : "";
}

}  // namespace

std::string lpnode_binary() {
  const char* path = std::getenv("LPNODE");
  return path ? path : "lpnode";
}

std::string lpctl_binary() {
  const char* path = std::getenv("LPCTL");
  return path ? path : "lpctl";
}

Ran run_lpctl(const std::vector<std::string>& args, const std::string& name, std::chrono::seconds limit) {
  auto p = NodeProcess::start(lpctl_binary(), args, name);
  auto status = p->wait_exit(limit);
  return {status.value_or(-1), p->log()};
}

const TestKey& test_key() {
  static TestKey key = [] {
    TestKey k;
    auto secret = eth::PrivateKey::generate();
    if (!secret) throw std::runtime_error(secret.error().message);
    const std::string dir = shared_dir().file("keystore");
    auto path = eth::write_keystore_file(dir, *secret, "test password", eth::kScryptLight);
    if (!path) throw std::runtime_error(path.error().message);
    k.keystore = *path;
    k.password_file = shared_dir().file("password.txt");
    std::ofstream(k.password_file) << "test password\n";
    k.address = secret->address().checksummed();
    return k;
  }();
  return key;
}

std::string Orchestrator::url(const std::string& path) const {
  return (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(http_port) + path;
}

std::string Orchestrator::address() const {
  return (tls ? "127.0.0.1:" : "http://127.0.0.1:") + std::to_string(http_port);
}

std::string Orchestrator::cli_url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(cli_port) + path;
}

Orchestrator start_orchestrator(const OrchestratorOptions& options, const std::string& name) {
  Orchestrator o;
  o.http_port = options.http_port ? options.http_port : free_port();
  o.cli_port = options.cli_port ? options.cli_port : free_port();
  const TestKey& key = test_key();
  o.tls = options.tls;
  std::vector<std::string> args = {"--orchestrator",
                                   "--http-addr",
                                   o.address(),
                                   "--cli-addr",
                                   "127.0.0.1:" + std::to_string(o.cli_port),
                                   "--max-sessions",
                                   options.max_sessions,
                                   "--eth-keystore-path",
                                   key.keystore,
                                   "--eth-password",
                                   key.password_file};
  if (options.transcoder) args.push_back("--transcoder");
  if (!options.secret.empty()) {
    args.push_back("--orch-secret");
    args.push_back(options.secret);
  }
  args.insert(args.end(), options.extra.begin(), options.extra.end());
  o.process = NodeProcess::start(lpnode_binary(), args, name);
  EXPECT_TRUE(o.process->wait_for_log("lpnode: orchestrator on", seconds(20))) << o.process->log();
  return o;
}

std::unique_ptr<NodeProcess> start_transcoder(const Orchestrator& orch, int capacity, const std::string& name,
                                              const std::string& secret, bool wait) {
  auto t = NodeProcess::start(lpnode_binary(),
                              {"--transcoder", "--orch-addr", orch.address(), "--orch-secret", secret, "--max-sessions",
                               std::to_string(capacity)},
                              name);
  if (wait) {
    EXPECT_TRUE(t->wait_for_log("registered with the orchestrator", seconds(20))) << t->log();
  }
  return t;
}

std::string auth_token(const Orchestrator& orch) {
  HttpResponse r = http_request("GET", orch.url("/v1/info"));
  if (r.status != 200) return "";
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, r.body.c_str(), -1, nullptr)) return "";
  JsonObject* token = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)), "auth_token");
  if (!token) return "";
  return string_member(token, "session_id") + "." + std::to_string(int_member(token, "expiry")) + "." +
         string_member(token, "hmac");
}

std::map<std::string, std::string> segment_headers(const std::string& token, const std::string& stream, int64_t seq,
                                                   const std::string& body, const std::string& profiles) {
  std::string profiles_json = profiles;
  if (!profiles.empty() && profiles.front() != '[') {  // preset names -> their JSON
    auto parsed = parse_profiles(profiles);
    if (!parsed) throw std::runtime_error(parsed.error().message);
    profiles_json = "[";
    for (const auto& p : *parsed) profiles_json += (profiles_json.size() > 1 ? "," : "") + profile_to_json(p);
    profiles_json += "]";
  }
  return {{"Lp-Auth-Token", token},        {"Lp-Stream-Id", stream},
          {"Lp-Seq", std::to_string(seq)}, {"Lp-Duration-Ms", "1000"},
          {"Lp-Profiles", profiles_json},  {"Lp-Body-Sha256", sha256_hex(body.data(), body.size())},
          {"Content-Type", "video/mp2t"}};
}

HttpResponse post_segment(const Orchestrator& orch, const std::string& token, const std::string& stream, int64_t seq,
                          const std::string& body, const std::string& profiles, milliseconds timeout) {
  return http_request("POST", orch.url("/v1/segment"), body, segment_headers(token, stream, seq, body, profiles),
                      timeout);
}

std::string error_code(const HttpResponse& response) {
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, response.body.c_str(), static_cast<gssize>(response.body.size()), nullptr))
    return "";
  JsonNode* root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return "";
  JsonObject* o = json_node_get_object(root);
  if (!json_object_has_member(o, "error")) return "";
  return string_member(json_object_get_object_member(o, "error"), "code");
}

Status get_status(const Orchestrator& orch) {
  Status s;
  HttpResponse r = http_request("GET", orch.cli_url("/status"), "", {}, seconds(5));
  if (r.status != 200) return s;
  s.raw = r.body;
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, r.body.c_str(), -1, nullptr)) return s;
  JsonObject* root = json_node_get_object(json_parser_get_root(parser));
  JsonObject* o = json_object_get_object_member(root, "orchestrator");
  s.max_sessions = static_cast<int>(int_member(o, "max_sessions"));
  s.sessions_in_use = static_cast<int>(int_member(o, "sessions_in_use"));
  JsonArray* ts = json_object_get_array_member(root, "transcoders");
  for (guint i = 0; i < json_array_get_length(ts); ++i) {
    JsonObject* t = json_array_get_object_element(ts, i);
    s.transcoders.push_back({string_member(t, "id"), string_member(t, "address"), int_member(t, "local") != 0,
                             static_cast<int>(int_member(t, "capacity")), static_cast<int>(int_member(t, "load")),
                             static_cast<int>(int_member(t, "segments")), string_member(t, "protocol")});
  }
  JsonObject* totals = json_object_get_object_member(root, "totals");
  GList* names = json_object_get_members(totals);
  for (GList* l = names; l; l = l->next) {
    const char* name = static_cast<const char*>(l->data);
    s.totals[name] = int_member(totals, name);
  }
  g_list_free(names);
  s.ok = true;
  return s;
}

bool wait_for_transcoders(const Orchestrator& orch, size_t n, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    Status s = get_status(orch);
    if (s.ok && s.transcoders.size() == n) return true;
    std::this_thread::sleep_for(milliseconds(25));
  }
  return false;
}

double metric_value(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  double sum = 0;
  bool found = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    const std::string key = line.substr(0, space);
    if (key == name || (key.starts_with(name + "{"))) {
      sum += std::stod(line.substr(space + 1));
      found = true;
    }
  }
  return found ? sum : -1;
}

std::string file_string(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::vector<std::string>& small_segments() {
  static std::vector<std::string> segments = [] {
    MediaSpec spec;
    spec.width = 320;
    spec.height = 180;
    spec.seconds = 8;
    spec.gop_frames = 30;
    spec.audio_codec = "aac";
    std::vector<std::string> out;
    for (const auto& path : make_ts_segments(spec, 1.0, shared_dir(), "small")) out.push_back(file_string(path));
    return out;
  }();
  return segments;
}

}  // namespace lp::test
