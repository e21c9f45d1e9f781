// Profiles: go-livepeer presets, its JSON format, and the error messages that name the field.
#include "profile.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

namespace lp {
namespace {

// gtest only (no gmock): the build links gtest alone.
#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

struct PresetFigures {
  const char* name;
  int width, height, bitrate, fps;
};

// Figures from lpms ffmpeg/videoprofile.go.
constexpr PresetFigures kLpmsPresets[] = {
    {"P720p60fps16x9", 1280, 720, 6000000, 60}, {"P720p30fps16x9", 1280, 720, 4000000, 30},
    {"P720p25fps16x9", 1280, 720, 3500000, 25}, {"P720p30fps4x3", 960, 720, 3500000, 30},
    {"P576p30fps16x9", 1024, 576, 1500000, 30}, {"P576p25fps16x9", 1024, 576, 1500000, 25},
    {"P360p30fps16x9", 640, 360, 1200000, 30},  {"P360p25fps16x9", 640, 360, 1000000, 25},
    {"P360p30fps4x3", 480, 360, 1000000, 30},   {"P240p30fps16x9", 426, 240, 600000, 30},
    {"P240p25fps16x9", 426, 240, 600000, 25},   {"P240p30fps4x3", 320, 240, 600000, 30},
    {"P144p30fps16x9", 256, 144, 400000, 30},   {"P144p25fps16x9", 256, 144, 400000, 25},
};

// Expects `r` to fail with `code` and a message containing each of `parts`.
template <typename T>
void ExpectError(const Result<T>& r, ErrorCode code, std::initializer_list<const char*> parts) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().message;
  for (const char* part : parts) EXPECT_CONTAINS(r.error().message, part);
}

TEST(Profile, PresetsHaveLpmsFigures) {
  const auto& presets = preset_profiles();
  ASSERT_EQ(presets.size(), std::size(kLpmsPresets));
  for (size_t i = 0; i < presets.size(); ++i) {
    const auto& want = kLpmsPresets[i];
    const auto& p = presets[i];
    SCOPED_TRACE(want.name);
    EXPECT_EQ(p.name, want.name);
    EXPECT_EQ(p.width, want.width);
    EXPECT_EQ(p.height, want.height);
    EXPECT_EQ(p.bitrate, want.bitrate);
    EXPECT_EQ(p.fps, want.fps);
    EXPECT_EQ(p.fps_den, 1);
    EXPECT_EQ(p.gop.kind, Gop::Kind::Unset);
    EXPECT_EQ(p.h264_profile, H264Profile::Unset);
    EXPECT_EQ(p.codec, VideoCodec::H264);
    EXPECT_EQ(p.quality, 0);
  }
}

TEST(Profile, FindPreset) {
  const auto p = find_preset("P720p30fps16x9");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->width, 1280);
  EXPECT_EQ(p->bitrate, 4000000);
  const auto folded = find_preset("p360p30fps16x9");
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded->name, "P360p30fps16x9");
  EXPECT_FALSE(find_preset("P1080p30fps16x9"));
  EXPECT_FALSE(find_preset(""));
}

TEST(Profile, CommaListWithSpaces) {
  const auto r = parse_profiles("  P720p30fps16x9 , P360p30fps16x9,\tP144p25fps16x9 ,\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, "P720p30fps16x9");
  EXPECT_EQ((*r)[1].name, "P360p30fps16x9");
  EXPECT_EQ((*r)[2].name, "P144p25fps16x9");
  EXPECT_EQ((*r)[2].fps, 25);
}

TEST(Profile, UnknownPreset) {
  ExpectError(parse_profiles("P720p30fps16x9,P9000p"), ErrorCode::UnknownProfile,
              {"P9000p", "P720p30fps16x9", "P144p30fps16x9"});
}

TEST(Profile, EmptySpec) {
  for (const char* spec : {"", "   \n", ",", " , ,", "[]", " [ ] "}) {
    SCOPED_TRACE(spec);
    ExpectError(parse_profiles(spec), ErrorCode::InvalidProfile, {"no profiles given"});
  }
}

TEST(Profile, InlineJsonArray) {
  const auto r = parse_profiles(R"( [
    {"name": "hi", "width": 1920, "height": 1080, "bitrate": 6000000, "fps": 30000,
     "fpsDen": 1001, "profile": "H264High", "gop": "2.0", "encoder": "H.264"},
    {"width": 640, "height": 360, "bitrate": 1200000, "encoder": "HEVC", "quality": 23,
     "colorDepth": 8, "chromaFormat": 0, "profile": "none"}
  ] )");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const Profile& a = (*r)[0];
  EXPECT_EQ(a.name, "hi");
  EXPECT_EQ(a.width, 1920);
  EXPECT_EQ(a.height, 1080);
  EXPECT_EQ(a.bitrate, 6000000);
  EXPECT_EQ(a.fps, 30000);
  EXPECT_EQ(a.fps_den, 1001);
  EXPECT_EQ(a.h264_profile, H264Profile::High);
  EXPECT_EQ(a.gop.kind, Gop::Kind::Seconds);
  EXPECT_DOUBLE_EQ(a.gop.seconds, 2.0);
  EXPECT_EQ(a.codec, VideoCodec::H264);
  const Profile& b = (*r)[1];
  EXPECT_EQ(b.name, "640x360");  // default name
  EXPECT_EQ(b.fps, 0);
  EXPECT_EQ(b.fps_den, 1);
  EXPECT_EQ(b.codec, VideoCodec::HEVC);
  EXPECT_EQ(b.quality, 23);
  EXPECT_EQ(b.h264_profile, H264Profile::Unset);
  EXPECT_EQ(b.gop.kind, Gop::Kind::Unset);
}

TEST(Profile, SingleObject) {
  const auto r = parse_profiles(R"({"name":"one","width":426,"height":240,"bitrate":600000})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "one");
  EXPECT_EQ((*r)[0].bitrate, 600000);
}

TEST(Profile, ArrayErrorsNameTheIndex) {
  ExpectError(parse_profiles(R"([{"width":640,"height":360,"bitrate":1},
                                 {"width":640,"height":360,"bitrate":"abc"}])"),
              ErrorCode::InvalidProfile, {"profiles[1].bitrate: ", "\"abc\""});
  ExpectError(parse_profiles(R"([{"width":640,"height":360,"bitrate":1}, 3])"), ErrorCode::InvalidProfile,
              {"profiles[1]: expected a JSON object"});
  ExpectError(parse_profiles(R"([{"width":640,"height":360,"bitrate":1,"Foo":1}])"), ErrorCode::InvalidProfile,
              {"profiles[0].Foo: unknown field"});
}

TEST(Profile, JsonFile) {
  g_autoptr(GError) error = nullptr;
  g_autofree gchar* path = nullptr;
  const int fd = g_file_open_tmp("lp-profiles-XXXXXX.json", &path, &error);
  ASSERT_GE(fd, 0) << error->message;
  close(fd);
  const char* contents =
      R"([{"name":"a","width":1280,"height":720,"bitrate":4000000,"fps":30,"gop":"intra"},
          {"name":"b","width":256,"height":144,"bitrate":400000,"profile":"H264Baseline"}])";
  ASSERT_TRUE(g_file_set_contents(path, contents, -1, &error));

  const auto r = parse_profiles(std::string("  ") + path + "\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].gop.kind, Gop::Kind::Intra);
  EXPECT_EQ((*r)[1].h264_profile, H264Profile::Baseline);

  // Errors inside the file name the file and the field.
  ASSERT_TRUE(g_file_set_contents(path, R"([{"width":0,"height":1,"bitrate":1}])", -1, &error));
  ExpectError(parse_profiles(path), ErrorCode::InvalidProfile, {path, "profiles[0].width"});
  g_remove(path);
}

TEST(Profile, MissingOrUnreadableFile) {
  ExpectError(parse_profiles("/nonexistent/lp-profiles.json"), ErrorCode::NotFound, {"/nonexistent/lp-profiles.json"});
  ExpectError(parse_profiles("profiles-that-are-not-here.json"), ErrorCode::NotFound,
              {"profiles-that-are-not-here.json"});
  g_autofree gchar* dir = g_dir_make_tmp("lp-profiles-XXXXXX", nullptr);
  ASSERT_NE(dir, nullptr);
  ExpectError(parse_profiles(dir), ErrorCode::NotFound, {dir});
  g_rmdir(dir);
}

struct BadCase {
  const char* json;
  const char* field;  // expected at the start of the message
};

TEST(Profile, InvalidFieldsNameTheField) {
  const BadCase cases[] = {
      {R"({"width":640,"height":360,"bitrate":1,"bogus":1})", "bogus: unknown field"},
      {R"({"name":5,"width":640,"height":360,"bitrate":1})", "name: "},
      {R"({"name":"../x","width":640,"height":360,"bitrate":1})", "name: "},
      {R"({"width":"640","height":360,"bitrate":1})", "width: "},
      {R"({"width":640.5,"height":360,"bitrate":1})", "width: "},
      {R"({"width":-640,"height":360,"bitrate":1})", "width: "},
      {R"({"width":0,"height":360,"bitrate":1})", "width: "},
      {R"({"width":8193,"height":360,"bitrate":1})", "width: "},
      {R"({"height":360,"bitrate":1})", "width: required"},
      {R"({"width":640,"height":true,"bitrate":1})", "height: "},
      {R"({"width":640,"height":0,"bitrate":1})", "height: "},
      {R"({"width":640})", "height: required"},
      {R"({"width":640,"height":360,"bitrate":"abc"})", R"(bitrate: expected a positive integer in bit/s, got "abc")"},
      {R"({"width":640,"height":360,"bitrate":-1})", "bitrate: "},
      {R"({"width":640,"height":360,"bitrate":0})", "bitrate: "},
      {R"({"width":640,"height":360})", "bitrate: required"},
      {R"({"width":640,"height":360,"bitrate":99999999999})", "bitrate: "},
      {R"({"width":640,"height":360,"bitrate":1,"fps":"30"})", "fps: "},
      {R"({"width":640,"height":360,"bitrate":1,"fps":-1})", "fps: "},
      {R"({"width":640,"height":360,"bitrate":1,"fpsDen":0})", "fpsDen: "},
      {R"({"width":640,"height":360,"bitrate":1,"fpsDen":[1]})", "fpsDen: "},
      {R"({"width":640,"height":360,"bitrate":1,"profile":"H264Extended"})", "profile: "},
      {R"({"width":640,"height":360,"bitrate":1,"profile":1})", "profile: "},
      {R"({"width":640,"height":360,"bitrate":1,"gop":"often"})", "gop: "},
      {R"({"width":640,"height":360,"bitrate":1,"gop":"0"})", "gop: "},
      {R"({"width":640,"height":360,"bitrate":1,"gop":"-2"})", "gop: "},
      {R"({"width":640,"height":360,"bitrate":1,"gop":"2s"})", "gop: "},
      {R"({"width":640,"height":360,"bitrate":1,"gop":0})", "gop: "},
      {R"({"width":640,"height":360,"bitrate":1,"gop":{}})", "gop: "},
      {R"({"width":640,"height":360,"bitrate":1,"encoder":"MPEG2"})", "encoder: "},
      {R"({"width":640,"height":360,"bitrate":1,"encoder":264})", "encoder: "},
      {R"({"width":640,"height":360,"bitrate":1,"quality":52})", "quality: "},
      {R"({"width":640,"height":360,"bitrate":1,"quality":-1})", "quality: "},
      {R"({"width":640,"height":360,"bitrate":1,"quality":"23"})", "quality: "},
      {R"({"width":640,"height":360,"bitrate":1,"colorDepth":10})", "colorDepth: unsupported"},
      {R"({"width":640,"height":360,"bitrate":1,"colorDepth":"8"})", "colorDepth: "},
      {R"({"width":640,"height":360,"bitrate":1,"chromaFormat":2})", "chromaFormat: unsupported"},
      {R"({"width":640,"height":360,"bitrate":1,"chromaFormat":"4:4:4"})", "chromaFormat: unsupported"},
      {R"({"width":640,"height":360,"bitrate":1,"chromaFormat":false})", "chromaFormat: "},
      {R"({"width":640,"height":360,"bitrate":1,"container":"avi"})",
       R"(container: expected "mpegts", "mp4" or "webm", got "avi")"},
      {R"({"width":640,"height":360,"bitrate":1,"container":4})", "container: "},
      {R"({"width":640,"height":360,"bitrate":1,"size_rule":"stretch"})",
       R"(size_rule: expected "fit-box" or "lpms", got "stretch")"},
      {R"({"width":640,"height":360,"bitrate":1,"size_rule":true})", "size_rule: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    const auto r = parse_profile_json(c.json);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidProfile);
    EXPECT_EQ(r.error().message.rfind(c.field, 0), 0u) << r.error().message;
  }
}

TEST(Profile, InvalidJsonSyntax) {
  ExpectError(parse_profile_json(R"({"width": 640,)"), ErrorCode::InvalidProfile, {"invalid JSON"});
  ExpectError(parse_profiles(R"([{"width": 640 "height": 360}])"), ErrorCode::InvalidProfile, {"invalid JSON"});
  ExpectError(parse_profile_json("[]"), ErrorCode::InvalidProfile, {"expected a JSON object"});
  ExpectError(parse_profile_json(" "), ErrorCode::InvalidProfile, {"expected a JSON object"});
}

// Found by fuzz_profile: json-glib read "\216" (an octal escape JSON does not have) as the
// byte 0x8E, and profile_to_json then wrote a name that no longer parsed.
TEST(Profile, EscapesAndBytesJsonDoesNotAllowAreRefused) {
  const std::string octal = R"({"name":"hbbbP72064,\216x9bd","width":1791,"height":720,"bitrate":4000})";
  ExpectError(parse_profile_json(octal), ErrorCode::InvalidProfile, {"invalid escape \\2 at offset 20"});
  ExpectError(parse_profiles(octal), ErrorCode::InvalidProfile, {"invalid escape \\2"});
  ExpectError(parse_profiles("[" + octal + "]"), ErrorCode::InvalidProfile, {"invalid escape"});
  ExpectError(parse_profile_json("{\"name\":\"a\xF0\",\"width\":320,\"height\":240,\"bitrate\":1}"),
              ErrorCode::InvalidProfile, {"not UTF-8 text (byte 0xF0 at offset 10)"});
}

TEST(Profile, CaseInsensitiveKeys) {
  const auto r = parse_profile_json(R"({"NAME":"x","Width":320,"HEIGHT":240,"BitRate":500000,"FPS":24,"fpsden":1,)"
                                    R"("Profile":"h264main","GOP":"intra","Encoder":"vp9","Quality":30})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "x");
  EXPECT_EQ(r->width, 320);
  EXPECT_EQ(r->height, 240);
  EXPECT_EQ(r->bitrate, 500000);
  EXPECT_EQ(r->fps, 24);
  EXPECT_EQ(r->h264_profile, H264Profile::Main);
  EXPECT_EQ(r->gop.kind, Gop::Kind::Intra);
  EXPECT_EQ(r->codec, VideoCodec::VP9);
  EXPECT_EQ(r->quality, 30);
}

TEST(Profile, GopForms) {
  const auto gop = [](const char* value) {
    return parse_profile_json(std::string(R"({"width":64,"height":64,"bitrate":1,"gop":)") + value + "}");
  };
  auto intra = gop(R"("intra")");
  ASSERT_TRUE(intra.ok());
  EXPECT_EQ(intra->gop.kind, Gop::Kind::Intra);
  auto str = gop(R"("0.5")");
  ASSERT_TRUE(str.ok());
  EXPECT_EQ(str->gop.kind, Gop::Kind::Seconds);
  EXPECT_DOUBLE_EQ(str->gop.seconds, 0.5);
  auto num = gop("3");
  ASSERT_TRUE(num.ok());
  EXPECT_EQ(num->gop.kind, Gop::Kind::Seconds);
  EXPECT_DOUBLE_EQ(num->gop.seconds, 3.0);
  auto unset = gop(R"("")");
  ASSERT_TRUE(unset.ok());
  EXPECT_EQ(unset->gop.kind, Gop::Kind::Unset);
  auto null = gop("null");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null->gop.kind, Gop::Kind::Unset);
}

TEST(Profile, EncoderSpellings) {
  const std::pair<const char*, VideoCodec> spellings[] = {
      {"H.264", VideoCodec::H264}, {"h264", VideoCodec::H264},  {"", VideoCodec::H264},     {"HEVC", VideoCodec::HEVC},
      {"hevc", VideoCodec::HEVC},  {"H.265", VideoCodec::HEVC}, {"h265", VideoCodec::HEVC}, {"VP8", VideoCodec::VP8},
      {"vp9", VideoCodec::VP9},    {"AV1", VideoCodec::AV1},
  };
  for (const auto& [spelling, codec] : spellings) {
    SCOPED_TRACE(spelling);
    const auto r =
        parse_profile_json(std::string(R"({"width":64,"height":64,"bitrate":1,"encoder":")") + spelling + "\"}");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->codec, codec);
  }
}

TEST(Profile, QualityWithoutBitrate) {
  const auto r = parse_profile_json(R"({"width":640,"height":360,"quality":28})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->bitrate, 0);
  EXPECT_EQ(r->quality, 28);
  EXPECT_TRUE(parse_profile_json(R"({"width":640,"height":360,"bitrate":0,"quality":1})").ok());
}

TEST(Profile, AcceptedDefaultsAndWholeDoubles) {
  const auto r = parse_profile_json(R"({"name":"","width":640,"height":360,"bitrate":4e6,"colorDepth":0,)"
                                    R"("chromaFormat":"4:2:0","profile":"","encoder":"H.264"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "640x360");
  EXPECT_EQ(r->bitrate, 4000000);
}

TEST(Profile, Names) {
  EXPECT_STREQ(h264_profile_name(H264Profile::Baseline), "H264Baseline");
  EXPECT_STREQ(h264_profile_name(H264Profile::Main), "H264Main");
  EXPECT_STREQ(h264_profile_name(H264Profile::High), "H264High");
  EXPECT_STREQ(h264_profile_name(H264Profile::ConstrainedHigh), "H264ConstrainedHigh");
  EXPECT_STREQ(h264_profile_name(H264Profile::Unset), "none");
  EXPECT_STREQ(video_codec_name(VideoCodec::H264), "H.264");
  EXPECT_STREQ(video_codec_name(VideoCodec::HEVC), "HEVC");
  EXPECT_STREQ(video_codec_name(VideoCodec::VP8), "VP8");
  EXPECT_STREQ(video_codec_name(VideoCodec::VP9), "VP9");
  EXPECT_STREQ(video_codec_name(VideoCodec::AV1), "AV1");
}

// json-glib ends a string at an escaped NUL: "P720\u0000junk" would become "P720" without a
// word. Refused instead, naming the field.
TEST(Profile, EscapedNulIsRefusedNamingTheField) {
  auto list = parse_profiles(R"([{"name":"P720\u0000junk","width":1280,"height":720,"bitrate":4000000}])");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, lp::ErrorCode::InvalidProfile);
  EXPECT_EQ(list.error().message.rfind("profiles[0].name: contains a NUL character", 0), 0u) << list.error().message;
  EXPECT_NE(list.error().message.find("\\u0000"), std::string::npos) << list.error().message;

  auto second = parse_profiles(
      R"([{"width":640,"height":360,"bitrate":1},{"width":1,"height":1,"bitrate":1,"encoder":"H.264\u0000"}])");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message.rfind("profiles[1].encoder: ", 0), 0u) << second.error().message;

  auto one = parse_profile_json(R"({"width":1280,"height":720,"bitrate":4000000,"name":"a\u0000"})");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().code, lp::ErrorCode::InvalidProfile);
  EXPECT_EQ(one.error().message.rfind("name: contains a NUL character", 0), 0u) << one.error().message;

  // Single objects and files go the same way.
  auto object = parse_profiles(R"({"name":"x\u0000","width":2,"height":2,"bitrate":1})");
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.error().message.rfind("name: ", 0), 0u) << object.error().message;
}

TEST(Profile, JsonNulEscapePath) {
  using lp::json_nul_escape_path;
  EXPECT_EQ(json_nul_escape_path(R"({"name":"a"})"), std::nullopt);
  EXPECT_EQ(json_nul_escape_path(R"({"name":"a\u0000"})"), "name");
  EXPECT_EQ(json_nul_escape_path(R"([{"a":1,"b":[1,"\u0000"]}])"), "[0].b[1]");
  EXPECT_EQ(json_nul_escape_path(R"([{"a":"x"},{"name":"\u0000"}])"), "[1].name");
  EXPECT_EQ(json_nul_escape_path(R"({"na\u0000me":1})"), "na\\u0000me");  // a member name, as written
  // An escaped backslash followed by "u0000" is six characters, not a NUL; \" does not end a string.
  EXPECT_EQ(json_nul_escape_path(R"({"name":"a\\u0000"})"), std::nullopt);
  EXPECT_EQ(json_nul_escape_path(R"({"n\"x":"a","m":"\u0001"})"), std::nullopt);
  EXPECT_EQ(json_nul_escape_path(R"({"n\",":"a","m":"\u0000"})"), "m");
}

void ExpectSame(const Profile& a, const Profile& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.bitrate, b.bitrate);
  EXPECT_EQ(a.fps, b.fps);
  EXPECT_EQ(a.fps_den, b.fps_den);
  EXPECT_EQ(a.h264_profile, b.h264_profile);
  EXPECT_EQ(a.gop.kind, b.gop.kind);
  EXPECT_EQ(a.gop.seconds, b.gop.seconds);  // exact: the text must read back bit for bit
  EXPECT_EQ(a.codec, b.codec);
  EXPECT_EQ(a.quality, b.quality);
  EXPECT_EQ(a.container, b.container);
  EXPECT_EQ(a.size_rule, b.size_rule);
}

TEST(Profile, ContainerAndSizeRule) {
  auto p = parse_profile_json(R"({"width":640,"height":360,"bitrate":1,"container":" MP4 ","size_rule":"LPMS"})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->container, ProfileContainer::Mp4);
  EXPECT_EQ(p->size_rule, SizeRule::Lpms);
  const std::pair<const char*, ProfileContainer> containers[] = {{"mpegts", ProfileContainer::MpegTs},
                                                                 {"webm", ProfileContainer::WebM},
                                                                 {"auto", ProfileContainer::Unset},
                                                                 {"", ProfileContainer::Unset}};
  for (const auto& [name, container] : containers) {
    auto q = parse_profile_json(std::string(R"({"width":2,"height":2,"bitrate":1,"container":")") + name + R"("})");
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_EQ(q->container, container) << name;
  }
  auto fit = parse_profile_json(R"({"width":2,"height":2,"bitrate":1,"size_rule":"fit-box"})");
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  EXPECT_EQ(fit->size_rule, SizeRule::FitBox);
  // Defaults: the element's container property decides; the box is fitted.
  const Profile preset = *find_preset("P240p30fps16x9");
  EXPECT_EQ(preset.container, ProfileContainer::Unset);
  EXPECT_EQ(preset.size_rule, SizeRule::FitBox);
  // Array errors name the index too.
  ExpectError(parse_profiles(R"([{"width":2,"height":2,"bitrate":1,"container":"flv"}])"), ErrorCode::InvalidProfile,
              {"profiles[0].container: "});
}

TEST(Profile, JsonRoundTrip) {
  std::vector<Profile> profiles = preset_profiles();
  Profile full;
  full.name = "full \"quoted\" ü";
  full.width = 1920;
  full.height = 1080;
  full.bitrate = 5000000;
  full.fps = 30000;
  full.fps_den = 1001;
  full.h264_profile = H264Profile::ConstrainedHigh;
  full.gop = Gop{Gop::Kind::Seconds, 0.1};
  full.codec = VideoCodec::HEVC;
  full.quality = 20;
  full.container = ProfileContainer::Mp4;
  full.size_rule = SizeRule::Lpms;
  profiles.push_back(full);
  Profile intra = full;
  intra.gop = Gop{Gop::Kind::Intra, 0.0};
  intra.quality = 0;
  intra.codec = VideoCodec::AV1;
  intra.container = ProfileContainer::WebM;
  intra.size_rule = SizeRule::FitBox;
  profiles.push_back(intra);
  Profile crf;
  crf.name = "crf";
  crf.width = 640;
  crf.height = 360;
  crf.quality = 23;
  crf.gop = Gop{Gop::Kind::Seconds, 2.0};
  profiles.push_back(crf);

  for (const auto& p : profiles) {
    const std::string json = profile_to_json(p);
    SCOPED_TRACE(json);
    const auto back = parse_profile_json(json);
    ASSERT_TRUE(back.ok()) << back.error().message;
    ExpectSame(*back, p);
  }
  EXPECT_CONTAINS(profile_to_json(crf), R"("gop":"2.0")");
  EXPECT_CONTAINS(profile_to_json(intra), R"("gop":"intra")");
  EXPECT_CONTAINS(profile_to_json(full), R"("quality":20,"container":"mp4","size_rule":"lpms"})");
  EXPECT_CONTAINS(profile_to_json(intra), R"("container":"webm"})");  // size_rule at its default
  Profile ts = crf;
  ts.container = ProfileContainer::MpegTs;
  EXPECT_CONTAINS(profile_to_json(ts), R"("container":"mpegts")");
  const std::string preset_json = profile_to_json(*find_preset("P240p30fps16x9"));
  EXPECT_EQ(preset_json, R"({"name":"P240p30fps16x9","width":426,"height":240,"bitrate":600000,"fps":30,)"
                         R"("fpsDen":1,"encoder":"H.264"})");
}

TEST(Profile, AcceptsValuesStillQuotedByGstLaunch) {
  // gst-launch-1.0 passes profile='{...}' on as "{\"name\":...}".
  auto one = parse_profile_json(R"("{\"name\":\"q\",\"width\":320,\"height\":180,\"bitrate\":1000}")");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one->name, "q");
  auto single = parse_profile_json(R"('{"width":320,"height":180,"bitrate":1000}')");
  ASSERT_TRUE(single.ok()) << single.error().message;
  auto list = parse_profiles(R"("P240p30fps16x9,P144p30fps16x9")");
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->size(), 2u);
}

}  // namespace
}  // namespace lp
