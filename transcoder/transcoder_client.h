// A standalone transcoder's link to its orchestrator (lpnode --transcoder --orch-addr): opens
// the control WebSocket with the shared secret, says hello, runs the jobs it is pushed
// (JobWorker), answers pings, and reconnects with exponential backoff and jitter whenever the
// orchestrator goes away. A refused secret is fatal. Holds no key and opens no keystore.
// Runs on the global default main context.
#pragma once

#include <libsoup/soup.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "job_placement.h"
#include "job_worker.h"
#include "wire/capabilities.h"

namespace lp {

struct TranscoderClientConfig {
  std::string orch_addr;         // host:port (TLS), https://host:port, or http://host:port (plain)
  std::string orch_cert_sha256;  // pin the orchestrator's certificate ("" = any: like go-livepeer)
  std::string secret;
  int capacity = 1;
  wire::Capabilities capabilities;
  std::shared_ptr<JobPlacement> placement;  // GPU transcoders; null = every job on the CPU
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
};

class TranscoderClient {
 public:
  // `fatal` is called (once) when the orchestrator refuses the secret: the process should exit.
  TranscoderClient(TranscoderClientConfig config, std::function<void(const std::string&)> fatal);
  ~TranscoderClient();
  TranscoderClient(const TranscoderClient&) = delete;
  TranscoderClient& operator=(const TranscoderClient&) = delete;

  void start();
  // Takes no new jobs (tells the orchestrator with a `draining` message, and refuses any that
  // still come), lets the running ones finish and upload, then calls `done`.
  void drain(std::chrono::seconds limit, std::function<void()> done);

  bool connected() const { return conn_ != nullptr && registered_; }
  size_t running() const { return jobs_.size(); }

 private:
  static void on_connected(GObject* source, GAsyncResult* result, gpointer self);
  static void on_message(SoupWebsocketConnection*, gint type, GBytes* message, gpointer self);
  static void on_closed(SoupWebsocketConnection*, gpointer self);
  void connect();
  void connection_ready(SoupWebsocketConnection* conn);
  void connect_failed(const std::string& why, guint status);
  void disconnected(const std::string& why);
  void schedule_reconnect();
  void handle(const std::string& text);
  void start_job(wire::Job job);
  // Forgets a job (cancelled, or its channel gone) and frees its GPU.
  void stop_job(const std::string& job_id);
  void send(const std::string& text);
  void drop_connection();

  TranscoderClientConfig config_;
  std::function<void(const std::string&)> fatal_;
  GMainContext* context_;
  SoupSession* session_;                     // owned
  SoupMessage* pending_ = nullptr;           // the upgrade request in flight (owned)
  GCancellable* cancellable_ = nullptr;      // owned
  SoupWebsocketConnection* conn_ = nullptr;  // owned while connected
  gulong message_handler_ = 0;
  gulong close_handler_ = 0;
  bool registered_ = false;
  bool stopping_ = false;
  bool draining_ = false;
  std::chrono::milliseconds backoff_{0};
  guint reconnect_timer_ = 0;
  guint watchdog_ = 0;  // no ping for 3 heartbeats: the orchestrator is gone
  gint64 last_ping_us_ = 0;
  int64_t heartbeat_ms_ = 1000;
  std::map<std::string, std::shared_ptr<JobWorker>> jobs_;  // running, by job id (main thread)
  std::function<void()> drained_;
  guint drain_timer_ = 0;
  int attempts_ = 0;
  // False once the client is gone: a job's report queued on the main context checks it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // The jobs' threads, cancelled ones included; last, so they are joined before the rest goes.
  OwnedThreads job_threads_;
};

}  // namespace lp
