// Finds the source's own clock in a segment's raw bytes. Demuxers renormalise timestamps
// (tsdemux subtracts the first PCR), so the original 90 kHz PTS of the first video frame is
// read from the MPEG-TS or MPEG-PS packets as they stream into lpladder. matroskademux
// keeps the block timestamps as PTS but starts stream time at 0 (its segment's time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace lp {

class SourceTimestampScanner {
 public:
  enum class Container { Unknown, MpegTs, MpegPs, Matroska, Other };

  // Feed the segment's bytes in order, in chunks of any size.
  void feed(const uint8_t* data, std::size_t size);

  Container container() const { return container_; }
  // PTS (90 kHz) of the first video PES whose TS packet marks a random access point.
  std::optional<int64_t> first_keyframe_pts() const { return first_keyframe_pts_; }
  // PTS (90 kHz) of the first video PES carrying a PTS.
  std::optional<int64_t> first_video_pts() const { return first_video_pts_; }
  // True when there is nothing more to learn from further bytes.
  bool done() const;

  // What to add to a frame's stream time to give the source's own timestamp (ns), from the
  // first coded video frame out of the demuxer: its PTS and stream time, whether it is a
  // keyframe. nullopt when stream time already is the source's (MP4: its edit list
  // applied) or no clock was found.
  std::optional<int64_t> stream_time_offset(uint64_t pts, uint64_t stream_time, bool keyframe) const;

 private:
  void detect(const uint8_t* data, std::size_t size);
  void scan_ts_packet(const uint8_t* pkt);
  void scan_ps(const uint8_t* data, std::size_t size);

  Container container_ = Container::Unknown;
  std::vector<uint8_t> pending_;  // a partial TS packet, or PS bytes not yet scanned
  std::optional<int64_t> first_keyframe_pts_;
  std::optional<int64_t> first_video_pts_;
  std::size_t scanned_ = 0;
};

}  // namespace lp
