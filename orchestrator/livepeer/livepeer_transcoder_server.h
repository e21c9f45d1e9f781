// go-livepeer transcoders attached to this orchestrator (server/ot_rpc.go): the gRPC method
// net.Transcoder/RegisterTranscoder (the secret compared in constant time, wrong ones
// throttled per address as lpgst's own channel does), which puts the transcoder in the
// dispatcher's pool beside lpgst's transcoders for as long as its stream stays open; and
// POST /transcodeResults, where its renditions come back, checked (livepeer_transcode_results.h)
// and measured (rendition_shape_probe.h) before they count. Main context only.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "dispatcher.h"
#include "http2/grpc_server.h"
#include "job_media.h"
#include "livepeer_remote_transcoder.h"
#include "livepeer_transcode_results.h"
#include "login_throttle.h"
#include "rendition_shape_probe.h"

namespace lp::livepeer {

struct TranscoderServerSettings {
  std::string secret;  // -orchSecret; "" = no remote transcoders
  // "https://host:port" for source URLs, from the :authority the transcoder dialled.
  std::function<std::string(const std::string& authority)> source_base;
  size_t max_rendition_bytes = 64u << 20;  // one rendition part; the body is that x renditions
};

// go-livepeer's DefaultCapabilities: what a transcoder that announces none is taken to have.
std::vector<int> default_capabilities();

class TranscoderServer {
 public:
  TranscoderServer(SoupServer* server, grpc::ServiceTable& services, Dispatcher& dispatcher, JobMedia& media,
                   TranscoderServerSettings settings);
  ~TranscoderServer();
  TranscoderServer(const TranscoderServer&) = delete;
  TranscoderServer& operator=(const TranscoderServer&) = delete;

  // A gateway session ended: the transcoders that had its segments are told.
  void end_session(const std::string& session_id);
  size_t size() const { return transcoders_.size(); }

 private:
  struct Upload;  // a /transcodeResults whose renditions are being measured

  void register_transcoder(std::string request, const grpc::ServerCall& call);
  static void on_early(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self);
  static void on_results(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self);
  void results(SoupServerMessage* msg);
  void measured(Upload* upload);
  RemoteTranscoder* owner_of(int64_t task_id);

  SoupServer* server_;
  Dispatcher& dispatcher_;
  JobMedia& media_;
  TranscoderServerSettings settings_;
  LoginThrottle throttle_;
  int64_t next_task_ = 1;
  uint64_t next_id_ = 1;
  // Registered transcoders by worker id (the dispatcher holds them too).
  std::map<std::string, std::shared_ptr<RemoteTranscoder>> transcoders_;
  std::map<SoupServerMessage*, std::unique_ptr<Upload>> uploads_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lp::livepeer
