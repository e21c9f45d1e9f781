#include "source_timestamps.h"

#include <algorithm>

#include "ts_restamp.h"

namespace lp {
namespace {

// Past this the segment evidently has no PTS we can read; stop buffering.
constexpr std::size_t kScanLimit = 8 * 1024 * 1024;

bool is_video_stream_id(uint8_t id) { return id >= 0xe0 && id <= 0xef; }

// PES header at `pes` (at least 14 bytes readable): the PTS if it is a video PES with one.
std::optional<int64_t> video_pes_pts(const uint8_t* pes) {
  if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || !is_video_stream_id(pes[3])) return {};
  if ((pes[6] & 0xc0) != 0x80 || !(pes[7] & 0x80)) return {};  // MPEG-2 PES with a PTS
  return read_pes_timestamp(pes + 9);
}

}  // namespace

bool SourceTimestampScanner::done() const {
  if (container_ == Container::Other || container_ == Container::Matroska) return true;
  if (scanned_ > kScanLimit) return true;
  if (container_ == Container::MpegPs) return first_video_pts_.has_value();
  return first_keyframe_pts_.has_value();
}

void SourceTimestampScanner::detect(const uint8_t* data, std::size_t size) {
  pending_.insert(pending_.end(), data, data + size);
  if (pending_.size() < kTsPacketSize + 1 && pending_.size() < 4) return;
  const uint8_t* p = pending_.data();
  if (p[0] == 0x47 && (pending_.size() <= kTsPacketSize || p[kTsPacketSize] == 0x47)) {
    container_ = Container::MpegTs;
  } else if (p[0] == 0 && p[1] == 0 && p[2] == 1 && p[3] == 0xba) {
    container_ = Container::MpegPs;
  } else if (p[0] == 0x1a && p[1] == 0x45 && p[2] == 0xdf && p[3] == 0xa3) {  // EBML
    container_ = Container::Matroska;
    pending_.clear();
    return;
  } else {
    container_ = Container::Other;
    pending_.clear();
    return;
  }
  std::vector<uint8_t> buffered;
  buffered.swap(pending_);
  feed(buffered.data(), buffered.size());
}

std::optional<int64_t> SourceTimestampScanner::stream_time_offset(uint64_t pts, uint64_t stream_time,
                                                                  bool keyframe) const {
  if (container_ == Container::Matroska) return static_cast<int64_t>(pts - stream_time);
  std::optional<int64_t> ticks = keyframe ? first_keyframe_pts_ : std::nullopt;
  if (!ticks) ticks = first_video_pts_;
  if (!ticks) return std::nullopt;
  int64_t source_ns = (*ticks * 100000 + 4) / 9;  // 90 kHz to ns, rounded
  return source_ns - static_cast<int64_t>(stream_time);
}

void SourceTimestampScanner::feed(const uint8_t* data, std::size_t size) {
  if (done() || size == 0) return;
  if (container_ == Container::Unknown) {
    detect(data, size);
    return;
  }
  scanned_ += size;
  if (container_ == Container::MpegPs) {
    scan_ps(data, size);
    return;
  }
  // MPEG-TS: complete the pending partial packet, then whole packets, keep the tail.
  std::size_t off = 0;
  if (!pending_.empty()) {
    std::size_t need = kTsPacketSize - pending_.size();
    std::size_t take = std::min(need, size);
    pending_.insert(pending_.end(), data, data + take);
    off = take;
    if (pending_.size() < kTsPacketSize) return;
    scan_ts_packet(pending_.data());
    pending_.clear();
  }
  for (; off + kTsPacketSize <= size && !done(); off += kTsPacketSize) scan_ts_packet(data + off);
  if (off < size && !done()) pending_.assign(data + off, data + size);
}

void SourceTimestampScanner::scan_ts_packet(const uint8_t* pkt) {
  if (pkt[0] != 0x47 || !(pkt[1] & 0x40)) return;  // only PES starts matter
  int afc = (pkt[3] >> 4) & 0x3;
  bool random_access = false;
  std::size_t pos = 4;
  if (afc & 0x2) {
    random_access = pkt[4] > 0 && (pkt[5] & 0x40);
    pos = 5 + pkt[4];
  }
  if (!(afc & 0x1) || pos + 14 > kTsPacketSize) return;
  auto pts = video_pes_pts(pkt + pos);
  if (!pts) return;
  if (!first_video_pts_) first_video_pts_ = pts;
  if (random_access && !first_keyframe_pts_) first_keyframe_pts_ = pts;
}

void SourceTimestampScanner::scan_ps(const uint8_t* data, std::size_t size) {
  // PES packets are contiguous in a program stream: look for a video start code with a PTS.
  pending_.insert(pending_.end(), data, data + size);
  const uint8_t* p = pending_.data();
  std::size_t n = pending_.size();
  std::size_t i = 0;
  for (; i + 14 <= n; ++i) {
    if (auto pts = video_pes_pts(p + i)) {
      first_video_pts_ = pts;
      first_keyframe_pts_ = pts;
      pending_.clear();
      return;
    }
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(i));
}

}  // namespace lp
