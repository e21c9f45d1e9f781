#include "devnet.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#ifndef LP_SOURCE_DIR
#error "LP_SOURCE_DIR must name the source tree (meson sets it)"
#endif

namespace lp::test {
namespace {

Error fail(std::string message) { return Error{ErrorCode::Internal, "devnet: " + std::move(message)}; }

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = g_getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string tail_of_file(const std::string& path, size_t lines) {
  g_autofree char* text = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(path.c_str(), &text, &size, nullptr)) return "(no " + path + ")";
  std::string_view all(text, size);
  while (!all.empty() && all.back() == '\n') all.remove_suffix(1);
  size_t start = all.size();
  for (size_t n = 0; n < lines && start > 0; ++n) {
    const size_t nl = all.rfind('\n', start - 1);
    start = nl == std::string_view::npos ? 0 : nl;
  }
  return std::string(all.substr(start));
}

// Runs argv in `cwd` with `env` added, stdout and stderr into `log`, for at most `timeout_s`.
// A script that overruns is killed (its setsid children are the caller's to clean up).
Result<void> run_logged(const std::vector<std::string>& argv, const std::string& cwd,
                        const std::vector<std::pair<std::string, std::string>>& env, const std::string& log,
                        int timeout_s) {
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_cwd(launcher, cwd.c_str());
  for (const auto& [k, v] : env) g_subprocess_launcher_setenv(launcher, k.c_str(), v.c_str(), TRUE);
  g_subprocess_launcher_set_stdout_file_path(launcher, log.c_str());
  std::vector<const char*> args;
  for (const auto& a : argv) args.push_back(a.c_str());
  args.push_back(nullptr);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GSubprocess) proc = g_subprocess_launcher_spawnv(launcher, args.data(), &error);
  if (!proc) return fail("cannot run " + argv[0] + ": " + error->message);

  // Wait on a private context so the timeout can interrupt the wait.
  g_autoptr(GMainContext) ctx = g_main_context_new();
  g_main_context_push_thread_default(ctx);
  bool done = false;
  g_subprocess_wait_async(
      proc, nullptr, [](GObject*, GAsyncResult*, gpointer d) { *static_cast<bool*>(d) = true; }, &done);
  bool timed_out = false;
  GSource* timer = g_timeout_source_new_seconds(static_cast<guint>(timeout_s));
  g_source_set_callback(
      timer, [](gpointer d) { return *static_cast<bool*>(d) = true, G_SOURCE_REMOVE; }, &timed_out, nullptr);
  g_source_attach(timer, ctx);
  while (!done && !timed_out) g_main_context_iteration(ctx, TRUE);
  if (!done) {
    g_subprocess_force_exit(proc);
    while (!done) g_main_context_iteration(ctx, TRUE);
  }
  g_source_destroy(timer);
  g_source_unref(timer);
  g_main_context_pop_thread_default(ctx);

  const std::string what = argv[0] + " (log " + log + ")";
  if (timed_out)
    return fail(what + " did not finish in " + std::to_string(timeout_s) + " s:\n" + tail_of_file(log, 30));
  if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
    return fail(what + " failed:\n" + tail_of_file(log, 30));
  }
  return {};
}

// The test binary's directory: the build tree, whatever the working directory.
std::string exe_dir() {
  g_autofree char* exe = g_file_read_link("/proc/self/exe", nullptr);
  g_autofree char* dir = g_path_get_dirname(exe ? exe : ".");
  return dir;
}

// Holds an exclusive flock on a file for as long as it lives.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    while (fd_ >= 0 && flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// An unused loopback port (the kernel's pick; start.sh checks again that it is free).
int free_port() {
  g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  if (!s || !g_socket_bind(s, any, FALSE, nullptr)) return 0;
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, nullptr);
  return bound ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)) : 0;
}

bool pid_alive(long pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// Instance directories of test processes that are gone: stop a chain they left running
// (stop.sh checks that the PID is our hardhat node) and remove them.
void prune_instances(const std::string& runs) {
  g_autoptr(GDir) d = g_dir_open(runs.c_str(), 0, nullptr);
  if (!d) return;
  while (const char* name = g_dir_read_name(d)) {
    if (pid_alive(std::atol(name))) continue;
    const std::string dir = runs + "/" + name;
    if (g_file_test((dir + "/run/node.pid").c_str(), G_FILE_TEST_EXISTS)) {
      (void)run_logged({dir + "/stop.sh"}, dir, {}, dir + "/stop.log", 30);
    }
    (void)run_logged({"rm", "-rf", dir}, runs, {}, "/dev/null", 60);
  }
}

const char* kSetUpCopy = R"(set -eu
src=$1; dst=$2
mkdir -p "$dst"
for f in "$src"/* "$src"/.[!.]*; do
  [ -e "$f" ] || continue
  n=$(basename "$f")
  case "$n" in node_modules|build|run) continue ;; esac
  if ! diff -rq "$f" "$dst/$n" >/dev/null 2>&1; then
    rm -rf "${dst:?}/$n"
    cp -r "$f" "$dst/$n"
    chmod -R u+w "$dst/$n"
  fi
done
)";

// start.sh, stop.sh, lib/ and protocol-src/ copied (post-deploy.js writes beside its own
// real path), node_modules/ and build/ shared with the set-up copy.
const char* kMakeInstance = R"(set -eu
base=$1; dst=$2
mkdir -p "$dst"
cp "$base/start.sh" "$base/stop.sh" "$base/package.json" "$dst/"
cp -r "$base/lib" "$base/protocol-src" "$dst/"
ln -s "$base/node_modules" "$dst/node_modules"
ln -s "$base/build" "$dst/build"
)";

Result<std::string> string_member(JsonObject* o, const char* key) {
  JsonNode* n = json_object_get_member(o, key);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    return fail(std::string("devnet.json: \"") + key + "\" is not a string");
  }
  return std::string(json_node_get_string(n));
}

Result<eth::Address> address_member(JsonObject* o, const char* key) {
  auto s = string_member(o, key);
  if (!s) return s.error();
  auto a = eth::parse_address(*s);
  if (!a) return fail(std::string("devnet.json: \"") + key + "\": " + a.error().message);
  return *a;
}

}  // namespace

eth::PrivateKey DevnetAccount::key() const {
  auto k = eth::PrivateKey::from_hex(private_key);
  if (!k) g_error("devnet account %s: %s", role.c_str(), k.error().message.c_str());
  return std::move(*k);
}

const eth::Address& DevnetInfo::contract(const std::string& name) const {
  auto it = contracts.find(name);
  if (it == contracts.end()) g_error("devnet.json has no contract %s", name.c_str());
  return it->second;
}

const DevnetAccount& DevnetInfo::account(const std::string& role) const {
  auto it = accounts.find(role);
  if (it == accounts.end()) g_error("devnet.json has no account %s", role.c_str());
  return it->second;
}

Result<DevnetInfo> read_devnet_json(const std::string& path) {
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_file(parser, path.c_str(), &error)) return fail(path + ": " + error->message);
  JsonNode* root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) return fail(path + ": not a JSON object");
  JsonObject* o = json_node_get_object(root);
  DevnetInfo info;
  auto url = string_member(o, "rpcUrl");
  auto controller = address_member(o, "controller");
  auto abi_dir = string_member(o, "abiDir");
  if (!url || !controller || !abi_dir) return !url ? url.error() : !controller ? controller.error() : abi_dir.error();
  info.rpc_url = *url;
  info.controller = *controller;
  info.abi_dir = *abi_dir;
  const int64_t chain_id = json_object_get_int_member_with_default(o, "chainId", 0);
  if (chain_id <= 0) return fail(path + ": no chainId");
  info.chain_id = static_cast<uint64_t>(chain_id);

  JsonObject* contracts = json_object_get_object_member(o, "contracts");
  JsonObject* accounts = json_object_get_object_member(o, "accounts");
  if (!contracts || !accounts) return fail(path + ": no contracts or accounts");
  g_autoptr(GList) names = json_object_get_members(contracts);
  for (GList* l = names; l; l = l->next) {
    auto a = address_member(contracts, static_cast<const char*>(l->data));
    if (!a) return a.error();
    info.contracts[static_cast<const char*>(l->data)] = *a;
  }
  g_autoptr(GList) roles = json_object_get_members(accounts);
  for (GList* l = roles; l; l = l->next) {
    const char* role = static_cast<const char*>(l->data);
    JsonObject* acct = json_object_get_object_member(accounts, role);
    if (!acct) return fail(path + ": account " + role + " is not an object");
    auto addr = address_member(acct, "address");
    auto key = string_member(acct, "privateKey");
    if (!addr || !key) return !addr ? addr.error() : key.error();
    info.accounts[role] = DevnetAccount{role, *addr, *key};
  }
  if (JsonObject* params = json_object_get_object_member(o, "params")) {
    g_autoptr(GList) keys = json_object_get_members(params);
    for (GList* l = keys; l; l = l->next) {
      JsonNode* n = json_object_get_member(params, static_cast<const char*>(l->data));
      if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64) {
        info.params[static_cast<const char*>(l->data)] = json_node_get_int(n);
      }
    }
  }
  return info;
}

std::string lpchain_source() {
  const char* from_env = g_getenv("LPCHAIN_SRC");
  if (from_env && *from_env) return from_env;
  for (const char* candidate : {LP_SOURCE_DIR "/../shared/lpchain", LP_SOURCE_DIR "/shared/lpchain"}) {
    if (g_file_test((std::string(candidate) + "/setup.sh").c_str(), G_FILE_TEST_EXISTS)) return candidate;
  }
  return "";
}

Result<std::unique_ptr<Devnet>> Devnet::start(const DevnetOptions& options) {
  for (const char* tool : {"node", "npm"}) {
    g_autofree char* found = g_find_program_in_path(tool);
    if (!found) {
      return fail(std::string(tool) +
                  " is not installed: the chain tests need node (>= 16) and npm to run Livepeer's contracts on a "
                  "local hardhat devnet (apt-get install nodejs npm; CI installs them)");
    }
  }
  const std::string source = lpchain_source();
  if (!g_file_test((source + "/setup.sh").c_str(), G_FILE_TEST_EXISTS)) {
    return fail("no lpchain at '" + source + "' (set LPCHAIN_SRC to shared/lpchain)");
  }
  const std::string base = env_or("LPCHAIN_WORK_DIR", exe_dir() + "/lpchain");
  const std::string runs = base + "-runs";
  if (g_mkdir_with_parents(runs.c_str(), 0755) != 0) return fail("cannot create " + runs);

  {
    // One process at a time copies and sets up; the others wait here, then find it done.
    FileLock lock(base + ".lock");
    if (!lock.ok()) return fail("cannot lock " + base + ".lock");
    auto copied = run_logged({"bash", "-c", kSetUpCopy, "copy", source, base}, runs, {}, base + ".copy.log", 300);
    if (!copied) return copied.error();
    auto setup = run_logged({base + "/setup.sh"}, base, {}, base + "/setup.log", options.setup_timeout_s);
    if (!setup) return setup.error();
    prune_instances(runs);
  }

  static std::atomic<int> counter{0};
  const std::string dir = runs + "/" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  (void)run_logged({"rm", "-rf", dir}, runs, {}, "/dev/null", 60);
  auto made = run_logged({"bash", "-c", kMakeInstance, "instance", base, dir}, runs, {}, dir + ".make.log", 120);
  if (!made) return made.error();

  // A port can be taken between our probe and the node's bind: start.sh then refuses, and we
  // try another.
  Result<void> started = fail("no free port");
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = free_port();
    if (port == 0) continue;
    started = run_logged(
        {dir + "/start.sh"}, dir,
        {{"LPCHAIN_PORT", std::to_string(port)}, {"LPCHAIN_BLOCK_TIME", std::to_string(options.block_time_s)}},
        dir + "/start.log", options.start_timeout_s);
    if (started || started.error().message.find("already in use") == std::string::npos) break;
  }
  if (!started) {
    (void)run_logged({dir + "/stop.sh"}, dir, {}, dir + "/stop.log", 30);
    return started.error();
  }
  auto info = read_devnet_json(dir + "/run/devnet.json");
  if (!info) {
    (void)run_logged({dir + "/stop.sh"}, dir, {}, dir + "/stop.log", 30);
    return info.error();
  }
  return std::unique_ptr<Devnet>(new Devnet(dir, std::move(*info)));
}

Devnet::~Devnet() {
  auto stopped = run_logged({dir_ + "/stop.sh"}, dir_, {}, dir_ + "/stop.log", 30);
  if (!stopped) g_printerr("%s\n", stopped.error().message.c_str());
}

std::string Devnet::node_log_tail(size_t lines) const { return tail_of_file(dir_ + "/run/node.log", lines); }

}  // namespace lp::test
