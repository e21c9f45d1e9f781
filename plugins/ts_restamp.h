// Rewrites the clock values inside MPEG-TS packets. mpegtsmux always starts its output at a
// 3600 s clock base; renditions must instead carry the source's own timestamps so that
// consecutive segments of a stream play gaplessly, so lprendition shifts every PES PTS/DTS
// and PCR by a constant after muxing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lp {

inline constexpr std::size_t kTsPacketSize = 188;
inline constexpr int64_t kTsClockHz = 90000;
inline constexpr int64_t kTsWrap = int64_t{1} << 33;  // PTS/DTS/PCR base are 33-bit
// mpegtsmux's TSMUX_CLOCK_BASE: its output clock for running time 0.
inline constexpr int64_t kMpegtsmuxClockBase = kTsClockHz * 3600;

// Adds delta_ticks (90 kHz, may be negative) to every PES PTS/DTS and every PCR in `data`,
// modulo 2^33. `data` must be whole packets; returns false (and changes nothing) otherwise.
bool ts_shift_timestamps(uint8_t* data, std::size_t size, int64_t delta_ticks);

// Reads a 33-bit PES PTS/DTS field (5 bytes with marker bits).
int64_t read_pes_timestamp(const uint8_t* p);

// Nanoseconds to 90 kHz ticks, rounded to nearest (negative values allowed).
int64_t ns_to_ts_ticks(int64_t ns);

// The time (ns) nearest zero that mpegtsmux turns into exactly `ticks`: it converts by
// truncating toward zero, so a time a nanosecond short of a tick would lose the whole tick.
int64_t mux_time_for_ticks(int64_t ticks);

}  // namespace lp
