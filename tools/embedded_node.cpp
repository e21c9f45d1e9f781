#include "embedded_node.h"

#include <glib.h>

#include <algorithm>

#include "orchestrator.h"

namespace lp {

Result<std::unique_ptr<EmbeddedNode>> EmbeddedNode::start(int capacity) {
  std::unique_ptr<EmbeddedNode> node(new EmbeddedNode());
  node->capacity_ = capacity > 0 ? capacity : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto key = eth::PrivateKey::generate();
  if (!key) return key.error();
  node->signer_ = key->address();
  OrchestratorConfig config;
  config.http_addr = "127.0.0.1:0";
  config.cli_addr = "127.0.0.1:0";
  config.max_sessions = node->capacity_;
  config.local_capacity = node->capacity_;
  config.key = std::move(*key);
  config.min_job_deadline = std::chrono::minutes(2);
  // Created before the loop runs, on the default context the loop thread will iterate.
  auto orchestrator = Orchestrator::start(std::move(config));
  if (!orchestrator) return orchestrator.error();
  node->orchestrator_ = std::move(*orchestrator);
  // In-process and on loopback: plain HTTP (the address says so, so the client dials plain).
  node->address_ = node->orchestrator_->http_url();
  node->loop_.reset(g_main_loop_new(nullptr, FALSE));
  node->thread_ = std::thread([loop = node->loop_.get()] { g_main_loop_run(loop); });
  return node;
}

EmbeddedNode::~EmbeddedNode() {
  if (thread_.joinable()) {
    // Queued on the loop's context (never run inline here, which would be lost if the loop
    // has not started yet): the loop quits from its own thread.
    g_idle_add(
        [](gpointer l) -> gboolean {
          g_main_loop_quit(static_cast<GMainLoop*>(l));
          return G_SOURCE_REMOVE;
        },
        loop_.get());
    thread_.join();
  }
  orchestrator_.reset();  // no loop runs now: safe from this thread
}

GLogWriterOutput quiet_log_writer(GLogLevelFlags level, const GLogField* fields, gsize n, gpointer verbose) {
  if (!GPOINTER_TO_INT(verbose) && (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_standard_streams(level, fields, n, nullptr);
}

}  // namespace lp
