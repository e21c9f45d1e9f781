// A small bounds-checked reader (and writer helpers) for ISO BMFF boxes (ISO/IEC 14496-12):
// what the HLS writer needs to split an orchestrator's fragmented MP4 into an init section and
// a media segment. Reads never go past the buffer: a malformed box is reported, not followed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lp::mp4 {

using Bytes = std::span<const uint8_t>;

constexpr uint32_t fourcc(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 8 | static_cast<uint32_t>(static_cast<uint8_t>(s[3]));
}
std::string fourcc_name(uint32_t type);  // "moov"; non-printable bytes as '?'

struct Box {
  uint32_t type = 0;
  size_t offset = 0;  // of its header, in the buffer it was read from
  size_t header = 8;  // 8, or 16 with a 64-bit size
  size_t size = 0;    // header + payload
  size_t payload() const { return offset + header; }
  size_t end() const { return offset + size; }
};

// The boxes in data[begin, end), in order; nullopt when one is malformed (a size smaller than
// its header, or running past `end`). A size of 0 means "to the end", as the format allows.
std::optional<std::vector<Box>> read_boxes(Bytes data, size_t begin, size_t end);
// The children of `parent`, after `skip` bytes of its own fields (a sample entry's, stsd's).
std::optional<std::vector<Box>> children(Bytes data, const Box& parent, size_t skip = 0);
// The first box of `type` in `boxes`, or nullptr.
const Box* find_box(const std::vector<Box>& boxes, uint32_t type);
// The first box at the end of a path of types below `parent` (e.g. {mdia, mdhd} under a trak).
std::optional<Box> find_path(Bytes data, const Box& parent, std::initializer_list<uint32_t> path);

// Big-endian fields from [pos, end). A read past the end yields 0 and clears ok(), so a
// parser reads a whole record and checks once.
class Cursor {
 public:
  Cursor(Bytes data, size_t begin, size_t end);
  explicit Cursor(Bytes data, const Box& box) : Cursor(data, box.payload(), box.end()) {}
  uint8_t u8() { return static_cast<uint8_t>(read(1)); }
  uint16_t u16() { return static_cast<uint16_t>(read(2)); }
  uint32_t u24() { return static_cast<uint32_t>(read(3)); }
  uint32_t u32() { return static_cast<uint32_t>(read(4)); }
  uint64_t u64() { return read(8); }
  void skip(size_t n);
  size_t pos() const { return pos_; }
  size_t left() const { return end_ - pos_; }
  bool ok() const { return ok_; }

 private:
  uint64_t read(size_t n);
  Bytes data_;
  size_t pos_;
  size_t end_;
  bool ok_ = true;
};

// Writing: values appended big-endian, and boxes whose size is filled in when they end.
void put_u32(std::vector<uint8_t>& out, uint32_t v);
void put_u64(std::vector<uint8_t>& out, uint64_t v);
void set_u32(std::vector<uint8_t>& out, size_t at, uint32_t v);
void set_u64(std::vector<uint8_t>& out, size_t at, uint64_t v);
size_t begin_box(std::vector<uint8_t>& out, uint32_t type);          // returns where it starts
void end_box(std::vector<uint8_t>& out, size_t start);               // writes its 32-bit size
void append(std::vector<uint8_t>& out, Bytes data, const Box& box);  // a box copied as it is

}  // namespace lp::mp4
