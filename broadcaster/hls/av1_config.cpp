#include "av1_config.h"

#include <algorithm>
#include <cstdio>

namespace lp {
namespace {

constexpr int kObuSequenceHeader = 1;

// MSB-first bit reader over one OBU's payload (AV1 spec 4.10: f(n), uvlc()).
class Bits {
 public:
  explicit Bits(std::span<const uint8_t> data) : data_(data) {}
  uint32_t f(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= data_.size() * 8) {
        ok_ = false;
        return 0;
      }
      v = (v << 1) | ((data_[pos_ / 8] >> (7 - pos_ % 8)) & 1u);
      ++pos_;
    }
    return v;
  }
  void uvlc() {
    int zeros = 0;
    while (ok_ && f(1) == 0) {
      if (++zeros >= 32) return;
    }
    f(zeros);
  }
  bool ok() const { return ok_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// leb128(): at most 8 bytes.
std::optional<uint64_t> leb128(std::span<const uint8_t> data, size_t& pos) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    if (pos >= data.size()) return std::nullopt;
    const uint8_t byte = data[pos++];
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) return value;
  }
  return std::nullopt;
}

// sequence_header_obu() up to color_config(), keeping what av1C records (spec 5.5).
std::optional<Av1SequenceInfo> parse_sequence_header(std::span<const uint8_t> payload) {
  Bits b(payload);
  Av1SequenceInfo s;
  s.profile = static_cast<int>(b.f(3));
  b.f(1);  // still_picture
  const bool reduced = b.f(1);
  bool decoder_model_info = false;
  int buffer_delay_length = 0;
  if (reduced) {
    s.level = static_cast<int>(b.f(5));
  } else {
    if (b.f(1)) {            // timing_info_present_flag
      b.f(32);               // num_units_in_display_tick
      b.f(32);               // time_scale
      if (b.f(1)) b.uvlc();  // equal_picture_interval: num_ticks_per_picture_minus_1
      decoder_model_info = b.f(1);
      if (decoder_model_info) {
        buffer_delay_length = static_cast<int>(b.f(5)) + 1;
        b.f(32);  // num_units_in_decoding_tick
        b.f(5);   // buffer_removal_time_length_minus_1
        b.f(5);   // frame_presentation_time_length_minus_1
      }
    }
    const bool initial_display_delay = b.f(1);
    const int points = static_cast<int>(b.f(5)) + 1;
    for (int i = 0; i < points; ++i) {
      b.f(12);  // operating_point_idc
      const int level = static_cast<int>(b.f(5));
      const int tier = level > 7 ? static_cast<int>(b.f(1)) : 0;
      if (i == 0) {
        s.level = level;
        s.tier = tier;
      }
      if (decoder_model_info && b.f(1)) {  // decoder_model_present_for_this_op
        b.f(buffer_delay_length);          // decoder_buffer_delay
        b.f(buffer_delay_length);          // encoder_buffer_delay
        b.f(1);                            // low_delay_mode_flag
      }
      if (initial_display_delay && b.f(1)) b.f(4);
    }
  }
  const int width_bits = static_cast<int>(b.f(4)) + 1;
  const int height_bits = static_cast<int>(b.f(4)) + 1;
  b.f(width_bits);
  b.f(height_bits);
  if (!reduced && b.f(1)) {  // frame_id_numbers_present_flag
    b.f(4);
    b.f(3);
  }
  b.f(3);  // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
  if (!reduced) {
    b.f(4);  // interintra, masked compound, warped motion, dual filter
    const bool order_hint = b.f(1);
    if (order_hint) b.f(2);  // jnt_comp, ref_frame_mvs
    int force_screen_content_tools = 2;
    if (!b.f(1)) force_screen_content_tools = static_cast<int>(b.f(1));  // seq_choose_screen_content_tools
    if (force_screen_content_tools > 0 && !b.f(1)) b.f(1);               // seq_choose_integer_mv
    if (order_hint) b.f(3);
  }
  b.f(3);  // enable_superres, enable_cdef, enable_restoration
  // color_config()
  const bool high_bitdepth = b.f(1);
  s.bit_depth = high_bitdepth ? 10 : 8;
  if (s.profile == 2 && high_bitdepth && b.f(1)) s.bit_depth = 12;
  s.monochrome = s.profile == 1 ? false : b.f(1);
  int primaries = 2, transfer = 2, matrix = 2;  // unspecified
  if (b.f(1)) {
    primaries = static_cast<int>(b.f(8));
    transfer = static_cast<int>(b.f(8));
    matrix = static_cast<int>(b.f(8));
  }
  if (s.monochrome) {
    b.f(1);
    s.subsampling_x = s.subsampling_y = 1;
  } else if (primaries == 1 && transfer == 13 && matrix == 0) {  // sRGB: 4:4:4
    s.subsampling_x = s.subsampling_y = 0;
  } else {
    b.f(1);  // color_range
    if (s.profile == 0) {
      s.subsampling_x = s.subsampling_y = 1;
    } else if (s.profile == 1) {
      s.subsampling_x = s.subsampling_y = 0;
    } else if (s.bit_depth == 12) {
      s.subsampling_x = static_cast<int>(b.f(1));
      s.subsampling_y = s.subsampling_x ? static_cast<int>(b.f(1)) : 0;
    } else {
      s.subsampling_x = 1;
      s.subsampling_y = 0;
    }
    if (s.subsampling_x && s.subsampling_y) s.chroma_sample_position = static_cast<int>(b.f(2));
  }
  if (!b.ok()) return std::nullopt;
  return s;
}

}  // namespace

std::optional<Av1SequenceInfo> read_av1_sequence_header(std::span<const uint8_t> tu) {
  size_t pos = 0;
  while (pos < tu.size()) {
    const size_t start = pos;
    const uint8_t header = tu[pos++];
    if (header & 0x80) return std::nullopt;  // obu_forbidden_bit
    const int type = (header >> 3) & 0x0f;
    if (header & 0x04) ++pos;                   // obu_extension_header
    if (!(header & 0x02)) return std::nullopt;  // no obu_size: not the low-overhead format
    auto size = leb128(tu, pos);
    if (!size || *size > tu.size() - std::min(pos, tu.size())) return std::nullopt;
    const auto payload = tu.subspan(pos, static_cast<size_t>(*size));
    pos += static_cast<size_t>(*size);
    if (type != kObuSequenceHeader) continue;
    auto info = parse_sequence_header(payload);
    if (info) {
      const auto obu = tu.subspan(start, pos - start);
      info->sequence_header_obu.resize(obu.size());
      std::copy(obu.begin(), obu.end(), info->sequence_header_obu.begin());
    }
    return info;
  }
  return std::nullopt;
}

std::string Av1SequenceInfo::codec_string() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "av01.%d.%02d%c.%02d", profile, level, tier ? 'H' : 'M', bit_depth);
  return buf;
}

std::vector<uint8_t> Av1SequenceInfo::config_record() const {
  std::vector<uint8_t> out(4 + sequence_header_obu.size());
  out[0] = 0x81;  // marker, version 1
  out[1] = static_cast<uint8_t>(profile << 5 | (level & 0x1f));
  out[2] = static_cast<uint8_t>(tier << 7 | (bit_depth > 8) << 6 | (bit_depth == 12) << 5 | monochrome << 4 |
                                subsampling_x << 3 | subsampling_y << 2 | (chroma_sample_position & 3));
  out[3] = 0;  // no initial_presentation_delay
  std::copy(sequence_header_obu.begin(), sequence_header_obu.end(), out.begin() + 4);
  return out;
}

}  // namespace lp
