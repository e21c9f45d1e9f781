// What a transcoder announces (hello, /v1/info) follows the codec adapter registry, plugins'
// adapters included, and decides which jobs it is sent (wire::check_can_transcode).
#include <gtest/gtest.h>
#include <lpgst/codec_adapter.h>

#include <algorithm>
#include <string>
#include <vector>

#include "adapter_registry.h"
#include "node_capabilities.h"
#include "profile.h"
#include "wire/capabilities.h"

namespace {

bool announces(const lp::wire::Capabilities& caps, const std::string& codec) {
  return std::find(caps.codecs.begin(), caps.codecs.end(), codec) != caps.codecs.end();
}

std::vector<lp::Profile> job(const std::string& json) {
  auto profiles = lp::parse_profiles(json);
  EXPECT_TRUE(profiles.ok()) << profiles.error().message;
  return profiles.ok() ? *profiles : std::vector<lp::Profile>{};
}

gboolean configure_vp8(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  g_object_set(encoder, "target-bitrate", s->bitrate, nullptr);
  return TRUE;
}

LpCodecAdapter vp8_adapter(const char* name, const char* element) {
  LpCodecAdapter a{};
  a.api_version = LP_CODEC_ADAPTER_API_VERSION;
  a.name = name;
  a.codec = LP_VIDEO_CODEC_VP8;
  a.element = element;
  a.rank = 100;
  a.memory = LP_MEMORY_SYSTEM;
  a.output_caps = "video/x-vp8";
  a.configure = configure_vp8;
  return a;
}

gboolean ghost_plugin_init(GstPlugin* plugin) {
  LpCodecAdapter ghost = vp8_adapter("ghost-vp8", "nosuchvp8enc");
  return lp_codec_adapter_register(plugin, &ghost, nullptr);
}

gboolean vp8_plugin_init(GstPlugin* plugin) {
  LpCodecAdapter vp8 = vp8_adapter("test-vp8", "vp8enc");
  return lp_codec_adapter_register(plugin, &vp8, nullptr);
}

bool register_plugin(const char* name, GstPluginInitFunc init) {
  return gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR, name, "test adapters", init, "1.0", "MIT/X11",
                                    "lpgst", "lpgst", "https://example.invalid");
}

TEST(NodeCapabilities, AnnounceTheCodecsOfInstalledAdaptersAndPluginsAddTheirs) {
  auto caps = lp::node_capabilities();
  EXPECT_TRUE(announces(caps, "H.264"));
  // Each built-in codec is announced exactly when its encoder is installed.
  for (auto codec : {lp::VideoCodec::HEVC, lp::VideoCodec::VP9, lp::VideoCodec::AV1})
    EXPECT_EQ(announces(caps, lp::video_codec_name(codec)), lp::find_codec_adapter("auto", codec).ok())
        << lp::video_codec_name(codec);
  EXPECT_FALSE(announces(caps, "VP8"));                                       // no built-in adapter makes it
  EXPECT_EQ(std::count(caps.codecs.begin(), caps.codecs.end(), "H.264"), 1);  // x264 and openh264: once

  const auto vp8_job = job(R"([{"name":"v","width":320,"height":180,"bitrate":300000,"encoder":"VP8"},
                               {"name":"h","width":320,"height":180,"bitrate":300000}])");
  auto refused = lp::wire::check_can_transcode(caps, vp8_job);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, lp::ErrorCode::Unsupported);
  EXPECT_EQ(refused.error().message, "VP8 encoding is not available (profile v)");
  EXPECT_TRUE(
      lp::wire::check_can_transcode(caps, job(R"([{"name":"h","width":320,"height":180,"bitrate":300000}])")).ok());

  // An adapter whose encoder is not installed adds nothing.
  ASSERT_TRUE(register_plugin("lptestghost", ghost_plugin_init));
  EXPECT_FALSE(announces(lp::node_capabilities(), "VP8"));

  // A plugin's working adapter: VP8 is announced and the job can come here.
  ASSERT_TRUE(register_plugin("lptestvp8", vp8_plugin_init));
  caps = lp::node_capabilities();
  EXPECT_TRUE(announces(caps, "VP8"));
  EXPECT_TRUE(lp::wire::check_can_transcode(caps, vp8_job).ok());
}

}  // namespace
