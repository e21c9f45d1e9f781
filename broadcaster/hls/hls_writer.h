// Writes an HLS ladder: a master playlist (DIR/index.m3u8) with one variant per rendition
// (BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, FRAME-RATE, CODECS) and per rendition a media
// playlist (DIR/<name>/index.m3u8) over its segments (DIR/<name>/<name>_<seq>.ts). Fragmented
// MP4 renditions (VP9, AV1) are split into an init section (DIR/<name>/<name>_init<k>.mp4,
// named by EXT-X-MAP; a new one only when the sample descriptions change) and media segments
// (DIR/<name>/<name>_<seq>.m4s) whose decode times continue across the stream. VOD
// playlists end with ENDLIST and are only written once every segment is in; live ones keep a
// sliding window. Playlists are replaced atomically (written aside, then renamed).
// Thread-safe.
#pragma once

#include <glib.h>
#include <gst/gst.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "error.h"
#include "profile.h"

namespace lp {

struct HlsVariant {
  std::string name;  // rendition (profile) name; also its directory, made file-safe
  int width = 0;     // of the encoded pictures
  int height = 0;
  double frame_rate = 0;  // 0 = not stated
  std::string codecs;     // RFC 6381, e.g. "avc1.64001f,mp4a.40.2"
};

class HlsWriter {
 public:
  // `names` are the renditions' names (directories and file names), known before any
  // segment so concurrent writers agree on where files go.
  HlsWriter(std::string dir, std::vector<std::string> names);

  // Writes one segment file and remembers it. The first segment of a rendition may also set
  // its variant attributes (`variant`, when given; an fMP4 segment's CODECS come from its own
  // sample descriptions). `start` (stream time of the segment's first frame) places an fMP4
  // segment's fragments on the stream's timeline; MPEG-TS segments carry their own clock.
  Result<void> add_segment(size_t rendition, int64_t seq, GBytes* bytes, double duration_s,
                           const std::optional<HlsVariant>& variant = std::nullopt,
                           GstClockTime start = GST_CLOCK_TIME_NONE);

  // VOD: every rendition must hold segments 0 .. segments-1; then all playlists are written.
  // Otherwise nothing is written and the error names the first missing segment.
  Result<void> finish_vod(int64_t segments);

  // Live: a segment that will never come (every orchestrator failed it). It keeps its place
  // and number, marked EXT-X-GAP, so every variant numbers its segments alike (RFC 8216bis).
  void mark_lost(size_t rendition, int64_t seq, double duration_s);

  // Live: media playlists over the last `window` segments of each rendition's run from its
  // oldest segment up to the first one still missing (segments finishing out of order wait
  // for those before them), and, once every rendition has a segment, the master; `ended`
  // adds ENDLIST. Segments older than the window (plus a margin players may still be
  // fetching) are deleted.
  Result<void> write_live(size_t window, bool ended);

  const std::string& dir() const { return dir_; }
  // "<name>/<name>_00042.ts" (".m4s" for fMP4), relative to dir().
  std::string segment_path(size_t rendition, int64_t seq, bool fmp4 = false) const;

 private:
  struct Entry {
    double duration = 0;
    size_t bytes = 0;
    bool lost = false;  // EXT-X-GAP: no file
    std::string file;   // relative to dir_
    std::string map;    // fMP4: its init section, relative to the rendition's directory
  };
  struct Rendition {
    HlsVariant variant;
    std::map<int64_t, Entry> segments;
    int target = 1;                            // EXT-X-TARGETDURATION: the longest segment so far, never lowered
    std::map<std::string, std::string> inits;  // fMP4 init key -> its file name
    std::string last_map;                      // the newest fMP4 segment's init section
  };
  // An fMP4 segment's init section: written the first time its key is seen. Returns its file
  // name (in the rendition's directory).
  Result<std::string> init_section(size_t rendition, const std::string& key, const std::vector<uint8_t>& init);
  // Over the segments from `first` to `last` (all present in r.segments).
  std::string media_playlist(Rendition& r, int64_t first, int64_t last, bool ended, bool vod) const;
  std::string master_playlist() const;
  Result<void> write_file(const std::string& relative, const std::string& text) const;

  std::string dir_;
  mutable std::mutex mutex_;
  std::vector<Rendition> renditions_;
};

// HLS carries MPEG-TS (H.264, HEVC) and fragmented MP4 (VP9, AV1) segments. VP8 renditions
// come in WebM, which HLS does not carry: refused, naming the profile.
Result<void> check_hls_codecs(const std::vector<Profile>& profiles);

// Keeps [A-Za-z0-9._-], replaces the rest with '_' (a profile name as a path component).
std::string file_safe_name(const std::string& name);

}  // namespace lp
