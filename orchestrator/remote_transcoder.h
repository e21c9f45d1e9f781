// A transcoder connected over the control channel, as the dispatcher sees it: jobs go out as
// `job` messages naming URLs for the source and the renditions; `job_result` comes back once
// the renditions are uploaded, and is checked against the uploads (count, sizes, SHA-256).
// Pings every heartbeat; three missed pongs close the channel, which removes the worker.
#pragma once

#include <libsoup/soup.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "job_media.h"
#include "transcode.h"
#include "wire/transcoder_channel.h"
#include "worker.h"

namespace lp {

struct ChannelSettings {
  std::string pipeline_template;
  TranscodeOptions options;
  std::chrono::milliseconds heartbeat{1000};
};

class RemoteTranscoder : public Worker, public std::enable_shared_from_this<RemoteTranscoder> {
 public:
  // `base_url` is how the transcoder reached us ("http://" + its Host header): job URLs use
  // it, so they work through whatever address or name the transcoder was given.
  RemoteTranscoder(std::string id, std::string address, SoupWebsocketConnection* conn, const wire::Hello& hello,
                   std::string base_url, JobMedia& media, const ChannelSettings& settings);
  ~RemoteTranscoder() override;

  std::string start(const JobRequest& job) override;
  void cancel(const std::string& job_id) override;

  // Called (once) when the channel closes, whoever closed it.
  void on_closed(std::function<void(const std::string& why)> fn) { closed_ = std::move(fn); }
  void close(const std::string& why, SoupWebsocketCloseCode code = SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  // Closes and reports the transcoder gone at once, without waiting for the close handshake
  // a dead peer never answers.
  void gone(const std::string& why);
  void send(const std::string& text);

 private:
  static void on_message(SoupWebsocketConnection*, gint type, GBytes* message, gpointer self);
  static void on_close(SoupWebsocketConnection*, gpointer self);
  void handle(const std::string& text);
  void job_result(const wire::JobResult& m);
  void job_failure(const wire::JobFailure& m);
  void fail_later(const std::string& job_id, Error e);
  bool heartbeat();

  SoupWebsocketConnection* conn_;  // owned: one reference, dropped in the destructor
  std::string base_url_;
  JobMedia& media_;
  ChannelSettings settings_;
  std::set<std::string> jobs_;                            // in flight here
  std::map<std::string, std::vector<Profile>> expected_;  // job -> its renditions' profiles
  std::function<void(const std::string&)> closed_;
  std::string close_reason_;
  guint heartbeat_source_ = 0;
  int64_t ping_seq_ = 0;
  int64_t pong_seq_ = 0;
  gulong message_handler_ = 0;
  gulong close_handler_ = 0;
};

}  // namespace lp
