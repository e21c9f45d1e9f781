#include "rtmp_flv.h"

#include <string>

#include "rtmp_amf0.h"
#include "rtmp_bytes.h"

namespace lp::rtmp {
namespace {

BytesPtr bytes_of(std::string&& s) {
  // One copy into GLib's allocator: GBytes cannot adopt a std::string's buffer.
  return BytesPtr(g_bytes_new(s.data(), s.size()));
}

}  // namespace

BytesPtr flv_file_header() {
  constexpr uint8_t kAudioAndVideo = 0x05;
  std::string out = "FLV";
  put_u8(out, 1);
  put_u8(out, kAudioAndVideo);
  put_be32(out, 9);
  put_be32(out, 0);
  return bytes_of(std::move(out));
}

BytesPtr flv_tag(uint8_t type, uint32_t timestamp, std::string_view body) {
  std::string out;
  out.reserve(11 + body.size() + 4);
  put_u8(out, type);
  put_be24(out, static_cast<uint32_t>(body.size()));  // < 16 MiB: RTMP lengths are 24 bits too
  put_be24(out, timestamp & 0xffffff);
  put_u8(out, timestamp >> 24);
  put_be24(out, 0);
  out.append(body);
  put_be32(out, static_cast<uint32_t>(11 + body.size()));
  return bytes_of(std::move(out));
}

std::optional<std::string_view> script_tag_body(std::string_view data_message) {
  Amf0Reader reader(data_message);
  auto first = reader.read();
  if (!first || !first->is_string() || first->string.empty() || first->string[0] != '@') return data_message;
  if (first->string != "@setDataFrame") return std::nullopt;
  return data_message.substr(reader.position());
}

}  // namespace lp::rtmp
