// AMF0 (broadcaster/rtmp/rtmp_amf0.h): the commands and data messages an RTMP publisher sends.
// Decoded values written back (amf0_write) must decode to the same values.
#include <cstring>

#include "fuzz_common.h"
#include "rtmp_amf0.h"

using lp::rtmp::Amf0Value;

namespace {

bool same(const Amf0Value& a, const Amf0Value& b) {
  if (a.type != b.type || a.boolean != b.boolean || a.string != b.string) return false;
  // NaN payloads are kept bit for bit; compare bits so NaN equals itself.
  if (std::memcmp(&a.number, &b.number, sizeof a.number) != 0) return false;
  if (a.properties.size() != b.properties.size() || a.items.size() != b.items.size()) return false;
  for (size_t i = 0; i < a.properties.size(); ++i) {
    if (a.properties[i].key != b.properties[i].key || !same(a.properties[i].value, b.properties[i].value)) return false;
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!same(a.items[i], b.items[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in = lp::fuzz::text(data, size);
  lp::rtmp::Amf0Reader reader(in);
  while (!reader.at_end()) {
    auto v = reader.read();
    if (!v) break;
    (void)v->string_field("app");
    (void)v->field("tcUrl");
  }
  auto values = lp::rtmp::amf0_decode_all(in);
  if (!values) return 0;
  std::string written;
  for (const auto& v : *values) lp::rtmp::amf0_write(written, v);
  auto again = lp::rtmp::amf0_decode_all(written);
  if (!again || again->size() != values->size()) lp::fuzz::fail("amf0: written values do not decode");
  for (size_t i = 0; i < values->size(); ++i) {
    if (!same((*values)[i], (*again)[i])) lp::fuzz::fail("amf0: a value changed through amf0_write");
  }
  return 0;
}
