// `lpctl transcode`'s engine: a file (or MPEG-TS on stdin) in, a verified HLS ladder out.
// The segmenter cuts the input while a bounded pool of senders submits segments to the
// orchestrators (each result verified: signature, hashes, decoded pixel counts), retrying a
// failed segment on the next orchestrator in the list. The playlists are written only when
// every segment of every rendition is in: a failed run leaves no playlist that claims to be
// complete.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "orchestrator_client.h"
#include "profile.h"

namespace lp {

struct VodProgress {
  int64_t done = 0;           // segments transcoded (all renditions)
  int64_t cut = 0;            // segments the segmenter has produced so far
  bool cutting_done = false;  // cut is the total
  double media_seconds = 0;   // of the segments done
  double elapsed_seconds = 0;
  std::string event;  // what just happened, one line ("segment 4: 2.00 s, 3 renditions, orch 127.0.0.1:8935")
};

struct VodOptions {
  std::string input;                       // a media file, or "-" for MPEG-TS on stdin
  std::string out_dir;                     // created if missing
  std::vector<std::string> orchestrators;  // host:port, in order of preference
  std::vector<Profile> profiles;
  double segment_seconds = 2;
  int parallel = 0;  // segments in flight; 0 = the orchestrators' announced capacity (1..16)
  ClientOptions client;
  std::string stream_id;                                // "" = derived from the input name
  std::function<void(const VodProgress&)> on_progress;  // called from worker threads, serialised
};

struct VodRendition {
  std::string name;
  std::string playlist;  // path of its media playlist
  int width = 0;
  int height = 0;
  int64_t bytes = 0;
  int64_t frames = 0;
};

struct VodSummary {
  int64_t segments = 0;
  std::vector<VodRendition> renditions;
  double media_seconds = 0;
  double elapsed_seconds = 0;
  std::string master_playlist;  // path
};

Result<VodSummary> transcode_to_hls(const VodOptions& options);

}  // namespace lp
