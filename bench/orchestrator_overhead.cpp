// Orchestrator overhead benchmark (bench/orchestrator.sh runs it; docs/performance.md).
//
// The same segment is transcoded, one at a time and alternately (A, B, A, B, ...):
//   A: POST /v1/segment (Accept: multipart/mixed) to a real `lpnode --orchestrator`, which
//      dispatches it to a real `lpnode --transcoder` over loopback; timed until the client has
//      every rendition's bytes;
//   B: lp::transcode_segment in this process, same profiles, same bytes.
// It prints markdown tables: latency p50/p99 of both, the added latency, the CPU time of the
// orchestrator process per segment (its CPU clock = utime + stime at ns resolution, read only
// around the A runs), a phase breakdown from the nodes' log timestamps, and in-process costs.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>  // clock_gettime, clock_getcpuclockid
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "job_pipeline.h"
#include "keystore_dir.h"
#include "owned.h"
#include "profile.h"
#include "result_signing.h"
#include "sha256.h"
#include "transcode.h"
#include "wire/info.h"
#include "wire/result.h"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "orchestrator_overhead: error: %s\n", why.c_str());
  std::exit(1);
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// ------------------------------------------------------------------ statistics

// Linear interpolation between closest ranks (numpy's default): with 30 samples p99 lies
// between the two largest.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * double(v.size() - 1);
  const size_t lo = size_t(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
}
double median(const std::vector<double>& v) { return percentile(v, 50); }

// ------------------------------------------------------------------ CPU time

// utime + stime of a whole process (every thread, live or exited), in ms, at ns resolution.
double cpu_ms(pid_t pid) {
  clockid_t clock = CLOCK_PROCESS_CPUTIME_ID;
  if (pid != 0 && clock_getcpuclockid(pid, &clock) != 0) die("clock_getcpuclockid(" + std::to_string(pid) + ") failed");
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) die("cannot read the CPU clock of process " + std::to_string(pid));
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The same figure from /proc/<pid>/stat (fields 14 and 15), in ms: 10 ms ticks.
double stat_cpu_ms(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(text.substr(text.rfind(')') + 2));  // after "(comm) "
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i)
    if (i >= 14) ticks += std::stod(field);
  return ticks * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

// Busy CPU time of the whole machine, in ms (user nice system irq softirq steal).
double machine_busy_ms() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double f[8] = {};
  in >> cpu;
  for (double& x : f) in >> x;
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

// ------------------------------------------------------------------ child processes

// An lpnode process with stdout and stderr in a log file. Its own process group and
// PDEATHSIG: nothing outlives the benchmark. The destructor drains it (SIGTERM), then kills.
class Child {
 public:
  Child(const std::vector<std::string>& args, std::string log_path) : log_path_(std::move(log_path)) {
    const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot create " + log_path_);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    auto setup = +[](gpointer) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
    };
    g_autoptr(GError) error = nullptr;
    GPid pid = 0;
    const auto flags = GSpawnFlags(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL);
    const bool ok = g_spawn_async_with_pipes_and_fds(nullptr, argv.data(), nullptr, flags, setup, nullptr, -1, fd, fd,
                                                     nullptr, nullptr, 0, &pid, nullptr, nullptr, nullptr, &error);
    close(fd);
    if (!ok) die("cannot start " + args[0] + ": " + error->message);
    pid_ = pid;
  }
  ~Child() {
    if (!alive()) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && alive(); ++i) std::this_thread::sleep_for(milliseconds(100));
    if (alive()) kill(-pid_, SIGKILL);
    int status = 0;
    if (!exited_) waitpid(pid_, &status, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  std::string log() const {
    std::ifstream in(log_path_);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  bool alive() {
    int status = 0;
    if (!exited_ && waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
    return !exited_;
  }
  void wait_for_log(const std::string& needle, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (log().find(needle) == std::string::npos) {
      if (!alive() || Clock::now() > deadline)
        die("lpnode did not log \"" + needle + "\" (" + (alive() ? "timeout" : "it exited") + "); its log (" +
            log_path_ + "):\n" + log());
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) close(fd);
  if (!ok) die("cannot find a free loopback port");
  return ntohs(addr.sin_port);
}

// ------------------------------------------------------------------ the two paths

using SessionPtr = lp::Owned<SoupSession, g_object_unref>;

std::string profiles_json(const std::vector<lp::Profile>& profiles) {
  std::string json = "[";
  for (const auto& p : profiles) json += (json.size() > 1 ? "," : "") + lp::profile_to_json(p);
  return json + "]";
}

// Milliseconds since local midnight, the clock lpnode's log lines are stamped with.
double local_ms_of_day() {
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  return ((g_date_time_get_hour(now) * 60.0 + g_date_time_get_minute(now)) * 60.0 + g_date_time_get_second(now)) * 1e3 +
         g_date_time_get_microsecond(now) / 1e3;
}

std::string fetch_token(SoupSession* session, const std::string& base) {
  g_autoptr(SoupMessage) msg = soup_message_new("GET", (base + "/v1/info").c_str());
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, nullptr, &error);
  if (!body || soup_message_get_status(msg) != 200) die("GET /v1/info failed");
  gsize n = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(body, &n));
  auto info = lp::wire::info_from_json(std::string_view(data, n));
  if (!info) die("GET /v1/info: " + info.error().message);
  return lp::wire::to_header_value(info->auth_token);
}

struct ViaRun {
  double ms = 0;
  double t0_day = 0, t1_day = 0;  // local ms of day, to line up with the nodes' logs
};

// A: one POST /v1/segment; checks the inline renditions against the signed JSON part.
ViaRun post_segment(SoupSession* session, const std::string& base, const std::string& token, GBytes* body,
                    const std::string& body_sha, const std::string& stream, int64_t seq, const std::string& profiles,
                    size_t n_profiles) {
  g_autoptr(SoupMessage) msg = soup_message_new("POST", (base + "/v1/segment").c_str());
  soup_message_set_request_body_from_bytes(msg, "video/mp2t", body);
  SoupMessageHeaders* h = soup_message_get_request_headers(msg);
  soup_message_headers_replace(h, "Lp-Auth-Token", token.c_str());
  soup_message_headers_replace(h, "Lp-Stream-Id", stream.c_str());
  soup_message_headers_replace(h, "Lp-Seq", std::to_string(seq).c_str());
  soup_message_headers_replace(h, "Lp-Duration-Ms", "2000");
  soup_message_headers_replace(h, "Lp-Profiles", profiles.c_str());
  soup_message_headers_replace(h, "Lp-Body-Sha256", body_sha.c_str());
  soup_message_headers_replace(h, "Accept", "multipart/mixed");
  g_autoptr(GError) error = nullptr;
  ViaRun run;
  run.t0_day = local_ms_of_day();
  const auto t0 = Clock::now();
  g_autoptr(GBytes) answer = soup_session_send_and_read(session, msg, nullptr, &error);
  run.ms = ms_since(t0);
  run.t1_day = local_ms_of_day();
  if (!answer) die(std::string("POST /v1/segment: ") + (error ? error->message : "no answer"));
  if (soup_message_get_status(msg) != 200) {
    gsize n = 0;
    const auto* d = static_cast<const char*>(g_bytes_get_data(answer, &n));
    die("POST /v1/segment answered " + std::to_string(soup_message_get_status(msg)) + ": " + std::string(d, n));
  }
  g_autoptr(SoupMultipart) parts = soup_multipart_new_from_message(soup_message_get_response_headers(msg), answer);
  if (!parts || size_t(soup_multipart_get_length(parts)) != n_profiles + 1)
    die("POST /v1/segment: expected a multipart answer with " + std::to_string(n_profiles + 1) + " parts");
  SoupMessageHeaders* part_headers = nullptr;
  GBytes* part = nullptr;
  soup_multipart_get_part(parts, 0, &part_headers, &part);
  gsize n = 0;
  const auto* d = static_cast<const char*>(g_bytes_get_data(part, &n));
  auto result = lp::wire::transcode_result_from_json(std::string_view(d, n));
  if (!result || result->renditions.size() != n_profiles || result->signature.empty())
    die("POST /v1/segment: bad result part: " + std::string(d, n));
  for (size_t i = 0; i < n_profiles; ++i) {
    soup_multipart_get_part(parts, int(i + 1), &part_headers, &part);
    const auto& r = result->renditions[i];
    if (int64_t(g_bytes_get_size(part)) != r.bytes || lp::sha256_hex(part) != r.sha256 || r.frames <= 0)
      die("POST /v1/segment: rendition " + r.name + " does not match its entry in the result");
  }
  return run;
}

// B: the media core in this process.
std::vector<lp::Rendition> transcode_direct(GBytes* body, const std::vector<lp::Profile>& profiles, double& ms) {
  const auto t0 = Clock::now();
  auto r = lp::transcode_segment(body, profiles);
  ms = ms_since(t0);
  if (!r) die("transcode_segment: " + r.error().message);
  if (r->size() != profiles.size()) die("transcode_segment: wrong number of renditions");
  return std::move(*r);
}

// ------------------------------------------------------------------ log timestamps

// Per segment: when the orchestrator dispatched it, when the transcoder started and finished
// the job (local ms of day, from "HH:MM:SS.mmm" stamps, so 1 ms resolution).
struct Phases {
  std::map<std::string, double> dispatched, started, done;  // by "stream/seq" (done: by job id)
  std::map<std::string, std::string> job_of;                // "stream/seq" -> job id
};

double stamp_ms(const std::smatch& m) {
  return ((std::stod(m[1]) * 60 + std::stod(m[2])) * 60 + std::stod(m[3])) * 1e3 + std::stod(m[4]);
}

Phases read_phases(const std::string& orch_log, const std::string& transcoder_log) {
  static const std::string stamp = R"(^(\d\d):(\d\d):(\d\d)\.(\d{3}) .*?)";
  static const std::regex dispatched(stamp + R"(: job (\S+) \(stream (\S+) seq (\d+)\) -> )");
  static const std::regex started(stamp + R"(: job (\S+) \(stream (\S+) seq (\d+)\): )");
  static const std::regex done(stamp + R"(: job (\S+) done in )");
  Phases p;
  std::istringstream o(orch_log), t(transcoder_log);
  std::string line;
  std::smatch m;
  while (std::getline(o, line))
    if (std::regex_search(line, m, dispatched)) p.dispatched[m[6].str() + "/" + m[7].str()] = stamp_ms(m);
  while (std::getline(t, line)) {
    if (std::regex_search(line, m, started)) {
      p.started[m[6].str() + "/" + m[7].str()] = stamp_ms(m);
      p.job_of[m[6].str() + "/" + m[7].str()] = m[5];
    } else if (std::regex_search(line, m, done)) {
      p.done[m[5]] = stamp_ms(m);
    }
  }
  return p;
}

// ------------------------------------------------------------------ one configuration

struct ConfigResult {
  std::string name;
  std::vector<double> direct_ms, via_ms;
  double orch_cpu = 0, transcoder_cpu = 0, self_cpu_direct = 0;   // ms, summed over the runs
  double orch_phase_clock = 0, orch_phase_stat = 0;               // whole measured phase, idle included
  double orch_idle_cpu = 0, idle_wall = 0;                        // orchestrator CPU during the B runs (heartbeats)
  double other_busy = 0, wall = 0;                                // other processes' CPU over the measured phase
  std::vector<double> phase_in, phase_hop, phase_job, phase_out;  // ms per segment
  // In-process costs, median ms: what the orchestrator and transcoder do to every segment.
  double sha_body = 0, sha_renditions = 0, keccak_sign = 0, parse_check = 0;
  size_t rendition_bytes = 0;
};

template <typename F>
double median_ms(int reps, F&& fn) {
  std::vector<double> v;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    fn();
    v.push_back(ms_since(t0));
  }
  return median(v);
}

struct Bench {
  SoupSession* session;
  std::string base;
  Child* orch;
  Child* transcoder;
  GBytes* body;
  std::string body_sha;
  int segments;
  int warmup;
  lp::eth::PrivateKey key;
};

ConfigResult run_config(Bench& b, const std::string& spec, int index) {
  auto profiles = lp::parse_profiles(spec);
  if (!profiles) die("profiles \"" + spec + "\": " + profiles.error().message);
  ConfigResult r;
  r.name = spec;
  const std::string json = profiles_json(*profiles);
  const std::string stream = "bench-" + std::to_string(index);
  const std::string token = fetch_token(b.session, b.base);
  int64_t seq = 0;
  std::vector<lp::Rendition> last;
  double unused = 0;
  std::fprintf(stderr, "orchestrator_overhead: %s: %d warm-up pair(s), then %d measured pairs (A B A B ...)\n",
               spec.c_str(), b.warmup, b.segments);
  for (int i = 0; i < b.warmup; ++i) {
    post_segment(b.session, b.base, token, b.body, b.body_sha, stream, seq++, json, profiles->size());
    last = transcode_direct(b.body, *profiles, unused);
  }
  std::vector<std::pair<int64_t, ViaRun>> via_runs;
  const double busy0 = machine_busy_ms();
  const double phase_clock0 = cpu_ms(b.orch->pid()), phase_stat0 = stat_cpu_ms(b.orch->pid());
  const auto wall0 = Clock::now();
  double own_cpu = 0;
  for (int i = 0; i < b.segments; ++i) {
    // A: via the orchestrator; its CPU clock and the transcoder's are read around this run only.
    const double o0 = cpu_ms(b.orch->pid()), t0 = cpu_ms(b.transcoder->pid());
    const double s0 = cpu_ms(0);
    const ViaRun via = post_segment(b.session, b.base, token, b.body, b.body_sha, stream, seq, json, profiles->size());
    const double o1 = cpu_ms(b.orch->pid()), t1 = cpu_ms(b.transcoder->pid());
    const double s1 = cpu_ms(0);
    r.orch_cpu += o1 - o0;
    r.transcoder_cpu += t1 - t0;
    r.via_ms.push_back(via.ms);
    via_runs.emplace_back(seq++, via);
    // B: in this process.
    const auto w = Clock::now();
    double direct = 0;
    last = transcode_direct(b.body, *profiles, direct);
    const double s2 = cpu_ms(0), o2 = cpu_ms(b.orch->pid()), t2 = cpu_ms(b.transcoder->pid());
    r.direct_ms.push_back(direct);
    r.self_cpu_direct += s2 - s1;
    r.orch_idle_cpu += o2 - o1;
    r.idle_wall += ms_since(w);
    own_cpu += (o2 - o0) + (t2 - t0) + (s2 - s0);
    std::fprintf(stderr, "  pair %2d/%d: via orchestrator %7.1f ms, direct %7.1f ms\n", i + 1, b.segments, via.ms,
                 direct);
  }
  r.wall = ms_since(wall0);
  r.orch_phase_clock = cpu_ms(b.orch->pid()) - phase_clock0;
  r.orch_phase_stat = stat_cpu_ms(b.orch->pid()) - phase_stat0;
  r.other_busy = machine_busy_ms() - busy0 - own_cpu;

  // Phases from the log stamps (the lines are flushed as they are written).
  std::this_thread::sleep_for(milliseconds(200));
  const Phases ph = read_phases(b.orch->log(), b.transcoder->log());
  for (const auto& [s, via] : via_runs) {
    const std::string key = stream + "/" + std::to_string(s);
    auto d = ph.dispatched.find(key), st = ph.started.find(key);
    auto job = ph.job_of.find(key);
    if (d == ph.dispatched.end() || st == ph.started.end() || job == ph.job_of.end()) continue;
    auto dn = ph.done.find(job->second);
    if (dn == ph.done.end()) continue;
    r.phase_in.push_back(d->second - via.t0_day);
    r.phase_hop.push_back(st->second - d->second);
    r.phase_job.push_back(dn->second - st->second);
    r.phase_out.push_back(via.t1_day - dn->second);
  }

  // In-process costs of the per-segment work outside the transcode itself.
  std::vector<std::span<const uint8_t>> spans;
  for (const auto& rend : last) {
    gsize n = 0;
    spans.emplace_back(static_cast<const uint8_t*>(g_bytes_get_data(rend.bytes.get(), &n)), n);
    r.rendition_bytes += n;
  }
  r.sha_body = median_ms(20, [&] { (void)lp::sha256_hex(b.body); });
  r.sha_renditions = median_ms(20, [&] {
    for (const auto& rend : last) (void)lp::sha256_hex(rend.bytes.get());
  });
  r.keccak_sign = median_ms(20, [&] { (void)lp::eth::sign_results(b.key, spans); });
  auto description = lp::build_job_pipeline(lp::kDefaultPipelineTemplate, "http://127.0.0.1:1/v1/jobs/j/t/source",
                                            *profiles, lp::TranscodeOptions{});
  if (!description) die(description.error().message);
  r.parse_check = median_ms(20, [&] {
    if (auto e = lp::check_job_pipeline(*description, "http://127.0.0.1:1/v1/jobs/j/t/source"); !e.ok())
      die(e.error().message);
  });
  return r;
}

// ------------------------------------------------------------------ report

std::string f1(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}
std::string f2(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}
std::string verdict(bool ok) { return ok ? "met" : "**missed**"; }

void report(const std::vector<ConfigResult>& results, int segments, size_t body_bytes) {
  std::printf(
      "Segments: %d measured pairs per configuration (A = via orchestrator, B = direct, alternating), "
      "one in flight; segment %zu bytes, 2 s. p99 of %d samples interpolates between the two largest.\n\n",
      segments, body_bytes, segments);
  std::printf(
      "| Profiles | Direct p50 ms | Direct p99 ms | Via orch. p50 ms | Via orch. p99 ms | Added p50 ms | "
      "Added p99 ms | Added, median of pairs ms | Added, min vs min ms | Overhead (p50) | Orch. CPU ms/segment |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& r : results) {
    const double d50 = percentile(r.direct_ms, 50), d99 = percentile(r.direct_ms, 99);
    const double v50 = percentile(r.via_ms, 50), v99 = percentile(r.via_ms, 99);
    std::vector<double> pairs;
    for (size_t i = 0; i < r.via_ms.size(); ++i) pairs.push_back(r.via_ms[i] - r.direct_ms[i]);
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s %% | %s |\n", r.name.c_str(), f1(d50).c_str(),
                f1(d99).c_str(), f1(v50).c_str(), f1(v99).c_str(), f1(v50 - d50).c_str(), f1(v99 - d99).c_str(),
                f1(median(pairs)).c_str(), f1(percentile(r.via_ms, 0) - percentile(r.direct_ms, 0)).c_str(),
                f1((v50 - d50) / d50 * 100).c_str(), f2(r.orch_cpu / segments).c_str());
  }
  std::printf(
      "\nTargets:\n\n| Profiles | Overhead ≤ 2 %% | Added p50 ≤ 20 ms | Orch. CPU ≤ 1 ms/segment |\n"
      "|---|---|---|---|\n");
  for (const auto& r : results) {
    const double d50 = percentile(r.direct_ms, 50), v50 = percentile(r.via_ms, 50);
    const double pct = (v50 - d50) / d50 * 100, cpu = r.orch_cpu / segments;
    std::printf("| %s | %s %% %s | %s ms %s | %s ms %s |\n", r.name.c_str(), f1(pct).c_str(), verdict(pct <= 2).c_str(),
                f1(v50 - d50).c_str(), verdict(v50 - d50 <= 20).c_str(), f2(cpu).c_str(), verdict(cpu <= 1).c_str());
  }
  std::printf(
      "\nCPU per segment, ms (each process's CPU clock = utime + stime of all its threads, read around "
      "each run):\n\n| Profiles | Direct (this process) | Transcoder process | Orchestrator process | "
      "Orch. while idle, ms/s | Idle rate × A time, ms/segment |\n|---|---:|---:|---:|---:|---:|\n");
  for (const auto& r : results) {
    const double idle_rate = r.orch_idle_cpu / r.idle_wall;  // ms of CPU per ms of wall time
    double via_wall = 0;
    for (double x : r.via_ms) via_wall += x;
    std::printf("| %s | %s | %s | %s | %s | %s |\n", r.name.c_str(), f1(r.self_cpu_direct / segments).c_str(),
                f1(r.transcoder_cpu / segments).c_str(), f2(r.orch_cpu / segments).c_str(), f2(idle_rate * 1e3).c_str(),
                f2(idle_rate * via_wall / segments).c_str());
  }
  std::printf("\nCross-check, orchestrator CPU over each whole measured phase (idle time included): ");
  for (size_t i = 0; i < results.size(); ++i)
    std::printf("%s%s: CPU clock %s ms, /proc/<pid>/stat utime+stime %s ms", i ? "; " : "", results[i].name.c_str(),
                f1(results[i].orch_phase_clock).c_str(), f1(results[i].orch_phase_stat).c_str());
  std::printf(".\n");
  std::printf(
      "\nWhere the added time goes (medians, ms, from the nodes' log stamps: 1 ms resolution):\n\n"
      "| Profiles | Client → dispatched | → transcoder starts | Transcoder job | of which beyond direct p50 | "
      "Job done → client has the bytes | Segments matched |\n|---|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& r : results)
    std::printf("| %s | %s | %s | %s | %s | %s | %zu |\n", r.name.c_str(), f1(median(r.phase_in)).c_str(),
                f1(median(r.phase_hop)).c_str(), f1(median(r.phase_job)).c_str(),
                f1(median(r.phase_job) - percentile(r.direct_ms, 50)).c_str(), f1(median(r.phase_out)).c_str(),
                r.phase_in.size());
  std::printf(
      "\nPer-segment work outside the transcode, timed in-process (median of 20, ms):\n\n"
      "| Profiles | Rendition bytes | SHA-256 of the segment | SHA-256 of the renditions | "
      "Keccak-256 + sign of the renditions | Parse + check of the job pipeline |\n"
      "|---|---:|---:|---:|---:|---:|\n");
  for (const auto& r : results)
    std::printf("| %s | %zu | %s | %s | %s | %s |\n", r.name.c_str(), r.rendition_bytes, f2(r.sha_body).c_str(),
                f2(r.sha_renditions).c_str(), f2(r.keccak_sign).c_str(), f2(r.parse_check).c_str());
  std::printf("\nOther load (CPU time of other processes while measuring): ");
  for (size_t i = 0; i < results.size(); ++i)
    std::printf("%s%s: %s s over %s s%s", i ? "; " : "", results[i].name.c_str(),
                f1(results[i].other_busy / 1e3).c_str(), f1(results[i].wall / 1e3).c_str(),
                results[i].other_busy > 0.1 * results[i].wall * double(sysconf(_SC_NPROCESSORS_ONLN))
                    ? " (**disturbed**: over 10% of the machine; latencies are not comparable)"
                    : "");
  std::printf(".\n");
}

}  // namespace

int main(int argc, char** argv) {
  g_autofree char* lpnode = nullptr;
  g_autofree char* segment = nullptr;
  g_autofree char* work = nullptr;
  g_auto(GStrv) profile_sets = nullptr;
  int segments = 30, warmup = 2;
  GOptionEntry entries[] = {
      {"lpnode", 0, 0, G_OPTION_ARG_FILENAME, &lpnode, "The lpnode binary", "PATH"},
      {"segment", 0, 0, G_OPTION_ARG_FILENAME, &segment, "The 2 s segment to transcode (MPEG-TS)", "FILE"},
      {"work", 0, 0, G_OPTION_ARG_FILENAME, &work, "Directory for the key and the nodes' logs", "DIR"},
      {"segments", 'n', 0, G_OPTION_ARG_INT, &segments, "Measured pairs per configuration (default 30)", "N"},
      {"warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Unmeasured pairs first (default 2)", "N"},
      {"profiles", 0, 0, G_OPTION_ARG_STRING_ARRAY, &profile_sets,
       "A configuration (repeatable; default P144p30fps16x9 and P720p30fps16x9,P360p30fps16x9,P240p30fps16x9)", "LIST"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("- orchestrator overhead against the media core");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  g_autoptr(GError) error = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) die(error->message);
  if (!lpnode || !segment || !work) die("--lpnode, --segment and --work are required (see --help)");
  if (segments < 1 || warmup < 0) die("--segments must be >= 1 and --warmup >= 0");
  std::vector<std::string> configs;
  for (char** p = profile_sets; p && *p; ++p) configs.emplace_back(*p);
  if (configs.empty()) configs = {"P144p30fps16x9", "P720p30fps16x9,P360p30fps16x9,P240p30fps16x9"};
  gst_init(nullptr, nullptr);

  gchar* data = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(segment, &data, &size, &error)) die(error->message);
  g_autoptr(GBytes) body = g_bytes_new_take(data, size);

  // The orchestrator's key (light scrypt: it never leaves this run).
  const std::string dir(work);
  auto key = lp::eth::PrivateKey::generate();
  if (!key) die(key.error().message);
  auto keystore = lp::eth::write_keystore_file(dir + "/keystore", *key, "bench", lp::eth::kScryptLight);
  if (!keystore) die(keystore.error().message);
  const std::string password_file = dir + "/password";
  std::ofstream(password_file) << "bench\n";

  const std::string secret = "bench-secret";
  const int http_port = free_port(), cli_port = free_port();
  const std::string addr = "127.0.0.1:" + std::to_string(http_port);
  Child orch({lpnode, "--orchestrator", "--orch-secret", secret, "--http-addr", addr, "--cli-addr",
              "127.0.0.1:" + std::to_string(cli_port), "--max-sessions", "auto", "--eth-keystore-path", *keystore,
              "--eth-password", password_file},
             dir + "/orchestrator.log");
  orch.wait_for_log("lpnode: orchestrator on", std::chrono::seconds(30));
  Child transcoder({lpnode, "--transcoder", "--orch-addr", addr, "--orch-secret", secret, "--max-sessions", "1"},
                   dir + "/transcoder.log");
  transcoder.wait_for_log("registered with the orchestrator", std::chrono::seconds(30));

  // One keep-alive session, as a gateway would hold; no proxy for loopback.
  SessionPtr session(soup_session_new_with_options("timeout", 120u, nullptr));
  soup_session_set_proxy_resolver(session.get(), nullptr);
  Bench b{session.get(),        "http://" + addr, &orch,  &transcoder,    body,
          lp::sha256_hex(body), segments,         warmup, std::move(*key)};
  std::vector<ConfigResult> results;
  for (size_t i = 0; i < configs.size(); ++i) results.push_back(run_config(b, configs[i], int(i)));
  report(results, segments, size);
  return 0;
}
