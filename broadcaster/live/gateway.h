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
#include "http/http_limits.h"
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
  // Streams at once: being published, or ended and still finishing their last segments (each
  // holds a segmenter pipeline and its threads). A publish beyond it is refused: HTTP 503,
  // RTMP NetStream.Publish.Rejected.
  size_t max_streams = 64;
  // Per stream: input bytes waiting for the segmenter. A stream whose input gets this far
  // ahead of it is dropped (its ingest closed, its playlists ended).
  size_t stream_buffer_bytes = 16u << 20;
  // An ingest (HTTP PUT/POST body, RTMP publish) that sends no media this long is closed and
  // its stream ended: a stalled publisher does not hold its slot until the stream timeout.
  std::chrono::milliseconds ingest_timeout{std::chrono::seconds(10)};
  // The HTTP listener's connection limits; its cap on bodies at once is raised to fit
  // max_streams live ingests.
  HttpLimits http_limits;
};

class Gateway {
 public:
  static Result<std::unique_ptr<Gateway>> start(GatewayConfig config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  int rtmp_port() const;             // 0 without RTMP
  std::string http_address() const;  // host:port as bound
  // Streams counted against max_streams now. Call it on the main context's thread.
  size_t active_streams() const;

  struct Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp
