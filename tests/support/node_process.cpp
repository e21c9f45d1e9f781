#include "node_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>

namespace lp::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kFailureTail = 4096;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Runs in the child between fork and exec. Its own process group lets the harness kill what
// the child leaves behind; PDEATHSIG kills the child if the test process dies, and the ppid
// check covers a parent that died before prctl() ran.
void child_setup(gpointer parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != static_cast<pid_t>(GPOINTER_TO_INT(parent))) _exit(127);
}

// Log file names keep to characters any filesystem takes.
std::string file_safe(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (!g_ascii_isalnum(c) && c != '-' && c != '_') c = '_';
  }
  return out;
}

}  // namespace

struct NodeProcess::State {
  std::string name;
  pid_t pid = -1;
  std::optional<int> exit_status;  // set once reaped; -1 when it could not be read
  Fd out;                          // read end of the child's stdout+stderr
  Fd file;
  std::string log_path;
  mutable std::mutex mutex;
  std::string log;  // guarded by mutex
  std::atomic<bool> stop{false};
  std::atomic<bool> eof{false};
  std::thread reader;

  void append(const char* data, size_t n) {
    {
      std::lock_guard lock(mutex);
      log.append(data, n);
    }
    if (file.get() >= 0 && write(file.get(), data, n) < 0) file = Fd();
  }

  // Until EOF (every writer gone) or, once asked to stop, until the pipe is drained: a
  // grandchild that keeps the pipe open must not hold the destructor.
  void read_loop() {
    std::array<char, 4096> buf{};
    int drains = 0;
    for (;;) {
      const bool stopping = stop.load();
      pollfd p{out.get(), POLLIN, 0};
      const int r = poll(&p, 1, stopping ? 0 : 100);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 || (r == 0 && stopping) || (stopping && ++drains > 256)) break;
      if (r == 0) continue;
      const ssize_t n = read(out.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      append(buf.data(), static_cast<size_t>(n));
    }
    eof = true;
  }

  // Reaps the child once it has exited (waiting for that if `block`); true once reaped.
  // waitid(WNOWAIT) first: the zombie keeps its id reserved while its group is killed.
  bool poll_exit(bool block) {
    if (exit_status) return true;
    siginfo_t info{};
    const int flags = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    int r;
    while ((r = waitid(P_PID, static_cast<id_t>(pid), &info, flags)) < 0 && errno == EINTR) {
    }
    if (r < 0) {
      exit_status = -1;  // not our child any more (reaped elsewhere)
      return true;
    }
    if (info.si_pid == 0) return false;
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) {
      exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      exit_status = 128 + WTERMSIG(status);
    } else {
      exit_status = -1;
    }
    return true;
  }

  bool log_contains(const std::string& needle) const {
    std::lock_guard lock(mutex);
    return log.find(needle) != std::string::npos;
  }
};

std::unique_ptr<NodeProcess> NodeProcess::start(const std::string& binary, const std::vector<std::string>& args,
                                                const std::string& name) {
  std::array<int, 2> pipe_fds{};
  if (pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    ADD_FAILURE() << name << ": pipe: " << g_strerror(errno);
    return nullptr;
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  GPid pid = 0;
  g_autoptr(GError) error = nullptr;
  const auto flags =
      static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL);
  if (!g_spawn_async_with_pipes_and_fds(nullptr, argv.data(), nullptr, flags, child_setup, GINT_TO_POINTER(getpid()),
                                        -1, write_end.get(), write_end.get(), nullptr, nullptr, 0, &pid, nullptr,
                                        nullptr, nullptr, &error)) {
    ADD_FAILURE() << name << ": cannot start " << binary << ": " << error->message;
    return nullptr;
  }

  std::unique_ptr<NodeProcess> p(new NodeProcess());
  p->state_ = std::make_unique<State>();
  State& s = *p->state_;
  s.name = name;
  s.pid = pid;
  s.out = std::move(read_end);
  const std::string tmpl = "lpnode-" + file_safe(name) + "-XXXXXX.log";
  g_autofree gchar* path = nullptr;
  const int file_fd = g_file_open_tmp(tmpl.c_str(), &path, nullptr);
  s.file = Fd(file_fd);
  if (path) s.log_path = path;
  s.reader = std::thread([&s] { s.read_loop(); });
  return p;
}

NodeProcess::~NodeProcess() {
  State& s = *state_;
  if (!s.poll_exit(false)) kill(-s.pid, SIGKILL);  // the group, the child with it
  s.poll_exit(true);
  s.stop = true;
  s.reader.join();

  // The log file is kept (and named) only where a test failed; passing runs leave no trace.
  if (!testing::Test::HasFailure()) {
    if (!s.log_path.empty()) g_unlink(s.log_path.c_str());
    return;
  }
  std::lock_guard lock(s.mutex);
  size_t from = s.log.size() > kFailureTail ? s.log.size() - kFailureTail : 0;
  if (from > 0) {
    const size_t nl = s.log.find('\n', from);
    if (nl != std::string::npos) from = nl + 1;
  }
  std::fprintf(stderr, "----- %s (pid %d, exit %d) log, last %zu of %zu bytes; all in %s -----\n%s", s.name.c_str(),
               static_cast<int>(s.pid), s.exit_status.value_or(-1), s.log.size() - from, s.log.size(),
               s.log_path.c_str(), s.log.c_str() + from);
  if (!s.log.empty() && s.log.back() != '\n') std::fputc('\n', stderr);
  std::fprintf(stderr, "----- end of %s -----\n", s.name.c_str());
}

pid_t NodeProcess::pid() const { return state_->pid; }

const std::string& NodeProcess::name() const { return state_->name; }

void NodeProcess::signal(int sig) {
  // Once reaped the pid may belong to someone else.
  if (!state_->poll_exit(false)) kill(state_->pid, sig);
}

bool NodeProcess::running() { return !state_->poll_exit(false); }

std::optional<int> NodeProcess::wait_exit(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!state_->poll_exit(false) && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  return state_->exit_status;
}

std::string NodeProcess::log() const {
  std::lock_guard lock(state_->mutex);
  return state_->log;
}

bool NodeProcess::wait_for_log(const std::string& needle, milliseconds timeout) {
  State& s = *state_;
  const auto deadline = Clock::now() + timeout;
  while (!s.log_contains(needle)) {
    if (!running()) {
      // Its last words may still be in the pipe.
      const auto drained = std::min(deadline, Clock::now() + milliseconds(1000));
      while (!s.eof && Clock::now() < drained) std::this_thread::sleep_for(milliseconds(10));
      return s.log_contains(needle);
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// Ports come from below the kernel's ephemeral range (32768+ by default): a port that
// bind(0) handed out and we released can be taken by any outgoing connection before the
// child binds it (CI saw "Address already in use"). Each test process walks its own
// pid-seeded sequence and never returns the same port twice.
int free_port() {
  static std::mutex mutex;
  static int next = 0;
  constexpr int kFirst = 12000, kCount = 20000;
  std::lock_guard lock(mutex);
  if (next == 0) next = static_cast<int>(getpid() * 7919 % kCount);
  for (int tries = 0; tries < kCount; ++tries) {
    const int port = kFirst + (next++ % kCount);
    Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) break;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return port;
  }
  ADD_FAILURE() << "free_port: no free port in " << kFirst << ".." << kFirst + kCount - 1 << ": " << g_strerror(errno);
  return 0;
}

namespace {

// Cancels `cancellable` unless destroyed within `timeout`: one bound for connect, send and
// the whole body, finer than SoupSession's whole-second timeout.
class Deadline {
 public:
  Deadline(GCancellable* cancellable, milliseconds timeout)
      : thread_([this, cancellable, timeout] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
            g_cancellable_cancel(cancellable);
          }
        }) {}
  ~Deadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

void add_header(const char* name, const char* value, gpointer user_data) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(user_data);
  g_autofree gchar* lower = g_ascii_strdown(name, -1);
  auto [it, inserted] = headers.emplace(lower, value);
  if (!inserted) it->second += std::string(", ") + value;  // a repeated header, as one list
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_request(const std::string& method, const std::string& url, const std::string& body,
                          const std::map<std::string, std::string>& headers, milliseconds timeout) {
  HttpResponse response;
  g_autoptr(SoupMessage) msg = soup_message_new(method.c_str(), url.c_str());
  // Test nodes use self-signed certificates: any is accepted, as lpgst's own clients do.
  if (msg)
    g_signal_connect(
        msg, "accept-certificate",
        G_CALLBACK(+[](SoupMessage*, GTlsCertificate*, GTlsCertificateFlags, gpointer) -> gboolean { return TRUE; }),
        nullptr);
  if (!msg) return response;  // not a valid http(s) URL
  if (!body.empty()) {
    g_autoptr(GBytes) bytes = g_bytes_new(body.data(), body.size());
    soup_message_set_request_body_from_bytes(msg, nullptr, bytes);
  }
  SoupMessageHeaders* request_headers = soup_message_get_request_headers(msg);
  for (const auto& [name, value] : headers) {
    soup_message_headers_replace(request_headers, name.c_str(), value.c_str());
  }

  // A session per call: nothing shared between threads, no connection reused across a
  // server restart, and no proxy from the environment for loopback.
  g_autoptr(SoupSession) session = soup_session_new();
  soup_session_set_proxy_resolver(session, nullptr);
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  g_autoptr(GBytes) answer = nullptr;
  {
    Deadline deadline(cancellable, timeout);
    answer = soup_session_send_and_read(session, msg, cancellable, nullptr);
  }
  if (!answer) return response;
  response.status = static_cast<int>(soup_message_get_status(msg));
  gsize size = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(answer, &size));
  response.body.assign(data ? data : "", size);
  soup_message_headers_foreach(soup_message_get_response_headers(msg), add_header, &response.headers);
  return response;
}

bool wait_for_http(const std::string& url, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds(0)) return false;
    if (http_request("GET", url, "", {}, std::min(left, milliseconds(2000))).status != 0) {
      return true;
    }
    std::this_thread::sleep_for(std::min(left, milliseconds(50)));
  }
}

}  // namespace lp::test
