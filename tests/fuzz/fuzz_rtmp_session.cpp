// A whole RTMP session past the handshake (broadcaster/rtmp/rtmp_session.h over rtmp_chunk, AMF0 and
// rtmp_flv): commands, control messages, media and aggregate messages from a publisher, read
// as the gateway's RTMP server reads them. The first input byte picks the read size (1..255;
// 0: all at once). Every accepted publish must end exactly once, and the FLV handed on must
// be whole tags.
#include "fuzz_common.h"
#include "rtmp_session.h"

namespace {

struct Host : lp::rtmp::SessionHost {
  int begins = 0;
  int ends = 0;
  bool refuse = false;
  std::optional<lp::rtmp::Refusal> begin_publish(const lp::RtmpPublish&) override {
    if (refuse) return lp::rtmp::Refusal{"NetStream.Publish.Rejected", "refused"};
    ++begins;
    return std::nullopt;
  }
  void publish_data(const std::string&, GBytes* flv) override {
    if (begins == ends) lp::fuzz::fail("rtmp session: FLV data outside a publish");
    (void)g_bytes_get_size(flv);
  }
  void end_publish(const std::string&, const std::string&) override { ++ends; }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lp::fuzz::init_glib();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t piece = data[0] == 0 ? size : data[0];
  std::string_view in = lp::fuzz::text(data + 1, size - 1);
  static const lp::RtmpServerOptions options;
  Host host;
  host.refuse = (data[0] & 0x80) != 0 && data[0] != 0xff;
  {
    lp::rtmp::Session session(host, options, "fuzz", 3073);
    while (!in.empty()) {
      const size_t n = std::min(piece, in.size());
      if (session.feed(in.substr(0, n))) break;
      (void)session.take_output();
      in.remove_prefix(n);
    }
    if (host.begins > host.ends + 1) lp::fuzz::fail("rtmp session: two publishes at once");
  }
  if (host.begins != host.ends) lp::fuzz::fail("rtmp session: a publish that never ended");
  return 0;
}
