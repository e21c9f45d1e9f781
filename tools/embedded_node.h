// The embedded default of `lpctl transcode`: a combined orchestrator + transcoder started
// in-process on a loopback port, with an in-memory key, its main loop on its own thread. The
// client talks to it over HTTP like to any other orchestrator, so the embedded and remote
// paths are the same code.
#pragma once

#include <glib.h>

#include <memory>
#include <string>
#include <thread>

#include "address.h"
#include "error.h"
#include "owned.h"

namespace lp {

class Orchestrator;

// A GLog writer for lpctl commands that run an embedded node: the node logs every job, the
// command shows its own progress instead; `verbose` (GINT_TO_POINTER) lets everything through.
GLogWriterOutput quiet_log_writer(GLogLevelFlags level, const GLogField* fields, gsize n, gpointer verbose);

class EmbeddedNode {
 public:
  // `capacity` concurrent segments; 0 = one per core.
  static Result<std::unique_ptr<EmbeddedNode>> start(int capacity);
  ~EmbeddedNode();  // stops the loop, then the node
  EmbeddedNode(const EmbeddedNode&) = delete;
  EmbeddedNode& operator=(const EmbeddedNode&) = delete;

  const std::string& address() const { return address_; }  // host:port
  const eth::Address& signer() const { return signer_; }
  int capacity() const { return capacity_; }

 private:
  EmbeddedNode() = default;
  std::unique_ptr<Orchestrator> orchestrator_;
  std::string address_;
  eth::Address signer_;
  int capacity_ = 0;
  Owned<GMainLoop, g_main_loop_unref> loop_;
  std::thread thread_;
};

}  // namespace lp
