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

std::string file_safe_name(const std::string& name) {
  std::string out = name.empty() ? std::string("rendition") : name;
  for (char& c : out)
    if (!g_ascii_isalnum(c) && c != '.' && c != '_' && c != '-') c = '_';
  if (out == "." || out == "..") out = "_";
  return out;
}

HlsWriter::HlsWriter(std::string dir, size_t renditions) : dir_(std::move(dir)), renditions_(renditions) {
  for (size_t i = 0; i < renditions; ++i) renditions_[i].variant.name = "rendition" + std::to_string(i);
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
  renditions_[rendition].segments[seq] = Entry{duration_s, n};
  return std::nullopt;
}

std::string HlsWriter::media_playlist(const Rendition& r, const std::vector<int64_t>& seqs,
                                     int64_t discontinuity_sequence, bool ended, bool vod) const {
  double longest = 0;
  for (int64_t s : seqs) longest = std::max(longest, r.segments.at(s).duration);
  // Every EXTINF, rounded to the nearest integer, must be at most the target duration.
  const int target = std::max(1, static_cast<int>(std::lround(longest)));
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" + std::to_string(target) +
                    "\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(seqs.empty() ? 0 : seqs.front()) + "\n";
  if (discontinuity_sequence > 0)
    out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(discontinuity_sequence) + "\n";
  if (vod) out += "#EXT-X-PLAYLIST-TYPE:VOD\n";
  out += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  const std::string name = file_safe_name(r.variant.name);
  for (size_t i = 0; i < seqs.size(); ++i) {
    const int64_t s = seqs[i];
    if (i > 0 && seqs[i - 1] + 1 != s) out += "#EXT-X-DISCONTINUITY\n";  // lost segments between
    char file[32];
    std::snprintf(file, sizeof file, "_%05lld.ts", static_cast<long long>(s));
    out += "#EXTINF:" + fixed(r.segments.at(s).duration, 3) + ",\n" + name + file + "\n";
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
  for (const auto& r : renditions_) {
    std::vector<int64_t> all;
    for (int64_t s = 0; s < segments; ++s) all.push_back(s);
    if (auto e = write_file(file_safe_name(r.variant.name) + "/index.m3u8", media_playlist(r, all, 0, true, true)))
      return e;
  }
  return write_file("index.m3u8", master_playlist());
}

void HlsWriter::mark_lost(size_t rendition, int64_t seq) {
  std::lock_guard lock(mutex_);
  if (rendition < renditions_.size()) renditions_[rendition].lost.insert(seq);
}

std::optional<Error> HlsWriter::write_live(size_t window, bool ended) {
  std::lock_guard lock(mutex_);
  for (size_t index = 0; index < renditions_.size(); ++index) {
    Rendition& r = renditions_[index];
    if (r.segments.empty()) continue;
    // The run from the oldest segment up to the first gap that is not a lost segment.
    int64_t last = r.segments.begin()->first;
    while (r.segments.count(last + 1) || r.lost.count(last + 1)) ++last;
    std::vector<int64_t> seqs;
    for (auto it = r.segments.begin(); it != r.segments.end() && it->first <= last; ++it) seqs.push_back(it->first);
    if (seqs.size() > window) seqs.erase(seqs.begin(), seqs.end() - static_cast<std::ptrdiff_t>(window));
    int64_t discontinuities = 0;
    for (int64_t lost : r.lost)
      if (lost < seqs.front()) ++discontinuities;
    if (auto e = write_file(file_safe_name(r.variant.name) + "/index.m3u8",
                            media_playlist(r, seqs, discontinuities, ended, false)))
      return e;
    for (auto it = r.segments.begin(); it != r.segments.end() && it->first < seqs.front() - kLiveKeepBehind;) {
      g_remove((dir_ + "/" + segment_path(index, it->first)).c_str());
      it = r.segments.erase(it);
    }
  }
  return write_file("index.m3u8", master_playlist());
}

}  // namespace lp
