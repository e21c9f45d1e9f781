#include "hls_writer.h"

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

std::optional<Error> check_hls_codecs(const std::vector<Profile>& profiles) {
  for (const auto& p : profiles) {
    if (p.codec == VideoCodec::H264 || p.codec == VideoCodec::HEVC) continue;
    return Error{ErrorCode::Unsupported, std::string("profile ") + p.name + ": HLS output of " + video_codec_name(p.codec) +
                                             " renditions (fragmented MP4 or WebM) is not supported yet; use H.264 or HEVC"};
  }
  return std::nullopt;
}

std::string file_safe_name(const std::string& name) {
  std::string out = name.empty() ? std::string("rendition") : name;
  for (char& c : out)
    if (!g_ascii_isalnum(c) && c != '.' && c != '_' && c != '-') c = '_';
  if (out == "." || out == "..") out = "_";
  return out;
}

HlsWriter::HlsWriter(std::string dir, std::vector<std::string> names) : dir_(std::move(dir)), renditions_(names.size()) {
  for (size_t i = 0; i < names.size(); ++i) renditions_[i].variant.name = names[i];
}

std::string HlsWriter::segment_path(size_t rendition, int64_t seq) const {
  const std::string name = file_safe_name(renditions_.at(rendition).variant.name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "_%05lld.ts", static_cast<long long>(seq));
  return name + "/" + name + buf;
}

std::optional<Error> HlsWriter::write_file(const std::string& relative, const std::string& text) const {
  const std::string path = dir_ + "/" + relative;
  const std::string tmp = path + ".tmp";
  g_autoptr(GError) error = nullptr;
  if (!g_file_set_contents(tmp.c_str(), text.data(), static_cast<gssize>(text.size()), &error))
    return Error{ErrorCode::Internal, "cannot write " + path + ": " + error->message};
  if (g_rename(tmp.c_str(), path.c_str()) != 0)
    return Error{ErrorCode::Internal, "cannot rename " + tmp + ": " + g_strerror(errno)};
  return std::nullopt;
}

std::optional<Error> HlsWriter::add_segment(size_t rendition, int64_t seq, GBytes* bytes, double duration_s,
                                            const std::optional<HlsVariant>& variant) {
  std::string relative;
  {
    std::lock_guard lock(mutex_);
    if (rendition >= renditions_.size()) return Error{ErrorCode::Internal, "no rendition " + std::to_string(rendition)};
    if (variant) renditions_[rendition].variant = *variant;
    relative = segment_path(rendition, seq);
  }
  const std::string folder = dir_ + "/" + relative.substr(0, relative.find('/'));
  if (g_mkdir_with_parents(folder.c_str(), 0755) != 0)
    return Error{ErrorCode::Internal, "cannot create " + folder + ": " + g_strerror(errno)};
  gsize n = 0;
  const void* data = g_bytes_get_data(bytes, &n);
  g_autoptr(GError) error = nullptr;
  if (!g_file_set_contents((dir_ + "/" + relative).c_str(), static_cast<const char*>(data), static_cast<gssize>(n), &error))
    return Error{ErrorCode::Internal, "cannot write " + relative + ": " + error->message};
  std::lock_guard lock(mutex_);
  Rendition& r = renditions_[rendition];
  r.segments[seq] = Entry{duration_s, n};
  r.target = std::max(r.target, static_cast<int>(std::lround(duration_s)));
  return std::nullopt;
}

std::string HlsWriter::media_playlist(Rendition& r, int64_t first, int64_t last, bool ended, bool vod) const {
  bool gaps = false;
  for (int64_t s = first; s <= last; ++s) {
    const Entry& e = r.segments.at(s);
    gaps = gaps || e.lost;
    // Every EXTINF, rounded to the nearest integer, must be at most the target duration,
    // which must not change during the stream.
    r.target = std::max(r.target, static_cast<int>(std::lround(e.duration)));
  }
  std::string out = "#EXTM3U\n#EXT-X-VERSION:" + std::string(gaps ? "8" : "3") +
                    "\n#EXT-X-TARGETDURATION:" + std::to_string(r.target) + "\n#EXT-X-MEDIA-SEQUENCE:" +
                    std::to_string(first) + "\n";
  if (vod) out += "#EXT-X-PLAYLIST-TYPE:VOD\n";
  out += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  const std::string name = file_safe_name(r.variant.name);
  for (int64_t s = first; s <= last; ++s) {
    const Entry& e = r.segments.at(s);
    if (e.lost) out += "#EXT-X-GAP\n";
    char file[32];
    std::snprintf(file, sizeof file, "_%05lld.ts", static_cast<long long>(s));
    out += "#EXTINF:" + fixed(e.duration, 3) + ",\n" + name + file + "\n";
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
    std::string text = "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(bandwidth) +
                       ",AVERAGE-BANDWIDTH=" + std::to_string(average);
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

std::optional<Error> HlsWriter::finish_vod(int64_t segments) {
  std::lock_guard lock(mutex_);
  if (segments <= 0) return Error{ErrorCode::BadSegment, "no segments to write a playlist for"};
  for (const auto& r : renditions_) {
    for (int64_t s = 0; s < segments; ++s) {
      if (!r.segments.count(s))
        return Error{ErrorCode::Internal, "rendition " + r.variant.name + " is missing segment " + std::to_string(s)};
    }
  }
  for (auto& r : renditions_) {
    if (auto e = write_file(file_safe_name(r.variant.name) + "/index.m3u8", media_playlist(r, 0, segments - 1, true, true)))
      return e;
  }
  return write_file("index.m3u8", master_playlist());
}

void HlsWriter::mark_lost(size_t rendition, int64_t seq, double duration_s) {
  std::lock_guard lock(mutex_);
  if (rendition >= renditions_.size()) return;
  Rendition& r = renditions_[rendition];
  r.segments[seq] = Entry{duration_s, 0, true};
  r.target = std::max(r.target, static_cast<int>(std::lround(duration_s)));
}

std::optional<Error> HlsWriter::write_live(size_t window, bool ended) {
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
    if (auto e = write_file(file_safe_name(r.variant.name) + "/index.m3u8", media_playlist(r, first, last, ended, false)))
      return e;
    for (auto it = r.segments.begin(); it != r.segments.end() && it->first < first - kLiveKeepBehind;) {
      if (!it->second.lost) g_remove((dir_ + "/" + segment_path(index, it->first)).c_str());
      it = r.segments.erase(it);
    }
  }
  // Players read the master once: it waits until every variant has a playlist to point at.
  if (!all_started) return std::nullopt;
  return write_file("index.m3u8", master_playlist());
}

}  // namespace lp
