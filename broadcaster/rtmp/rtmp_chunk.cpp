#include "rtmp_chunk.h"

#include <algorithm>

#include "rtmp_bytes.h"

namespace lp::rtmp {
namespace {

constexpr size_t kMessageHeaderSize[4] = {11, 7, 3, 0};
constexpr size_t kMaxHeaderSize = 3 + 11 + 4;  // longest basic header + format 0 + extended timestamp
constexpr uint32_t kExtendedMarker = 0xffffff;

struct BasicHeader {
  unsigned format = 0;
  uint32_t csid = 0;
  size_t size = 0;  // 1, 2 or 3 bytes
};

// nullopt while `h` is too short to hold the basic header.
std::optional<BasicHeader> basic_header(std::string_view h) {
  if (h.empty()) return std::nullopt;
  BasicHeader b;
  b.format = byte_at(h, 0) >> 6;
  const uint32_t low = byte_at(h, 0) & 0x3f;
  b.size = low == 0 ? 2 : low == 1 ? 3 : 1;
  if (h.size() < b.size) return std::nullopt;
  if (low == 0) {
    b.csid = 64 + byte_at(h, 1);
  } else if (low == 1) {
    b.csid = 64 + byte_at(h, 1) + 256 * uint32_t{byte_at(h, 2)};
  } else {
    b.csid = low;
  }
  return b;
}

void put_basic_header(std::string& out, unsigned format, uint32_t csid) {
  if (csid < 64) {
    put_u8(out, (format << 6) | csid);
  } else if (csid < 320) {
    put_u8(out, format << 6);
    put_u8(out, csid - 64);
  } else {
    put_u8(out, (format << 6) | 1);
    put_u8(out, (csid - 64) & 0xff);
    put_u8(out, (csid - 64) >> 8);
  }
}

}  // namespace

void ChunkReader::abort(uint32_t csid) {
  auto it = streams_.find(csid);
  if (it == streams_.end() || !it->second.reading) return;
  pending_bytes_ -= it->second.payload.size();
  it->second.payload.clear();
  it->second.reading = false;
}

std::optional<size_t> ChunkReader::header_size(std::string_view h) const {
  auto basic = basic_header(h);
  if (!basic) return std::nullopt;
  const size_t fixed = basic->size + kMessageHeaderSize[basic->format];
  if (h.size() < fixed) return std::nullopt;
  if (basic->format < 3) return fixed + (read_be24(h.substr(basic->size)) == kExtendedMarker ? 4 : 0);
  auto it = streams_.find(basic->csid);
  if (it == streams_.end() || !it->second.extended) return fixed;
  // After an extended timestamp the spec puts one on format-3 chunks too, but some senders
  // leave it out: it is there when the next four bytes repeat the value (as rtmp2 and
  // librtmp decide too).
  if (h.size() < fixed + 4) return std::nullopt;
  return read_be32(h.substr(fixed)) == it->second.ts_field ? fixed + 4 : fixed;
}

Result<void> ChunkReader::apply_header(std::string_view h) {
  const BasicHeader basic = *basic_header(h);
  auto it = streams_.find(basic.csid);
  if (it == streams_.end()) {
    if (basic.format != 0) {
      return Error{ErrorCode::BadRequest,
                   "chunk stream " + std::to_string(basic.csid) + " starts without a full (format 0) header"};
    }
    if (streams_.size() >= limits_.max_chunk_streams) {
      return Error{ErrorCode::BadRequest, "more than " + std::to_string(limits_.max_chunk_streams) + " chunk streams"};
    }
    it = streams_.emplace(basic.csid, Stream{}).first;
  }
  Stream& s = it->second;
  const std::string_view m = h.substr(basic.size);
  const size_t fixed = kMessageHeaderSize[basic.format];
  uint32_t ts = 0;
  if (basic.format < 3) {
    ts = read_be24(m);
    s.extended = ts == kExtendedMarker;
    if (s.extended) ts = read_be32(m.substr(fixed));
  }

  if (s.reading) {
    if (basic.format != 3) {
      return Error{ErrorCode::BadRequest, "chunk stream " + std::to_string(basic.csid) +
                                              ": a new message header before the previous message ended"};
    }
  } else {
    switch (basic.format) {
      case 0: s.timestamp = ts; break;
      case 1:
      case 2: s.timestamp += ts; break;
      default:
        s.timestamp += s.ts_field;  // a new message with the previous header's delta
        break;
    }
    if (basic.format < 3) s.ts_field = ts;
    if (basic.format <= 1) {
      s.length = read_be24(m.substr(3));
      s.type = byte_at(m, 6);
    }
    if (basic.format == 0) s.stream_id = read_le32(m.substr(7));
    if (s.length > limits_.max_message_size) {
      return Error{ErrorCode::BadRequest, "a message of " + std::to_string(s.length) + " bytes (the limit is " +
                                              std::to_string(limits_.max_message_size) + ")"};
    }
    s.reading = true;
    s.payload.clear();
  }
  current_ = &s;
  chunk_left_ = std::min<uint32_t>(chunk_size_, s.length - static_cast<uint32_t>(s.payload.size()));
  return {};
}

bool ChunkReader::finish_if_complete(const OnMessage& on_message) {
  Stream& s = *current_;
  if (chunk_left_ > 0 || s.payload.size() < s.length) return true;
  pending_bytes_ -= s.payload.size();
  s.reading = false;
  Message message{s.type, s.stream_id, s.timestamp, std::move(s.payload)};
  s.payload = std::string();
  return on_message(std::move(message));
}

Result<void> ChunkReader::feed(std::string_view data, const OnMessage& on_message) {
  std::string carried;  // payload bytes an earlier read left in header_ (see below)
  while (!data.empty()) {
    if (chunk_left_ > 0) {
      const size_t n = std::min<size_t>(chunk_left_, data.size());
      current_->payload.append(data.substr(0, n));
      data.remove_prefix(n);
      chunk_left_ -= static_cast<uint32_t>(n);
      pending_bytes_ += n;
      if (pending_bytes_ > limits_.max_pending_bytes) {
        return Error{ErrorCode::BadRequest,
                     "more than " + std::to_string(limits_.max_pending_bytes) + " bytes of unfinished messages"};
      }
      if (!finish_if_complete(on_message)) return {};
      continue;
    }
    // A header: collect it whole before looking at the payload behind it.
    const size_t had = header_.size();
    const size_t take = std::min(kMaxHeaderSize - had, data.size());
    header_.append(data.substr(0, take));
    auto size = header_size(header_);
    if (!size || header_.size() < *size) {
      data.remove_prefix(take);  // all of it is header
      continue;
    }
    if (*size >= had) {
      data.remove_prefix(*size - had);
    } else {
      // A format-3 header whose size was told only by the 4 bytes after it (the extended
      // timestamp is not repeated): the bytes kept since the last read past the header are
      // the payload's first bytes, and go before `data`.
      carried = header_.substr(*size, had - *size) + std::string(data);
      data = carried;
    }
    header_.resize(*size);
    auto error = apply_header(header_);
    header_.clear();
    if (!error.ok()) return error;
    if (!finish_if_complete(on_message)) return {};  // an empty message
  }
  return {};
}

void ChunkWriter::write(std::string& out, uint32_t csid, const Message& message) const {
  const bool extended = message.timestamp >= kExtendedMarker;
  const std::string_view payload = message.payload;
  size_t offset = 0;
  do {
    if (offset == 0) {
      put_basic_header(out, 0, csid);
      put_be24(out, extended ? kExtendedMarker : message.timestamp);
      put_be24(out, static_cast<uint32_t>(payload.size()));
      put_u8(out, message.type);
      put_le32(out, message.stream_id);
    } else {
      put_basic_header(out, 3, csid);
    }
    if (extended) put_be32(out, message.timestamp);
    const size_t n = std::min<size_t>(chunk_size_, payload.size() - offset);
    out.append(payload.substr(offset, n));
    offset += n;
  } while (offset < payload.size());
}

}  // namespace lp::rtmp
