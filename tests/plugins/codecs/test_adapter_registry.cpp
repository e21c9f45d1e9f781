// Registering adapters through the public API (lpgst/codec_adapter.h): what is refused and
// how it is reported, the marker a plugin gets, rank 0, and that a plugin registering a
// broken adapter neither gets it in nor breaks the other adapters. The tests run in file
// order: the VP8 adapters registered here are only added, never removed.
#include <gtest/gtest.h>
#include <lpgst/codec_adapter.h>

#include <functional>
#include <string>

#include "adapter_registry.h"
#include "media.h"

namespace {

gboolean configure_vp8(const LpCodecAdapter*, GstElement* encoder, const LpEncodeSettings* s, GError**) {
  g_object_set(encoder, "target-bitrate", s->bitrate, "keyframe-max-dist", s->keyframe_interval, "lag-in-frames", 0,
               "deadline", G_GINT64_CONSTANT(1), nullptr);
  gst_util_set_object_arg(G_OBJECT(encoder), "keyframe-mode", "disabled");
  return lp_encoder_force_keyframes(encoder, s->keyframe_interval);
}

gboolean refuse_everything(const LpCodecAdapter*, GstElement*, const LpEncodeSettings* s, GError** error) {
  g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED, "no %dx%d here", s->width, s->height);
  return FALSE;
}

GstCaps* wrong_caps(const LpCodecAdapter*, const LpEncodeSettings*) { return gst_caps_from_string("video/x-h264"); }

LpCodecAdapter vp8_adapter(const char* name, int rank = 100) {
  LpCodecAdapter a{};
  a.api_version = LP_CODEC_ADAPTER_API_VERSION;
  a.name = name;
  a.codec = LP_VIDEO_CODEC_VP8;
  a.element = "vp8enc";
  a.rank = rank;
  a.memory = LP_MEMORY_SYSTEM;
  a.output_caps = "video/x-vp8";
  a.parser = nullptr;
  a.configure = configure_vp8;
  return a;
}

struct RegisterResult {
  bool ok = false;
  GQuark domain = 0;
  int code = -1;
  std::string message;
};

RegisterResult register_adapter(GstPlugin* plugin, const LpCodecAdapter* a) {
  GError* error = nullptr;
  RegisterResult r;
  r.ok = lp_codec_adapter_register(plugin, a, &error);
  if (error) {
    r.domain = error->domain;
    r.code = error->code;
    r.message = error->message;
    g_error_free(error);
  }
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct BrokenCase {
  const char* what;
  std::function<void(LpCodecAdapter&)> breakage;
  int code;
  const char* message;  // the whole message after "codec adapter '<name>' (...): "
};

TEST(RegisterCodecAdapter, RefusesBrokenAdaptersSayingWhatIsWrong) {
  const BrokenCase cases[] = {
      {"version 0", [](auto& a) { a.api_version = 0; }, LP_CODEC_ADAPTER_ERROR_VERSION,
       "api_version 0 is not one this lpgst knows (1 to 2)"},
      {"newer version", [](auto& a) { a.api_version = 7; }, LP_CODEC_ADAPTER_ERROR_VERSION,
       "api_version 7 is not one this lpgst knows (1 to 2)"},
      {"no name", [](auto& a) { a.name = ""; }, LP_CODEC_ADAPTER_ERROR_INVALID, "name is empty"},
      {"bad name", [](auto& a) { a.name = "my encoder"; }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "name 'my encoder' must be 1 to 64 letters, digits, '-', '_' or '.'"},
      {"auto", [](auto& a) { a.name = "auto"; }, LP_CODEC_ADAPTER_ERROR_INVALID, "name 'auto' is reserved"},
      {"codec", [](auto& a) { a.codec = static_cast<LpVideoCodec>(42); }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "codec 42 is not a known LpVideoCodec (H.264, HEVC, VP8, VP9, AV1)"},
      {"element", [](auto& a) { a.element = nullptr; }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "element (the encoder's element factory) is not set"},
      {"rank", [](auto& a) { a.rank = 5000; }, LP_CODEC_ADAPTER_ERROR_INVALID, "rank 5000 is outside 0..1000"},
      {"memory", [](auto& a) { a.memory = static_cast<LpMemoryKind>(9); }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "memory 9 is neither LP_MEMORY_SYSTEM nor LP_MEMORY_CUDA"},
      {"no caps", [](auto& a) { a.output_caps = nullptr; }, LP_CODEC_ADAPTER_ERROR_INVALID, "output_caps is not set"},
      {"bad caps", [](auto& a) { a.output_caps = "video/x-vp8,width=(int"; }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "output_caps 'video/x-vp8,width=(int' do not parse as caps"},
      {"other codec's caps", [](auto& a) { a.output_caps = "video/x-h264"; }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "output_caps 'video/x-h264' are not VP8 (video/x-vp8)"},
      {"no parser",
       [](auto& a) {
         a.codec = LP_VIDEO_CODEC_HEVC;
         a.output_caps = "video/x-h265";
       },
       LP_CODEC_ADAPTER_ERROR_INVALID, "parser is not set (HEVC needs one after the encoder, e.g. h265parse)"},
      {"empty parser", [](auto& a) { a.parser = ""; }, LP_CODEC_ADAPTER_ERROR_INVALID,
       "parser is an empty string (use NULL for none)"},
      {"no configure", [](auto& a) { a.configure = nullptr; }, LP_CODEC_ADAPTER_ERROR_INVALID, "configure is not set"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    LpCodecAdapter a = vp8_adapter("broken-vp8");
    c.breakage(a);
    auto r = register_adapter(nullptr, &a);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.domain, LP_CODEC_ADAPTER_ERROR);
    EXPECT_EQ(r.code, c.code);
    const char* name = c.code == LP_CODEC_ADAPTER_ERROR_VERSION ? "?" : a.name && *a.name ? a.name : "?";
    EXPECT_EQ(r.message, std::string("codec adapter '") + name + "' (registered by the application): " + c.message);
    // Kept for the errors of lookups that come up empty.
    EXPECT_EQ(lp::rejected_codec_adapters().back(), r.message);
  }
  auto null = register_adapter(nullptr, nullptr);
  EXPECT_FALSE(null.ok);
  EXPECT_EQ(null.code, LP_CODEC_ADAPTER_ERROR_INVALID);
  EXPECT_TRUE(contains(null.message, "no adapter (NULL)")) << null.message;
  // None of them got in.
  for (const auto* adapter : lp::codec_adapters()) EXPECT_STRNE(adapter->name(), "broken-vp8");
}

TEST(RegisterCodecAdapter, RefusesATakenName) {
  LpCodecAdapter a = vp8_adapter("x264");
  auto r = register_adapter(nullptr, &a);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, LP_CODEC_ADAPTER_ERROR_DUPLICATE);
  EXPECT_EQ(r.message,
            "codec adapter 'x264' (registered by the application): the name is taken by codec "
            "adapter 'x264' (built into lpgst)");
  auto x264 = lp::find_codec_adapter("x264", lp::VideoCodec::H264);
  ASSERT_TRUE(x264.ok());
  EXPECT_EQ((*x264)->origin(), "lpgst");
}

TEST(RegisterCodecAdapter, RankZeroIsUsedOnlyWhenNamed) {
  ASSERT_FALSE(lp::find_codec_adapter("auto", lp::VideoCodec::VP8).ok()) << "runs before VP8 adapters exist";
  LpCodecAdapter manual = vp8_adapter("manual-vp8", 0);
  ASSERT_TRUE(register_adapter(nullptr, &manual).ok);
  auto automatic = lp::find_codec_adapter("auto", lp::VideoCodec::VP8);
  ASSERT_FALSE(automatic.ok());
  EXPECT_TRUE(contains(automatic.error().message,
                       "no installed encoder produces VP8 (encoder "
                       "'manual-vp8' has rank 0: name it to use it)"))
      << automatic.error().message;
  // The refusals of the tests above are listed too, so a plugin author sees why.
  EXPECT_TRUE(contains(automatic.error().message, "(refused: codec adapter '?'")) << automatic.error().message;
  auto named = lp::find_codec_adapter("manual-vp8", lp::VideoCodec::VP8);
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_EQ((*named)->origin(), "application");
}

gboolean broken_plugin_init(GstPlugin* plugin) {
  LpCodecAdapter broken = vp8_adapter("too-good-vp8");
  broken.rank = 5000;
  EXPECT_FALSE(lp_codec_adapter_register(plugin, &broken, nullptr));  // error: optional
  LpCodecAdapter good = vp8_adapter("test-vp8");
  return lp_codec_adapter_register(plugin, &good, nullptr);
}

TEST(RegisterCodecAdapter, PluginWithABrokenAdapterKeepsItsGoodOneAndBreaksNothing) {
  ASSERT_TRUE(gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR, "lptestadapters",
                                         "adapters for the registry test", broken_plugin_init, "1.0", "MIT/X11",
                                         "lpgst", "lpgst", "https://example.invalid"));
  // The good one is there and is what auto picks for VP8.
  auto vp8 = lp::find_codec_adapter("auto", lp::VideoCodec::VP8);
  ASSERT_TRUE(vp8.ok()) << vp8.error().message;
  EXPECT_STREQ((*vp8)->name(), "test-vp8");
  EXPECT_EQ((*vp8)->origin(), "lptestadapters");
  // The broken one is not, and asking for it says why.
  auto broken = lp::find_codec_adapter("too-good-vp8", lp::VideoCodec::VP8);
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(contains(broken.error().message, "unknown encoder 'too-good-vp8'")) << broken.error().message;
  EXPECT_TRUE(contains(broken.error().message,
                       "codec adapter 'too-good-vp8' (plugin 'lptestadapters'): rank 5000 is outside 0..1000"))
      << broken.error().message;
  // The built-in ones still work.
  auto h264 = lp::find_codec_adapter("auto", lp::VideoCodec::H264);
  ASSERT_TRUE(h264.ok());
  EXPECT_STREQ((*h264)->name(), "x264");
  // The plugin carries the marker lpgst finds adapter plugins by.
  g_autoptr(GstElementFactory) marker = gst_element_factory_find("lpgst-adapters-lptestadapters");
  ASSERT_NE(marker, nullptr);
  EXPECT_STREQ(gst_element_factory_get_metadata(marker, GST_ELEMENT_METADATA_KLASS), LP_CODEC_ADAPTER_KLASS);

  // And a VP8 ladder runs through the plugin's adapter, into WebM.
  lp::test::TempDir dir;
  lp::test::MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 1.0;
  const std::string in = dir.file("in.ts");
  lp::test::make_media(spec, in);
  auto error = lp::test::run_launch(
      "lpsegmentsrc location=" + in +
          " ! lpladder name=l profiles='[{\"name\":\"vp8\",\"width\":160,\"height\":90,"
          "\"bitrate\":200000,\"encoder\":\"VP8\",\"gop\":\"0.5\"}]' l.src_0 ! filesink location=" +
          dir.file("out.webm"),
      60);
  ASSERT_FALSE(error) << *error;
  auto info = lp::test::inspect_media(dir.file("out.webm"));
  EXPECT_EQ(info.container, "video/webm");
  EXPECT_EQ(info.video_caps_name, "video/x-vp8");
  EXPECT_EQ(info.width, 160);
  EXPECT_EQ(info.height, 90);
  EXPECT_EQ(info.frames, 30);
  EXPECT_EQ(info.keyframes, (std::vector<int>{0, 15}));
}

TEST(RegisterCodecAdapter, AnAdapterCanRefuseSettingsAndBadCapsAreCaught) {
  LpCodecAdapter picky = vp8_adapter("picky-vp8");
  picky.configure = refuse_everything;
  ASSERT_TRUE(register_adapter(nullptr, &picky).ok);
  auto found = lp::find_codec_adapter("picky-vp8", lp::VideoCodec::VP8);
  ASSERT_TRUE(found.ok());
  lp::EncodeSettings s;
  s.width = 3840;
  s.height = 2160;
  s.bitrate = 1'000'000;
  auto encoder = (*found)->make_encoder(s);
  ASSERT_FALSE(encoder.ok());
  EXPECT_EQ(encoder.error().message, "encoder 'picky-vp8' refused the settings: no 3840x2160 here");

  LpCodecAdapter liar = vp8_adapter("liar-vp8");
  liar.settings_caps = wrong_caps;
  ASSERT_TRUE(register_adapter(nullptr, &liar).ok);
  auto liar_found = lp::find_codec_adapter("liar-vp8", lp::VideoCodec::VP8);
  ASSERT_TRUE(liar_found.ok());
  auto caps = (*liar_found)->output_caps(s);
  ASSERT_FALSE(caps.ok());
  EXPECT_EQ(caps.error().message,
            "encoder 'liar-vp8' gave output caps video/x-h264, not within its declared video/x-vp8");
}

TEST(RegisterCodecAdapter, AdapterForAMissingElementIsKnownButUnavailable) {
  LpCodecAdapter ghost = vp8_adapter("ghost-vp8");
  ghost.element = "nosuchvp8enc";
  ASSERT_TRUE(register_adapter(nullptr, &ghost).ok);
  auto named = lp::find_codec_adapter("ghost-vp8", lp::VideoCodec::VP8);
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.error().message, "encoder 'ghost-vp8' needs element 'nosuchvp8enc', which is not installed");
}

}  // namespace
