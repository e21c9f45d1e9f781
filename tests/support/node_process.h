// Integration-test support: real lpnode processes on loopback, always torn down, and a
// small blocking HTTP client (libsoup) to talk to them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lp::test {

// A loopback TCP port that was free a moment ago (bound to port 0, then released).
int free_port();

class NodeProcess {
 public:
  // Starts `binary args...` with stdout and stderr captured into one log (kept in memory and
  // in a file under $TMPDIR, printed by the destructor when the test failed).
  static std::unique_ptr<NodeProcess> start(const std::string& binary, const std::vector<std::string>& args,
                                            const std::string& name);
  ~NodeProcess();  // SIGKILL if still running, then reaps: no process outlives its test

  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  pid_t pid() const;
  const std::string& name() const;
  void signal(int sig);
  bool running();
  // The exit status (WEXITSTATUS, or 128 + signal) once exited; nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string log() const;
  // True once the log contains `needle` (polls); false on timeout or if the process exited.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  NodeProcess() = default;
  struct State;
  std::unique_ptr<State> state_;
};

struct HttpResponse {
  int status = 0;  // 0 = no answer (connection refused, timeout)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const;
};

// One blocking request. `body` is sent as given (empty = none).
HttpResponse http_request(const std::string& method, const std::string& url, const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Polls `url` with GET until it answers (any status) or `timeout` passes.
bool wait_for_http(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace lp::test
