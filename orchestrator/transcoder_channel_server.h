// Accepts transcoders on GET /v1/transcoder: the secret is checked before the WebSocket
// upgrade (401 otherwise, so a wrong secret never gets a channel), then the first message
// must be a hello within 5 s. A registered transcoder becomes a worker of the dispatcher
// until its channel closes.
#pragma once

#include <libsoup/soup.h>

#include <map>
#include <memory>
#include <string>

#include "channel_size_guard.h"
#include "dispatcher.h"
#include "job_media.h"
#include "login_throttle.h"
#include "remote_transcoder.h"

namespace lp {

class TranscoderChannelServer {
 public:
  // `secret` "" refuses every transcoder (the node was started without --orch-secret).
  // `scheme` ("https://" or "http://") starts the job URLs transcoders are sent.
  TranscoderChannelServer(SoupServer* server, std::string secret, Dispatcher& dispatcher, JobMedia& media,
                          ChannelSettings settings, std::string scheme);
  ~TranscoderChannelServer();
  TranscoderChannelServer(const TranscoderChannelServer&) = delete;
  TranscoderChannelServer& operator=(const TranscoderChannelServer&) = delete;

  // Closes every channel (shutdown).
  void close_all(const std::string& why);

 private:
  struct Handshake;
  static void on_early(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self);
  static void on_websocket(SoupServer*, SoupServerMessage* msg, const char*, SoupWebsocketConnection* conn,
                           gpointer self);
  void accepted(SoupServerMessage* msg, SoupWebsocketConnection* conn);
  void hello(const std::string& key, const std::string& text);
  void drop_handshake(const std::string& key, const std::string& why);

  SoupServer* server_;  // not owned
  std::string secret_;
  Dispatcher& dispatcher_;
  JobMedia& media_;
  ChannelSettings settings_;
  std::string scheme_;
  LoginThrottle throttle_;  // main thread
  ChannelSizeGuard size_guard_;
  guint throttle_log_ = 0;
  std::map<std::string, std::unique_ptr<Handshake>> handshakes_;
  std::map<std::string, std::shared_ptr<RemoteTranscoder>> transcoders_;
  uint64_t next_id_ = 1;          // handshakes
  uint64_t next_transcoder_ = 1;  // registered transcoders: t-1, t-2, ...
};

}  // namespace lp
