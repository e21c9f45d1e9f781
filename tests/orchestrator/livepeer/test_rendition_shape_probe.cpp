// The orchestrator's measure of an uploaded rendition (frame size and frames, no decode) on
// real encoded media in the containers renditions come in, and on what is not a rendition.
#include "rendition_shape_probe.h"

#include <gtest/gtest.h>

#include "media.h"

namespace lp::livepeer {
namespace {

Result<RenditionShape> probe(GBytes* bytes) {
  g_bytes_ref(bytes);
  SharedBytes shared = share_bytes(bytes);
  std::optional<Result<RenditionShape>> got;
  g_autoptr(GMainLoop) loop = g_main_loop_new(nullptr, FALSE);
  auto p = RenditionProbe::start(shared, [&](Result<RenditionShape> r) {
    got = std::move(r);
    g_main_loop_quit(loop);
  });
  g_main_loop_run(loop);
  return *got;
}

Result<RenditionShape> probe_media(const test::MediaSpec& spec) {
  test::TempDir dir;
  const std::string path = dir.file("r");
  test::make_media(spec, path);
  g_autoptr(GBytes) bytes = test::bytes_from_file(path);
  return probe(bytes);
}

TEST(RenditionProbe, MeasuresMpegTsMp4AndWebm) {
  test::MediaSpec ts;
  ts.width = 320;
  ts.height = 180;
  ts.seconds = 1;
  ts.audio_codec = "aac";
  auto r = probe_media(ts);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->width, 320);
  EXPECT_EQ(r->height, 180);
  EXPECT_EQ(r->frames, test::expected_frames(ts));

  test::MediaSpec mp4 = ts;
  mp4.container = "mp4";
  mp4.width = 256;
  mp4.height = 144;
  r = probe_media(mp4);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->width, 256);
  EXPECT_EQ(r->frames, test::expected_frames(mp4));

  test::MediaSpec webm = ts;
  webm.container = "matroska";
  webm.video_codec = "vp9";
  webm.audio_codec = "none";
  r = probe_media(webm);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->height, 180);
  EXPECT_EQ(r->frames, test::expected_frames(webm));
}

TEST(RenditionProbe, RefusesWhatIsNotVideo) {
  g_autoptr(GBytes) junk = g_bytes_new_static("this is not a video file at all, only words", 44);
  auto r = probe(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::BadSegment);

  test::MediaSpec audio;
  audio.video_codec = "none";
  audio.audio_codec = "aac";
  audio.seconds = 1;
  r = probe_media(audio);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no video"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace lp::livepeer
