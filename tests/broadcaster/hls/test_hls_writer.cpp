// The HLS writer: playlist text (RFC 8216 rules that players enforce), atomic VOD completion,
// live windows, codec strings probed from real segments.
#include <gtest/gtest.h>

#include <fstream>

#include "hls_writer.h"
#include "media.h"
#include "ts_probe.h"

namespace lp::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

GBytes* bytes_of(const std::string& text) { return g_bytes_new(text.data(), text.size()); }

TEST(HlsWriter, VodPlaylistsAfterEverySegmentIsIn) {
  TempDir dir;
  HlsWriter writer(dir.path(), {"P720p30fps16x9", "low res/odd"});
  const double durations[] = {2.0, 2.0, 1.5};
  for (int64_t seq = 0; seq < 3; ++seq) {
    for (size_t r = 0; r < 2; ++r) {
      std::optional<HlsVariant> variant;
      if (seq == 0)
        variant = HlsVariant{r == 0 ? "P720p30fps16x9" : "low res/odd", r == 0 ? 1280 : 320, r == 0 ? 720 : 180, 29.97,
                             "avc1.64001f,mp4a.40.2"};
      g_autoptr(GBytes) b = bytes_of(std::string(r == 0 ? 50000 : 10000, 'x'));
      ASSERT_TRUE(writer.add_segment(r, seq, b, durations[seq], variant).ok());
    }
    if (seq < 2) {
      auto e = writer.finish_vod(3);  // not everything yet: no playlist
      ASSERT_FALSE(e.ok());
      EXPECT_NE(e.error().message.find("missing segment " + std::to_string(seq + 1)), std::string::npos)
          << e.error().message;
      EXPECT_FALSE(g_file_test(dir.file("index.m3u8").c_str(), G_FILE_TEST_EXISTS));
    }
  }
  ASSERT_TRUE(writer.finish_vod(3).ok());
  const std::string master = slurp(dir.file("index.m3u8"));
  EXPECT_EQ(master.rfind("#EXTM3U\n", 0), 0u);
  // 50000 bytes in 1.5 s is the peak: 266667 bit/s; the average is 150000 * 8 / 5.5.
  EXPECT_NE(master.find("#EXT-X-STREAM-INF:BANDWIDTH=266667,AVERAGE-BANDWIDTH=218181,RESOLUTION=1280x720,"
                        "FRAME-RATE=29.970,CODECS=\"avc1.64001f,mp4a.40.2\"\nP720p30fps16x9/index.m3u8\n"),
            std::string::npos)
      << master;
  EXPECT_LT(master.find("P720p30fps16x9/"), master.find("low_res_odd/"));  // highest bandwidth first
  const std::string media = slurp(dir.file("low_res_odd/index.m3u8"));
  EXPECT_EQ(media,
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"
            "#EXTINF:2.000,\nlow_res_odd_00000.ts\n#EXTINF:2.000,\nlow_res_odd_00001.ts\n"
            "#EXTINF:1.500,\nlow_res_odd_00002.ts\n#EXT-X-ENDLIST\n");
  EXPECT_EQ(slurp(dir.file("low_res_odd/low_res_odd_00002.ts")).size(), 10000u);
}

TEST(HlsWriter, TargetDurationCoversTheLongestSegmentRounded) {
  TempDir dir;
  HlsWriter writer(dir.path(), {"rendition0"});
  g_autoptr(GBytes) b = bytes_of("x");
  ASSERT_TRUE(writer.add_segment(0, 0, b, 2.4).ok());
  ASSERT_TRUE(writer.add_segment(0, 1, b, 5.6).ok());  // a long GOP
  ASSERT_TRUE(writer.finish_vod(2).ok());
  EXPECT_NE(slurp(dir.file("rendition0/index.m3u8")).find("#EXT-X-TARGETDURATION:6\n"), std::string::npos);
}

TEST(HlsWriter, LiveWindowSlidesAndOldSegmentsGo) {
  TempDir dir;
  HlsWriter writer(dir.path(), {"src"});
  g_autoptr(GBytes) b = bytes_of("segment");
  for (int64_t seq = 0; seq < 12; ++seq) {
    ASSERT_TRUE(
        writer
            .add_segment(0, seq, b, 2.0, seq == 0 ? std::optional<HlsVariant>({"src", 640, 360, 30, ""}) : std::nullopt)
            .ok());
    ASSERT_TRUE(writer.write_live(5, false).ok());
  }
  const std::string media = slurp(dir.file("src/index.m3u8"));
  EXPECT_NE(media.find("#EXT-X-MEDIA-SEQUENCE:7\n"), std::string::npos) << media;
  EXPECT_EQ(media.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_EQ(media.find("PLAYLIST-TYPE"), std::string::npos);
  EXPECT_NE(media.find("src_00011.ts"), std::string::npos);
  EXPECT_EQ(media.find("src_00006.ts"), std::string::npos);
  EXPECT_TRUE(g_file_test(dir.file("src/src_00004.ts").c_str(), G_FILE_TEST_EXISTS));  // kept a little longer
  EXPECT_FALSE(g_file_test(dir.file("src/src_00003.ts").c_str(), G_FILE_TEST_EXISTS));
  ASSERT_TRUE(writer.write_live(5, true).ok());
  EXPECT_NE(slurp(dir.file("src/index.m3u8")).find("#EXT-X-ENDLIST\n"), std::string::npos);
}

// A lost segment keeps its number as an EXT-X-GAP, so every variant numbers alike; the target
// duration never goes down; the master waits for every variant.
TEST(HlsWriter, LiveGapsTargetDurationAndMaster) {
  TempDir dir;
  HlsWriter writer(dir.path(), {"low", "source"});
  g_autoptr(GBytes) b = bytes_of("segment");
  ASSERT_TRUE(writer.add_segment(1, 0, b, 4.0, HlsVariant{"source", 640, 360, 30, "avc1.64001e"}).ok());
  ASSERT_TRUE(writer.write_live(6, false).ok());
  EXPECT_FALSE(g_file_test(dir.file("index.m3u8").c_str(), G_FILE_TEST_EXISTS));  // "low" has nothing yet
  ASSERT_TRUE(writer.add_segment(0, 0, b, 4.0, HlsVariant{"low", 320, 180, 30, "avc1.64000d"}).ok());
  for (int64_t seq = 1; seq < 5; ++seq) {
    ASSERT_TRUE(writer.add_segment(1, seq, b, 2.0).ok());
    if (seq == 2) {
      writer.mark_lost(0, seq, 2.0);
    } else {
      ASSERT_TRUE(writer.add_segment(0, seq, b, 2.0).ok());
    }
  }
  ASSERT_TRUE(writer.write_live(3, false).ok());
  EXPECT_TRUE(g_file_test(dir.file("index.m3u8").c_str(), G_FILE_TEST_EXISTS));
  const std::string low = slurp(dir.file("low/index.m3u8"));
  EXPECT_EQ(low,
            "#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:2\n"
            "#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-GAP\n#EXTINF:2.000,\nlow_00002.ts\n#EXTINF:2.000,\nlow_00003.ts\n"
            "#EXTINF:2.000,\nlow_00004.ts\n");
  const std::string source = slurp(dir.file("source/index.m3u8"));
  EXPECT_NE(source.find("#EXT-X-MEDIA-SEQUENCE:2\n"), std::string::npos) << source;  // same numbering
  EXPECT_NE(source.find("#EXT-X-TARGETDURATION:4\n"), std::string::npos) << source;  // 4 s was seen, kept
  EXPECT_EQ(source.find("GAP"), std::string::npos);
}

TEST(TsProbe, CodecsOfRealSegments) {
  TempDir dir;
  struct Case {
    const char* profile;  // x264 profile via the encoder's caps
    const char* audio;
    const char* expected;
  };
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 1;
  spec.audio_codec = "aac";
  make_media(spec, dir.file("aac.ts"));
  g_autoptr(GBytes) aac = bytes_from_file(dir.file("aac.ts"));
  const TsCodecs codecs = probe_ts_codecs(aac);
  // x264 at 320x180 picks High (0x64), no constraint flags, level 1.3 (0x0d) or so.
  EXPECT_EQ(codecs.video.rfind("avc1.6400", 0), 0u) << codecs.video;
  EXPECT_EQ(codecs.audio, "mp4a.40.2");
  EXPECT_EQ(codecs.attribute(), codecs.video + ",mp4a.40.2");

  spec.audio_codec = "mp3";
  make_media(spec, dir.file("mp3.ts"));
  g_autoptr(GBytes) mp3 = bytes_from_file(dir.file("mp3.ts"));
  EXPECT_EQ(probe_ts_codecs(mp3).audio, "mp4a.40.34");

  spec.audio_codec = "none";
  make_media(spec, dir.file("silent.ts"));
  g_autoptr(GBytes) silent = bytes_from_file(dir.file("silent.ts"));
  EXPECT_EQ(probe_ts_codecs(silent).attribute(), codecs.video);

  // HEVC (x265, Main profile): hvc1.1.6.L<level>.<constraints>, as Apple's HLS spec spells it.
  spec.audio_codec = "none";
  spec.video_codec = "h265";
  make_media(spec, dir.file("hevc.ts"));
  g_autoptr(GBytes) hevc = bytes_from_file(dir.file("hevc.ts"));
  const std::string hvc1 = probe_ts_codecs(hevc).video;
  // Main (1), compatible with Main and Main 10 (6), Main tier, level 2 (60) at 320x180, and the
  // first constraint byte with progressive_source and frame_only set (0x90).
  EXPECT_EQ(hvc1, "hvc1.1.6.L60.90");

  g_autoptr(GBytes) junk = bytes_of(std::string(1000, 'j'));
  EXPECT_EQ(probe_ts_codecs(junk).attribute(), "");
}

}  // namespace
}  // namespace lp::test
