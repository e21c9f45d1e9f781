// MPEG-TS clock rewriting and the scanner that reads the source's clock.
#include <gtest/gtest.h>

#include <gst/gst.h>

#include <cstdlib>
#include <vector>

#include "source_timestamps.h"
#include "ts_restamp.h"

namespace {

void write_pts(uint8_t* p, uint8_t prefix, int64_t t) {
  p[0] = static_cast<uint8_t>((prefix << 4) | ((t >> 29) & 0x0e) | 1);
  p[1] = static_cast<uint8_t>(t >> 22);
  p[2] = static_cast<uint8_t>(((t >> 14) & 0xfe) | 1);
  p[3] = static_cast<uint8_t>(t >> 7);
  p[4] = static_cast<uint8_t>(((t << 1) & 0xfe) | 1);
}

// One TS packet starting a video PES with PTS (and DTS), optionally with PCR and the random
// access flag in an adaptation field.
std::vector<uint8_t> pes_packet(uint16_t pid, int64_t pts, int64_t dts, bool random_access,
                                std::optional<int64_t> pcr) {
  std::vector<uint8_t> pkt(lp::kTsPacketSize, 0xff);
  pkt[0] = 0x47;
  pkt[1] = static_cast<uint8_t>(0x40 | (pid >> 8));
  pkt[2] = static_cast<uint8_t>(pid);
  pkt[3] = 0x30;  // adaptation field + payload
  std::size_t af_len = pcr ? 7 : 1;
  pkt[4] = static_cast<uint8_t>(af_len);
  pkt[5] = static_cast<uint8_t>((random_access ? 0x40 : 0) | (pcr ? 0x10 : 0));
  if (pcr) {
    int64_t b = *pcr;
    pkt[6] = static_cast<uint8_t>(b >> 25);
    pkt[7] = static_cast<uint8_t>(b >> 17);
    pkt[8] = static_cast<uint8_t>(b >> 9);
    pkt[9] = static_cast<uint8_t>(b >> 1);
    pkt[10] = static_cast<uint8_t>(((b & 1) << 7) | 0x7e);
    pkt[11] = 0;
  }
  uint8_t* pes = pkt.data() + 5 + af_len;
  const uint8_t head[] = {0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10};
  std::copy(std::begin(head), std::end(head), pes);
  write_pts(pes + 9, 3, pts);
  write_pts(pes + 14, 1, dts);
  return pkt;
}

int64_t pcr_of(const std::vector<uint8_t>& pkt) {
  const uint8_t* p = pkt.data() + 6;
  return (int64_t(p[0]) << 25) | (int64_t(p[1]) << 17) | (int64_t(p[2]) << 9) | (int64_t(p[3]) << 1) | (p[4] >> 7);
}

TEST(TsRestamp, ShiftsPtsDtsAndPcr) {
  auto pkt = pes_packet(0x100, 324000000, 323997000, true, 323990000);
  ASSERT_TRUE(lp::ts_shift_timestamps(pkt.data(), pkt.size(), -lp::kMpegtsmuxClockBase + 900));
  const uint8_t* pes = pkt.data() + 12;
  EXPECT_EQ(lp::read_pes_timestamp(pes + 9), 900);
  EXPECT_EQ(lp::read_pes_timestamp(pes + 14), 900 - 3000 + lp::kTsWrap);  // wraps below zero
  EXPECT_EQ(pcr_of(pkt), 900 - 10000 + lp::kTsWrap);
  // Marker bits survive.
  EXPECT_EQ(pes[9] & 1, 1);
  EXPECT_EQ(pes[11] & 1, 1);
  EXPECT_EQ(pes[13] & 1, 1);
  EXPECT_EQ(pes[9] >> 4, 3);
}

TEST(TsRestamp, WrapsAbove33Bits) {
  auto pkt = pes_packet(0x100, lp::kTsWrap - 10, lp::kTsWrap - 10, false, std::nullopt);
  ASSERT_TRUE(lp::ts_shift_timestamps(pkt.data(), pkt.size(), 25));
  EXPECT_EQ(lp::read_pes_timestamp(pkt.data() + 6 + 9), 15);
}

TEST(TsRestamp, RejectsPartialPackets) {
  auto pkt = pes_packet(0x100, 1000, 1000, false, std::nullopt);
  auto copy = pkt;
  EXPECT_FALSE(lp::ts_shift_timestamps(pkt.data(), pkt.size() - 1, 5));
  EXPECT_EQ(pkt, copy);
}

TEST(TsRestamp, NanosecondsToTicksRounds) {
  EXPECT_EQ(lp::ns_to_ts_ticks(1'000'000'000), 90000);
  EXPECT_EQ(lp::ns_to_ts_ticks(33'333'333), 3000);
  EXPECT_EQ(lp::ns_to_ts_ticks(-1'000'000'000), -90000);
}

// mpegtsmux converts by gst_util_uint64_scale(t, 9, 100000), truncating toward zero.
int64_t mpegtsmux_ticks(int64_t ns) {
  int64_t t = static_cast<int64_t>(gst_util_uint64_scale(static_cast<guint64>(std::llabs(ns)), 9, 100000));
  return ns < 0 ? -t : t;
}

TEST(TsRestamp, MuxTimeForTicksSurvivesTheMuxersTruncation) {
  // 1/30 s as videorate computes it (33333333 ns) would lose a tick in the muxer.
  EXPECT_EQ(mpegtsmux_ticks(33'333'333), 2999);
  EXPECT_EQ(lp::mux_time_for_ticks(3000), 33'333'334);
  EXPECT_EQ(lp::mux_time_for_ticks(90000), 1'000'000'000);
  EXPECT_EQ(lp::mux_time_for_ticks(0), 0);
  for (int64_t ticks : {int64_t{1}, int64_t{2999}, int64_t{3003}, int64_t{128999}, int64_t{-3003}, lp::kTsWrap - 1}) {
    SCOPED_TRACE(ticks);
    int64_t ns = lp::mux_time_for_ticks(ticks);
    EXPECT_EQ(mpegtsmux_ticks(ns), ticks);
    EXPECT_EQ(lp::ns_to_ts_ticks(ns), ticks);  // and it is the tick's own time, not the next's
  }
}

TEST(SourceTimestampScanner, PrefersRandomAccessPesAcrossChunkBoundaries) {
  std::vector<uint8_t> stream;
  auto a = pes_packet(0x100, 5000, 5000, false, std::nullopt);
  auto b = pes_packet(0x100, 8000, 7000, true, std::nullopt);
  stream.insert(stream.end(), a.begin(), a.end());
  stream.insert(stream.end(), b.begin(), b.end());
  lp::SourceTimestampScanner scanner;
  // Feed in awkward chunk sizes.
  for (std::size_t off = 0; off < stream.size(); off += 77)
    scanner.feed(stream.data() + off, std::min<std::size_t>(77, stream.size() - off));
  EXPECT_EQ(scanner.container(), lp::SourceTimestampScanner::Container::MpegTs);
  EXPECT_EQ(scanner.first_video_pts(), 5000);
  EXPECT_EQ(scanner.first_keyframe_pts(), 8000);
  EXPECT_TRUE(scanner.done());
}

TEST(SourceTimestampScanner, ProgramStreamVideoPes) {
  std::vector<uint8_t> ps = {0, 0, 1, 0xba, 0x44, 0, 4, 0, 4, 1, 1, 0x89, 0xc3, 0xf8};
  const uint8_t pes[] = {0, 0, 1, 0xe0, 0, 20, 0x80, 0x80, 5};
  ps.insert(ps.end(), std::begin(pes), std::end(pes));
  std::size_t at = ps.size();
  ps.resize(ps.size() + 5 + 16, 0);
  write_pts(ps.data() + at, 2, 123456);
  lp::SourceTimestampScanner scanner;
  scanner.feed(ps.data(), 10);
  scanner.feed(ps.data() + 10, ps.size() - 10);
  EXPECT_EQ(scanner.container(), lp::SourceTimestampScanner::Container::MpegPs);
  EXPECT_EQ(scanner.first_video_pts(), 123456);
}

TEST(SourceTimestampScanner, StreamTimeOffsetFromTheSourceClockRounds) {
  auto pkt = pes_packet(0x100, 129000, 129000, true, std::nullopt);  // 1.433333... s
  lp::SourceTimestampScanner scanner;
  scanner.feed(pkt.data(), pkt.size());
  // The demuxer's stream time for it, a nanosecond short as tsdemux truncates.
  EXPECT_EQ(scanner.stream_time_offset(7'000'000'000, 433'333'333, true), 1'000'000'000);
}

TEST(SourceTimestampScanner, MatroskaSourceTimeIsThePts) {
  const uint8_t ebml[] = {0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01};
  lp::SourceTimestampScanner scanner;
  scanner.feed(ebml, sizeof ebml);
  EXPECT_EQ(scanner.container(), lp::SourceTimestampScanner::Container::Matroska);
  EXPECT_TRUE(scanner.done());
  // matroskademux: PTS 0.54 s at stream time 0.
  EXPECT_EQ(scanner.stream_time_offset(540'000'000, 0, true), 540'000'000);
}

TEST(SourceTimestampScanner, OtherContainersAreLeftAlone) {
  const uint8_t mp4[] = {0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  lp::SourceTimestampScanner scanner;
  scanner.feed(mp4, sizeof mp4);
  EXPECT_EQ(scanner.container(), lp::SourceTimestampScanner::Container::Other);
  EXPECT_TRUE(scanner.done());
  EXPECT_FALSE(scanner.first_video_pts());
  EXPECT_FALSE(scanner.stream_time_offset(540'000'000, 540'000'000, true));
}

}  // namespace
