// The NVENC adapters (nvenc-h264, nvenc-h265): registration, per-GPU element choice, and the
// mapping of rendition fields onto nvcodec's properties. The mapping runs against stand-in
// elements that have the property surfaces of GStreamer 1.22's nvh264enc (GstNvBaseEnc:
// rc-mode, bframes, qp-const) and nvcudah264enc (GstNvEncoder: rate-control, b-frames,
// qp-i/p/b), so it is tested on machines without a GPU; the real elements are exercised by
// tests/plugins/gpu/test_gpu_ladder.cpp where nvcodec has them.
#include <gtest/gtest.h>

#include <gst/gst.h>

#include <string>

#include "adapter_registry.h"
#include "builtin_adapters.h"
#include "nv_elements.h"

namespace {

// --- stand-in elements: properties stored as object data, defaults from the pspecs -------

struct Surface {
  void (*install)(GObjectClass* klass);
};

GQuark value_key(const GParamSpec* pspec) { return g_quark_from_string((std::string("fake-") + pspec->name).c_str()); }

void free_value(gpointer p) {
  g_value_unset(static_cast<GValue*>(p));
  g_free(p);
}

void fake_set(GObject* object, guint, const GValue* value, GParamSpec* pspec) {
  auto* copy = g_new0(GValue, 1);
  g_value_init(copy, G_VALUE_TYPE(value));
  g_value_copy(value, copy);
  g_object_set_qdata_full(object, value_key(pspec), copy, free_value);
}

void fake_get(GObject* object, guint, GValue* value, GParamSpec* pspec) {
  if (auto* stored = static_cast<GValue*>(g_object_get_qdata(object, value_key(pspec))))
    g_value_copy(stored, value);
  else
    g_param_value_set_default(pspec, value);
}

void fake_class_init(gpointer klass, gpointer data) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->set_property = fake_set;
  gobject_class->get_property = fake_get;
  static_cast<const Surface*>(data)->install(gobject_class);
}

GType fake_type(const char* name, const Surface* surface) {
  if (GType existing = g_type_from_name(name)) return existing;
  GTypeInfo info{};
  info.class_size = sizeof(GstElementClass);
  info.class_init = fake_class_init;
  info.class_data = surface;
  info.instance_size = sizeof(GstElement);
  return g_type_register_static(GST_TYPE_ELEMENT, name, &info, GTypeFlags(0));
}

GType enum_type(const char* name, const GEnumValue* values) {
  if (GType existing = g_type_from_name(name)) return existing;
  return g_enum_register_static(name, values);
}

constexpr auto kRw = static_cast<GParamFlags>(G_PARAM_READWRITE);
guint next_id = 1;

void add(GObjectClass* k, GParamSpec* pspec) { g_object_class_install_property(k, next_id++, pspec); }

void add_common(GObjectClass* k) {
  add(k, g_param_spec_int("gop-size", "", "", -1, G_MAXINT, 75, kRw));
  add(k, g_param_spec_uint("bitrate", "", "", 0, 2048000, 0, kRw));
  add(k, g_param_spec_uint("max-bitrate", "", "", 0, 2048000, 0, kRw));
  add(k, g_param_spec_double("const-quality", "", "", 0, 51, 0, kRw));
  add(k, g_param_spec_uint("vbv-buffer-size", "", "", 0, G_MAXUINT, 0, kRw));
  add(k, g_param_spec_uint("rc-lookahead", "", "", 0, 32, 0, kRw));
  add(k, g_param_spec_boolean("i-adapt", "", "", TRUE, kRw));  // TRUE: see that it is turned off
}

const GEnumValue kLegacyPresets[] = {{0, "Default", "default"},
                                     {1, "HP", "hp"},
                                     {2, "HQ", "hq"},
                                     {3, "Low Latency", "low-latency"},
                                     {4, "Low Latency HQ", "low-latency-hq"},
                                     {5, "Low Latency HP", "low-latency-hp"},
                                     {6, "Lossless", "lossless"},
                                     {7, "Lossless HP", "lossless-hp"},
                                     {0, nullptr, nullptr}};

// nvh264enc (GstNvBaseEnc) in 1.22.
void install_base(GObjectClass* k) {
  static const GEnumValue rc[] = {
      {0, "Default", "default"}, {1, "CQP", "constqp"},          {2, "CBR", "cbr"},
      {3, "VBR", "vbr"},         {4, "VBR min QP", "vbr-minqp"}, {5, "CBR LD HQ", "cbr-ld-hq"},
      {6, "CBR HQ", "cbr-hq"},   {7, "VBR HQ", "vbr-hq"},        {0, nullptr, nullptr}};
  add(k, g_param_spec_enum("preset", "", "", enum_type("FakeNvPreset", kLegacyPresets), 0, kRw));
  add(k, g_param_spec_enum("rc-mode", "", "", enum_type("FakeNvRCMode", rc), 0, kRw));
  add(k, g_param_spec_int("qp-const", "", "", -1, 51, -1, kRw));
  add(k, g_param_spec_uint("bframes", "", "", 0, 4, 0, kRw));
  add_common(k);
}

// nvcudah264enc (GstNvEncoder) in 1.22.
void install_cuda(GObjectClass* k) {
  static const GEnumValue rc[] = {
      {0, "CQP", "cqp"},       {1, "VBR", "vbr"},       {2, "CBR", "cbr"},    {3, "CBR LD HQ", "cbr-ld-hq"},
      {4, "CBR HQ", "cbr-hq"}, {5, "VBR HQ", "vbr-hq"}, {0, nullptr, nullptr}};
  add(k, g_param_spec_enum("preset", "", "", enum_type("FakeNvEncoderPreset", kLegacyPresets), 0, kRw));
  add(k, g_param_spec_enum("rate-control", "", "", enum_type("FakeNvEncoderRCMode", rc), 1, kRw));
  for (const char* qp : {"qp-i", "qp-p", "qp-b"}) add(k, g_param_spec_int(qp, "", "", -1, 51, -1, kRw));
  add(k, g_param_spec_uint("b-frames", "", "", 0, 4, 0, kRw));
  add_common(k);
}

// A later nvcodec: presets p1..p7 only, no const-quality (so quality mode is a constant QP).
void install_levels(GObjectClass* k) {
  static const GEnumValue presets[] = {{0, "P1", "p1"}, {1, "P2", "p2"}, {2, "P3", "p3"}, {3, "P4", "p4"},
                                       {4, "P5", "p5"}, {5, "P6", "p6"}, {6, "P7", "p7"}, {0, nullptr, nullptr}};
  static const GEnumValue rc[] = {{0, "CQP", "cqp"}, {1, "VBR", "vbr"}, {2, "CBR", "cbr"}, {0, nullptr, nullptr}};
  add(k, g_param_spec_enum("preset", "", "", enum_type("FakeNvLevelPreset", presets), 3, kRw));
  add(k, g_param_spec_enum("rate-control", "", "", enum_type("FakeNvLevelRCMode", rc), 1, kRw));
  add(k, g_param_spec_int("qp-i", "", "", -1, 51, -1, kRw));
  add(k, g_param_spec_int("gop-size", "", "", -1, G_MAXINT, 75, kRw));
  add(k, g_param_spec_uint("bitrate", "", "", 0, 2048000, 0, kRw));
}

// Something that is no NVENC encoder: no rate control at all.
void install_none(GObjectClass* k) { add(k, g_param_spec_uint("bitrate", "", "", 0, 2048000, 0, kRw)); }

const Surface kBase{install_base}, kCuda{install_cuda}, kLevels{install_levels}, kNone{install_none};

struct ObjectUnref {
  void operator()(GstElement* e) const { gst_object_unref(e); }
};
using ElementPtr = std::unique_ptr<GstElement, ObjectUnref>;

ElementPtr fake(const char* type_name, const Surface& surface) {
  return ElementPtr(GST_ELEMENT(gst_object_ref_sink(g_object_new(fake_type(type_name, &surface), nullptr))));
}

double number(GstElement* e, const char* prop) {
  GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop);
  EXPECT_NE(pspec, nullptr) << prop;
  if (!pspec) return -1000;
  GValue v = G_VALUE_INIT, d = G_VALUE_INIT;
  g_value_init(&v, pspec->value_type);
  g_value_init(&d, G_TYPE_DOUBLE);
  g_object_get_property(G_OBJECT(e), prop, &v);
  g_value_transform(&v, &d);
  double out = g_value_get_double(&d);
  g_value_unset(&v);
  g_value_unset(&d);
  return out;
}

std::string nick(GstElement* e, const char* prop) {
  GParamSpec* pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop);
  EXPECT_NE(pspec, nullptr) << prop;
  if (!pspec) return {};
  gint value = 0;
  g_object_get(e, prop, &value, nullptr);
  return g_enum_get_value(G_PARAM_SPEC_ENUM(pspec)->enum_class, value)->value_nick;
}

bool boolean(GstElement* e, const char* prop) {
  gboolean value = FALSE;
  g_object_get(e, prop, &value, nullptr);
  return value;
}

LpEncodeSettings settings_720p() {
  LpEncodeSettings s{};
  s.width = 1280;
  s.height = 720;
  s.fps_n = 30;
  s.fps_d = 1;
  s.bitrate = 3'000'000;
  s.keyframe_interval = 60;
  s.speed_preset = LP_SPEED_PRESET_VERYFAST;
  s.device = 0;
  return s;
}

bool configure(GstElement* e, const LpEncodeSettings& s, std::string* why = nullptr) {
  const LpCodecAdapter& a = lp::nvenc_h264_adapter();
  GError* error = nullptr;
  gboolean ok = a.configure(&a, e, &s, &error);
  if (why) *why = error ? error->message : "";
  g_clear_error(&error);
  return ok;
}

const lp::CodecAdapter* registered(const char* name) {
  for (const lp::CodecAdapter* a : lp::codec_adapters())
    if (std::string(a->name()) == name) return a;
  return nullptr;
}

// --- registration and device choice ----------------------------------------------------

TEST(NvencAdapters, RegisteredAboveTheSoftwareEncodersForCudaMemory) {
  const lp::CodecAdapter* h264 = registered("nvenc-h264");
  const lp::CodecAdapter* h265 = registered("nvenc-h265");
  ASSERT_NE(h264, nullptr);
  ASSERT_NE(h265, nullptr);
  EXPECT_EQ(h264->codec(), lp::VideoCodec::H264);
  EXPECT_EQ(h265->codec(), lp::VideoCodec::HEVC);
  EXPECT_TRUE(h264->takes_cuda_memory());
  EXPECT_TRUE(h265->takes_cuda_memory());
  EXPECT_GT(h264->rank(), registered("x264")->rank());
  EXPECT_GT(h265->rank(), registered("x265")->rank());
  EXPECT_STREQ(h264->parser(), "h264parse");
  EXPECT_STREQ(h265->parser(), "h265parse");
}

TEST(NvencAdapters, ElementIsTheOneNvcodecRegisteredForTheDevice) {
  const lp::CodecAdapter* h264 = registered("nvenc-h264");
  ASSERT_NE(h264, nullptr);
  const auto factories = lp::installed_nv_factories();
  for (int device : {-1, 0, 1, 7}) {
    SCOPED_TRACE(device);
    auto expected = lp::pick_nv_factory(factories, lp::NvElementKind::H264Encoder, device);
    EXPECT_EQ(h264->element_for(device), expected);
    EXPECT_EQ(h264->available(device), expected.has_value());
    if (!expected) {
      EXPECT_NE(h264->unavailable_reason(device).find("no encoder element for"), std::string::npos);
    }
  }
}

TEST(NvencAdapters, AutoUsesNvencOnlyForAGpuThatHasIt) {
  // The CPU path (-1) never picks a GPU encoder, whatever is installed.
  auto cpu = lp::find_codec_adapter("auto", lp::VideoCodec::H264, -1);
  ASSERT_TRUE(cpu.ok());
  EXPECT_FALSE((*cpu)->takes_cuda_memory());
  auto gpu0 = lp::find_codec_adapter("auto", lp::VideoCodec::H264, 0);
  ASSERT_TRUE(gpu0.ok());
  const bool has_nvenc =
      lp::pick_nv_factory(lp::installed_nv_factories(), lp::NvElementKind::H264Encoder, 0).has_value();
  EXPECT_STREQ((*gpu0)->name(), has_nvenc ? "nvenc-h264" : "x264");
  if (!has_nvenc) {
    auto named = lp::find_codec_adapter("nvenc-h264", lp::VideoCodec::H264, 0);
    ASSERT_FALSE(named.ok());
    EXPECT_NE(named.error().message.find("device 0"), std::string::npos) << named.error().message;
  }
}

TEST(NvencAdapters, H264ProfileGoesThroughTheCaps) {
  const lp::CodecAdapter* h264 = registered("nvenc-h264");
  ASSERT_NE(h264, nullptr);
  lp::EncodeSettings s;
  s.h264_profile = lp::H264Profile::Baseline;
  auto caps = h264->output_caps(s);
  ASSERT_TRUE(caps.ok());
  g_autofree char* text = gst_caps_to_string(caps->get());
  EXPECT_NE(std::string(text).find("profile=(string)constrained-baseline"), std::string::npos) << text;
}

// --- property mapping --------------------------------------------------------------------

TEST(NvencMapping, BitrateModeIsCbrWithAOneSecondVbvAndExactGops) {
  for (auto [type, surface, rc] :
       {std::tuple{"FakeNvH264Enc", &kBase, "rc-mode"}, std::tuple{"FakeNvCudaH264Enc", &kCuda, "rate-control"}}) {
    SCOPED_TRACE(type);
    auto e = fake(type, *surface);
    ASSERT_TRUE(configure(e.get(), settings_720p()));
    EXPECT_EQ(nick(e.get(), rc), "cbr");
    EXPECT_EQ(number(e.get(), "bitrate"), 3000);  // kbit/s
    EXPECT_EQ(number(e.get(), "max-bitrate"), 3000);
    EXPECT_EQ(number(e.get(), "vbv-buffer-size"), 3000);  // kbit: 1 s at the bitrate
    EXPECT_EQ(number(e.get(), "gop-size"), 60);
    EXPECT_EQ(number(e.get(), surface == &kBase ? "bframes" : "b-frames"), 0);
    EXPECT_EQ(number(e.get(), "rc-lookahead"), 0);
    EXPECT_FALSE(boolean(e.get(), "i-adapt"));
    EXPECT_EQ(nick(e.get(), "preset"), "hp");  // veryfast
  }
}

TEST(NvencMapping, QualityModeIsVbrAtConstantQualityCappedByTheBitrate) {
  for (auto [type, surface, rc] :
       {std::tuple{"FakeNvH264Enc", &kBase, "rc-mode"}, std::tuple{"FakeNvCudaH264Enc", &kCuda, "rate-control"}}) {
    SCOPED_TRACE(type);
    auto s = settings_720p();
    s.quality = 23;
    s.bitrate = 0;
    auto e = fake(type, *surface);
    ASSERT_TRUE(configure(e.get(), s));
    EXPECT_EQ(nick(e.get(), rc), "vbr");
    EXPECT_EQ(number(e.get(), "const-quality"), 23);
    EXPECT_EQ(number(e.get(), "bitrate"), 0);
    EXPECT_EQ(number(e.get(), "max-bitrate"), 0);
    s.bitrate = 1'000'000;
    auto capped = fake(type, *surface);
    ASSERT_TRUE(configure(capped.get(), s));
    EXPECT_EQ(number(capped.get(), "max-bitrate"), 1000);
    EXPECT_EQ(number(capped.get(), "bitrate"), 0);
  }
}

TEST(NvencMapping, WithoutConstQualityQualityIsAConstantQp) {
  auto s = settings_720p();
  s.quality = 30;
  auto e = fake("FakeNvLevelEnc", kLevels);
  ASSERT_TRUE(configure(e.get(), s));
  EXPECT_EQ(nick(e.get(), "rate-control"), "cqp");
  EXPECT_EQ(number(e.get(), "qp-i"), 30);
}

TEST(NvencMapping, SpeedPresetsSpreadOverNvencsPresets) {
  const std::pair<LpSpeedPreset, const char*> legacy[] = {
      {LP_SPEED_PRESET_ULTRAFAST, "hp"},   {LP_SPEED_PRESET_VERYFAST, "hp"}, {LP_SPEED_PRESET_FASTER, "default"},
      {LP_SPEED_PRESET_MEDIUM, "default"}, {LP_SPEED_PRESET_SLOW, "hq"},     {LP_SPEED_PRESET_VERYSLOW, "hq"}};
  for (auto [preset, expected] : legacy) {
    auto s = settings_720p();
    s.speed_preset = preset;
    auto e = fake("FakeNvCudaH264Enc", kCuda);
    ASSERT_TRUE(configure(e.get(), s));
    EXPECT_EQ(nick(e.get(), "preset"), expected) << lp_speed_preset_name(preset);
  }
  const std::pair<LpSpeedPreset, const char*> levels[] = {{LP_SPEED_PRESET_ULTRAFAST, "p1"},
                                                          {LP_SPEED_PRESET_VERYFAST, "p3"},
                                                          {LP_SPEED_PRESET_MEDIUM, "p4"},
                                                          {LP_SPEED_PRESET_VERYSLOW, "p7"}};
  for (auto [preset, expected] : levels) {
    auto s = settings_720p();
    s.speed_preset = preset;
    auto e = fake("FakeNvLevelEnc", kLevels);
    ASSERT_TRUE(configure(e.get(), s));
    EXPECT_EQ(nick(e.get(), "preset"), expected) << lp_speed_preset_name(preset);
  }
}

TEST(NvencMapping, IntraIsAGopOfOne) {
  auto s = settings_720p();
  s.keyframe_interval = 1;
  auto e = fake("FakeNvH264Enc", kBase);
  ASSERT_TRUE(configure(e.get(), s));
  EXPECT_EQ(number(e.get(), "gop-size"), 1);
}

TEST(NvencMapping, AnElementWithoutRateControlIsRefused) {
  auto e = fake("FakeNotNvenc", kNone);
  std::string why;
  EXPECT_FALSE(configure(e.get(), settings_720p(), &why));
  EXPECT_NE(why.find("rate-control"), std::string::npos) << why;
}

}  // namespace
