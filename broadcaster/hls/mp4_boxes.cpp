#include "mp4_boxes.h"

namespace lp::mp4 {

std::string fourcc_name(uint32_t type) {
  std::string out(4, '?');
  for (int i = 0; i < 4; ++i) {
    const auto c = static_cast<char>((type >> (24 - 8 * i)) & 0xff);
    if (c >= 0x20 && c < 0x7f) out[static_cast<size_t>(i)] = c;
  }
  return out;
}

std::optional<std::vector<Box>> read_boxes(Bytes data, size_t begin, size_t end) {
  std::vector<Box> out;
  if (end > data.size() || begin > end) return std::nullopt;
  size_t at = begin;
  while (at < end) {
    Cursor c(data, at, end);
    Box box;
    box.offset = at;
    uint64_t size = c.u32();
    box.type = c.u32();
    if (size == 1) {
      size = c.u64();
      box.header = 16;
    } else if (size == 0) {
      size = end - at;
    }
    if (!c.ok() || size < box.header || size > end - at) return std::nullopt;
    box.size = static_cast<size_t>(size);
    out.push_back(box);
    at += box.size;
  }
  return out;
}

std::optional<std::vector<Box>> children(Bytes data, const Box& parent, size_t skip) {
  if (skip > parent.size - parent.header) return std::nullopt;
  return read_boxes(data, parent.payload() + skip, parent.end());
}

const Box* find_box(const std::vector<Box>& boxes, uint32_t type) {
  for (const auto& b : boxes)
    if (b.type == type) return &b;
  return nullptr;
}

std::optional<Box> find_path(Bytes data, const Box& parent, std::initializer_list<uint32_t> path) {
  Box at = parent;
  for (uint32_t type : path) {
    auto kids = children(data, at);
    if (!kids) return std::nullopt;
    const Box* next = find_box(*kids, type);
    if (!next) return std::nullopt;
    at = *next;
  }
  return at;
}

Cursor::Cursor(Bytes data, size_t begin, size_t end)
    : data_(data), pos_(begin), end_(end <= data.size() ? end : data.size()) {
  if (pos_ > end_) {
    pos_ = end_;
    ok_ = false;
  }
}

uint64_t Cursor::read(size_t n) {
  if (!ok_ || n > end_ - pos_) {
    ok_ = false;
    return 0;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += n;
  return v;
}

void Cursor::skip(size_t n) {
  if (!ok_ || n > end_ - pos_) {
    ok_ = false;
    pos_ = end_;
    return;
  }
  pos_ += n;
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  put_u32(out, static_cast<uint32_t>(v >> 32));
  put_u32(out, static_cast<uint32_t>(v));
}

void set_u32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) out.at(at + i) = static_cast<uint8_t>(v >> (24 - 8 * i));
}

void set_u64(std::vector<uint8_t>& out, size_t at, uint64_t v) {
  set_u32(out, at, static_cast<uint32_t>(v >> 32));
  set_u32(out, at + 4, static_cast<uint32_t>(v));
}

size_t begin_box(std::vector<uint8_t>& out, uint32_t type) {
  const size_t start = out.size();
  put_u32(out, 0);
  put_u32(out, type);
  return start;
}

void end_box(std::vector<uint8_t>& out, size_t start) {
  set_u32(out, start, static_cast<uint32_t>(out.size() - start));
}

void append(std::vector<uint8_t>& out, Bytes data, const Box& box) {
  out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(box.offset),
             data.begin() + static_cast<std::ptrdiff_t>(box.end()));
}

}  // namespace lp::mp4
