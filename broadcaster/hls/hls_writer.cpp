#include "hls_writer.h"

#include "fmp4_split.h"

#include <glib/gstdio.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>

namespace lp {
namespace {

// Segments kept on disk behind a live window: a player may still be fetching them.
constexpr int64_t kLiveKeepBehind = 3;

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

Result<void> check_hls_codecs(const std::vector<Profile>& profiles) {
  for (const auto& p : profiles) {
    if (p.codec != VideoCodec::VP8) continue;
    return Error{ErrorCode::Unsupported, std::string("profile ") + p.name + ": HLS cannot carry " +
                                             video_codec_name(p.codec) +
                                             " (its renditions come in WebM); use H.264, HEVC, VP9 or AV1"};
  }
  return {};
}

std::string file_safe_name(const std::string& name) {
  std::string out = name.empty() ? std::string("rendition") : name;
  for (char& c : out)
    if (!g_ascii_isalnum(c) && c != '.' && c != '_' && c != '-') c = '_';
  if (out == "." || out == "..") out = "_";
  return out;
}

HlsWriter::HlsWriter(std::string dir, std::vector<std::string> names)
    : dir_(std::move(dir)), renditions_(names.size()) {
  for (size_t i = 0; i < names.size(); ++i) renditions_[i].variant.name = names[i];
}

std::string HlsWriter::segment_path(size_t rendition, int64_t seq, bool fmp4) const {
  const std::string name = file_safe_name(renditions_.at(rendition).variant.name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "_%05lld.%s", static_cast<long long>(seq), fmp4 ? "m4s" : "ts");
  return name + "/" + name + buf;
}

Result<void> HlsWriter::write_file(const std::string& relative, const std::string& text) const {
  const std::string path = dir_ + "/" + relative;
  const std::string tmp = path + ".tmp";
  g_autoptr(GError) error = nullptr;
  if (!g_file_set_contents(tmp.c_str(), text.data(), static_cast<gssize>(text.size()), &error))
    return Error{ErrorCode::Internal, "cannot write " + path + ": " + error->message};
  if (g_rename(tmp.c_str(), path.c_str()) != 0)
    return Error{ErrorCode::Internal, "cannot rename " + tmp + ": " + g_strerror(errno)};
  return {};
}

Result<std::string> HlsWriter::init_section(size_t rendition, const std::string& key,
                                            const std::vector<uint8_t>& init) {
  std::lock_guard lock(mutex_);  // held while writing: two segments with a new init write it once
  Rendition& r = renditions_[rendition];
  if (auto it = r.inits.find(key); it != r.inits.end()) return it->second;
  const std::string name = file_safe_name(r.variant.name);
  const std::string file = name + "_init" + std::to_string(r.inits.size()) + ".mp4";
  if (auto e = write_file(name + "/" + file, std::string(init.begin(), init.end())); !e.ok()) return e.error();
  r.inits[key] = file;
  return file;
}

Result<void> HlsWriter::add_segment(size_t rendition, int64_t seq, GBytes* bytes, double duration_s,
                                    const std::optional<HlsVariant>& given, GstClockTime start) {
  std::string name;
  {
    std::lock_guard lock(mutex_);
    if (rendition >= renditions_.size()) return Error{ErrorCode::Internal, "no rendition " + std::to_string(rendition)};
    name = file_safe_name(renditions_[rendition].variant.name);
  }
  const std::string folder = dir_ + "/" + name;
  if (g_mkdir_with_parents(folder.c_str(), 0755) != 0)
    return Error{ErrorCode::Internal, "cannot create " + folder + ": " + g_strerror(errno)};
  gsize n = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &n));
  std::span<const uint8_t> out(data, n);
  std::optional<HlsVariant> variant = given;
  std::string map;
  Fmp4Segment parts;
  const bool fmp4 = looks_like_mp4(out);
  if (fmp4) {
    if (!GST_CLOCK_TIME_IS_VALID(start))
      return Error{ErrorCode::Internal,
                   "rendition " + name + " segment " + std::to_string(seq) + ": an fMP4 segment needs its start time"};
    auto split = split_fmp4(out, start);
    if (!split)
      return Error{split.error().code,
                   "rendition " + name + " segment " + std::to_string(seq) + ": " + split.error().message};
    parts = std::move(*split);
    if (variant) variant->codecs = parts.codecs;
    auto init = init_section(rendition, parts.init_key, parts.init);
    if (!init) return init.error();
    map = *init;
    out = parts.media;
  }
  const std::string relative = segment_path(rendition, seq, fmp4);
  g_autoptr(GError) error = nullptr;
  if (!g_file_set_contents((dir_ + "/" + relative).c_str(), reinterpret_cast<const char*>(out.data()),
                           static_cast<gssize>(out.size()), &error))
    return Error{ErrorCode::Internal, "cannot write " + relative + ": " + error->message};
  std::lock_guard lock(mutex_);
  Rendition& r = renditions_[rendition];
  if (variant) r.variant = *variant;
  if (!map.empty()) r.last_map = map;
  r.segments[seq] = Entry{duration_s, out.size(), false, relative, map};
  r.target = std::max(r.target, static_cast<int>(std::lround(duration_s)));
  return {};
}

std::string HlsWriter::media_playlist(Rendition& r, int64_t first, int64_t last, bool ended, bool vod) const {
  bool gaps = false, maps = false;
  for (int64_t s = first; s <= last; ++s) {
    const Entry& e = r.segments.at(s);
    gaps = gaps || e.lost;
    maps = maps || !e.map.empty();
    // Every EXTINF, rounded to the nearest integer, must be at most the target duration,
    // which must not change during the stream.
    r.target = std::max(r.target, static_cast<int>(std::lround(e.duration)));
  }
  // EXT-X-GAP needs version 8; fMP4 (EXT-X-MAP without I-frames only) version 7.
  std::string out = "#EXTM3U\n#EXT-X-VERSION:" +
                    std::string(gaps   ? "8"
                                : maps ? "7"
                                       : "3") +
                    "\n#EXT-X-TARGETDURATION:" + std::to_string(r.target) +
                    "\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
  if (vod) out += "#EXT-X-PLAYLIST-TYPE:VOD\n";
  out += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  std::string map;
  for (int64_t s = first; s <= last; ++s) {
    const Entry& e = r.segments.at(s);
    if (!e.map.empty() && e.map != map) {
      map = e.map;
      out += "#EXT-X-MAP:URI=\"" + map + "\"\n";
    }
    if (e.lost) out += "#EXT-X-GAP\n";
    out += "#EXTINF:" + fixed(e.duration, 3) + ",\n" + e.file.substr(e.file.find('/') + 1) + "\n";
  }
  if (ended) out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string HlsWriter::master_playlist() const {
  struct Line {
    int64_t peak;
    std::string text;
  };
  std::vector<Line> lines;
  for (const auto& r : renditions_) {
    double seconds = 0, bits = 0, peak = 0;
    for (const auto& [seq, e] : r.segments) {
      if (e.lost) continue;
      seconds += e.duration;
      bits += 8.0 * static_cast<double>(e.bytes);
      if (e.duration > 0) peak = std::max(peak, 8.0 * static_cast<double>(e.bytes) / e.duration);
    }
    const auto average = static_cast<int64_t>(seconds > 0 ? bits / seconds : 0);
    const auto bandwidth = std::max(static_cast<int64_t>(std::ceil(peak)), average);
    std::string text =
        "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(bandwidth) + ",AVERAGE-BANDWIDTH=" + std::to_string(average);
    if (r.variant.width > 0 && r.variant.height > 0)
      text += ",RESOLUTION=" + std::to_string(r.variant.width) + "x" + std::to_string(r.variant.height);
    if (r.variant.frame_rate > 0) text += ",FRAME-RATE=" + fixed(r.variant.frame_rate, 3);
    if (!r.variant.codecs.empty()) text += ",CODECS=\"" + r.variant.codecs + "\"";
    text += "\n" + file_safe_name(r.variant.name) + "/index.m3u8\n";
    lines.push_back({bandwidth, text});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.peak > b.peak; });
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const auto& l : lines) out += l.text;
  return out;
}

Result<void> HlsWriter::finish_vod(int64_t segments) {
  std::lock_guard lock(mutex_);
  if (segments <= 0) return Error{ErrorCode::BadSegment, "no segments to write a playlist for"};
  for (const auto& r : renditions_) {
    for (int64_t s = 0; s < segments; ++s) {
      if (!r.segments.count(s))
        return Error{ErrorCode::Internal, "rendition " + r.variant.name + " is missing segment " + std::to_string(s)};
    }
  }
  for (auto& r : renditions_) {
    if (auto e =
            write_file(file_safe_name(r.variant.name) + "/index.m3u8", media_playlist(r, 0, segments - 1, true, true));
        !e.ok())
      return e;
  }
  return write_file("index.m3u8", master_playlist());
}

void HlsWriter::mark_lost(size_t rendition, int64_t seq, double duration_s) {
  std::lock_guard lock(mutex_);
  if (rendition >= renditions_.size()) return;
  Rendition& r = renditions_[rendition];
  // No file behind it; it keeps the name it would have had.
  // An fMP4 gap keeps the rendition's init section, so a window that starts with it still
  // names one before its first segment.
  r.segments[seq] = Entry{duration_s, 0, true, segment_path(rendition, seq, !r.inits.empty()), r.last_map};
  r.target = std::max(r.target, static_cast<int>(std::lround(duration_s)));
}

Result<void> HlsWriter::write_live(size_t window, bool ended) {
  std::lock_guard lock(mutex_);
  bool all_started = true;
  for (size_t index = 0; index < renditions_.size(); ++index) {
    Rendition& r = renditions_[index];
    if (r.segments.empty()) {
      all_started = false;
      continue;
    }
    // The run from the oldest segment up to the first one still missing.
    const int64_t oldest = r.segments.begin()->first;
    int64_t last = oldest;
    while (r.segments.count(last + 1)) ++last;
    const int64_t first = std::max(oldest, last - static_cast<int64_t>(window) + 1);
    if (auto e =
            write_file(file_safe_name(r.variant.name) + "/index.m3u8", media_playlist(r, first, last, ended, false));
        !e.ok())
      return e;
    for (auto it = r.segments.begin(); it != r.segments.end() && it->first < first - kLiveKeepBehind;) {
      if (!it->second.lost) g_remove((dir_ + "/" + it->second.file).c_str());
      it = r.segments.erase(it);
    }
  }
  // Players read the master once: it waits until every variant has a playlist to point at.
  if (!all_started) return {};
  return write_file("index.m3u8", master_playlist());
}

}  // namespace lp
