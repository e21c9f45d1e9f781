// `lpnode --gateway`: live streams in over RTMP (rtmp://HOST:PORT/<app>/<stream key>) or as
// MPEG-TS in the body of an HTTP PUT/POST to /live/<stream key> (chunked, as long as the stream
// lasts), transcoded through the orchestrators, served as live HLS at
// /hls/<stream key>/index.m3u8 with the source rendition too. A stream whose input stops
// keeps its playlists (ENDLIST) for a while, then is cleaned up. Runs on the global default
// main context.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "error.h"
#include "orchestrator_client.h"
#include "profile.h"

namespace lp {

struct GatewayConfig {
  std::string rtmp_addr = "0.0.0.0:1935";  // "" = no RTMP
  std::string http_addr = "0.0.0.0:8935";  // HLS out, MPEG-TS in
  std::vector<std::string> orchestrators;
  std::vector<Profile> profiles;
  ClientOptions client;
  std::string hls_dir;  // where live playlists and segments are written
  double segment_seconds = 2;
  size_t window = 6;
  std::chrono::seconds stream_timeout{30};  // no input this long ends a stream; ended streams
                                            // are removed this long after their last segment
};

class Gateway {
 public:
  static Result<std::unique_ptr<Gateway>> start(GatewayConfig config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  int rtmp_port() const;             // 0 without RTMP
  std::string http_address() const;  // host:port as bound

  struct Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp
