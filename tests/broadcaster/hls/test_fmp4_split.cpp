// fMP4 HLS: real VP9 and AV1 renditions (as an orchestrator returns them) split into an init
// section and media segments whose decode times continue; AV1's empty av1C rebuilt and checked
// against ffprobe's reading of the same stream; malformed files refused with the reason; the
// HLS writer's playlists for fMP4 renditions.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>

#include "adapter_registry.h"
#include "av1_config.h"
#include "fmp4_split.h"
#include "hls_writer.h"
#include "media.h"
#include "mp4_boxes.h"
#include "profile.h"
#include "transcode.h"

namespace lp::test {
namespace {

using namespace lp::mp4;

std::span<const uint8_t> span_of(GBytes* b) {
  gsize n = 0;
  const auto* p = static_cast<const uint8_t*>(g_bytes_get_data(b, &n));
  return {p, n};
}

// (track id, tfdt) of every traf, in file order.
std::vector<std::pair<uint32_t, uint64_t>> decode_times(std::span<const uint8_t> data) {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  auto top = read_boxes(data, 0, data.size());
  if (!top) return out;
  for (const Box& moof : *top) {
    if (moof.type != fourcc("moof")) continue;
    const auto trafs = children(data, moof);
    for (const Box& traf : *trafs) {
      if (traf.type != fourcc("traf")) continue;
      auto tfhd = find_path(data, traf, {fourcc("tfhd")});
      auto tfdt = find_path(data, traf, {fourcc("tfdt")});
      if (!tfhd || !tfdt) continue;
      Cursor h(data, *tfhd);
      h.u32();
      Cursor t(data, *tfdt);
      const bool v1 = t.u8() == 1;
      t.skip(3);
      out.emplace_back(h.u32(), v1 ? t.u64() : t.u32());
    }
  }
  return out;
}

std::map<uint32_t, uint32_t> timescales(std::span<const uint8_t> data) {
  std::map<uint32_t, uint32_t> out;
  auto top = read_boxes(data, 0, data.size());
  const Box* moov = find_box(*top, fourcc("moov"));
  const auto traks = children(data, *moov);
  for (const Box& trak : *traks) {
    if (trak.type != fourcc("trak")) continue;
    Cursor tk(data, *find_path(data, trak, {fourcc("tkhd")}));
    tk.skip(tk.u8() == 1 ? 3 + 16 : 3 + 8);
    Cursor md(data, *find_path(data, trak, {fourcc("mdia"), fourcc("mdhd")}));
    md.skip(md.u8() == 1 ? 3 + 16 : 3 + 8);
    out[tk.u32()] = md.u32();
  }
  return out;
}

std::vector<uint8_t> box_payload(std::span<const uint8_t> data, std::initializer_list<uint32_t> path_in_moov,
                                 uint32_t sample_entry, uint32_t config) {
  auto top = read_boxes(data, 0, data.size());
  const Box* moov = find_box(*top, fourcc("moov"));
  const auto traks = children(data, *moov);
  for (const Box& trak : *traks) {
    if (trak.type != fourcc("trak")) continue;
    auto stsd = find_path(data, trak, path_in_moov);
    if (!stsd) continue;
    auto entries = children(data, *stsd, 8);
    if (!entries || entries->empty() || entries->front().type != sample_entry) continue;
    auto boxes = children(data, entries->front(), 78);
    const Box* box = boxes ? find_box(*boxes, config) : nullptr;
    if (box)
      return {data.begin() + static_cast<std::ptrdiff_t>(box->payload()),
              data.begin() + static_cast<std::ptrdiff_t>(box->end())};
  }
  return {};
}

const std::initializer_list<uint32_t> kToStsd = {fourcc("mdia"), fourcc("minf"), fourcc("stbl"), fourcc("stsd")};

struct Encoded {
  std::vector<BytesPtr> segments;  // one rendition per source segment, in order
};

// `count` consecutive 2 s source segments (640x360, AAC) transcoded to one `codec` rendition.
Encoded encode(const TempDir& dir, const std::string& codec, int width, int height, int count = 1) {
  Encoded out;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.seconds = 2.0 * count;
  spec.audio_codec = "aac";
  spec.pattern = "ball";
  auto files = make_ts_segments(spec, 2.0, dir, "src");
  auto profiles =
      parse_profiles("[{\"name\":\"r\",\"width\":" + std::to_string(width) + ",\"height\":" + std::to_string(height) +
                     ",\"bitrate\":300000,\"fps\":30,\"encoder\":\"" + codec + "\"}]");
  EXPECT_TRUE(profiles.ok());
  for (const auto& f : files) {
    g_autoptr(GBytes) input = bytes_from_file(f);
    TranscodeOptions options;
    options.timeout = std::chrono::seconds(120);
    auto r = transcode_segment(input, *profiles, options);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return out;
    out.segments.push_back(std::move(r->front().bytes));
  }
  return out;
}

#define CODEC_OR_SKIP(codec) \
  if (!find_codec_adapter("auto", VideoCodec::codec)) GTEST_SKIP() << "no " #codec " encoder in this GStreamer"

TEST(Fmp4Split, Vp9WithAudioSplitsAndItsDecodeTimesMoveToTheSegmentStart) {
  CODEC_OR_SKIP(VP9);
  TempDir dir;
  Encoded e = encode(dir, "VP9", 320, 180);
  ASSERT_EQ(e.segments.size(), 1u);
  const auto whole = span_of(e.segments[0].get());
  ASSERT_TRUE(looks_like_mp4(whole));
  const GstClockTime start = 7500 * GST_MSECOND;
  auto split = split_fmp4(whole, start);
  ASSERT_TRUE(split.ok()) << split.error().message;

  auto init_top = read_boxes(split->init, 0, split->init.size());
  ASSERT_TRUE(init_top);
  ASSERT_EQ(init_top->size(), 2u);
  EXPECT_EQ((*init_top)[0].type, fourcc("ftyp"));
  EXPECT_EQ((*init_top)[1].type, fourcc("moov"));
  auto media_top = read_boxes(split->media, 0, split->media.size());
  ASSERT_TRUE(media_top);
  for (const Box& b : *media_top)
    EXPECT_TRUE(b.type == fourcc("moof") || b.type == fourcc("mdat")) << fourcc_name(b.type);

  // Every fragment of every track moved by the start, in that track's timescale.
  const auto scales = timescales(whole);
  ASSERT_EQ(scales.size(), 2u);  // video and audio
  const auto before = decode_times(whole);
  const auto after = decode_times(split->media);
  ASSERT_EQ(before.size(), after.size());
  ASSERT_GT(before.size(), 2u);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].first, before[i].first);
    EXPECT_EQ(after[i].second,
              before[i].second + gst_util_uint64_scale_round(start, scales.at(before[i].first), GST_SECOND));
  }
  EXPECT_TRUE(std::regex_match(split->codecs, std::regex(R"(vp09\.00\.\d\d\.08,mp4a\.40\.2)"))) << split->codecs;

  // init + media is a playable file again: same frames, starting at the new place.
  const MediaInfo original = inspect_media_bytes(e.segments[0].get());
  std::vector<uint8_t> joined = split->init;
  joined.insert(joined.end(), split->media.begin(), split->media.end());
  write_file(dir.file("joined.mp4"), joined);
  const MediaInfo info = inspect_media(dir.file("joined.mp4"));
  EXPECT_EQ(info.video_caps_name, "video/x-vp9");
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.decoded_frames, original.decoded_frames);
  EXPECT_EQ(info.decoded_frames, 60);
  EXPECT_TRUE(info.has_audio);
  ASSERT_TRUE(GST_CLOCK_TIME_IS_VALID(info.first_pts));
  EXPECT_NEAR(static_cast<double>(info.first_pts) / GST_SECOND,
              7.5 + static_cast<double>(original.first_pts) / GST_SECOND, 0.001);
}

TEST(Fmp4Split, ConsecutiveSegmentsShareTheirInitAndContinueInTime) {
  CODEC_OR_SKIP(VP9);
  TempDir dir;
  Encoded e = encode(dir, "VP9", 256, 144, 2);
  ASSERT_EQ(e.segments.size(), 2u);
  auto a = split_fmp4(span_of(e.segments[0].get()), 0);
  auto b = split_fmp4(span_of(e.segments[1].get()), 2 * GST_SECOND);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->init_key, b->init_key);  // creation times differ; sample descriptions do not
  EXPECT_NE(a->media, b->media);
  // init + both media parts play as one stream of 4 s.
  std::vector<uint8_t> joined = a->init;
  joined.insert(joined.end(), a->media.begin(), a->media.end());
  joined.insert(joined.end(), b->media.begin(), b->media.end());
  write_file(dir.file("joined.mp4"), joined);
  const MediaInfo info = inspect_media(dir.file("joined.mp4"));
  EXPECT_EQ(info.decoded_frames, 120);
  ASSERT_EQ(info.pts.size(), 120u);
  for (size_t i = 1; i < info.pts.size(); ++i)  // 30 fps throughout, no jump at the join
    EXPECT_NEAR(static_cast<double>(info.pts[i] - info.pts[i - 1]) / GST_MSECOND, 33.3, 1.0) << "frame " << i;
}

TEST(Fmp4Split, Av1ConfigRecordIsRebuiltFromTheSequenceHeader) {
  CODEC_OR_SKIP(AV1);
  TempDir dir;
  Encoded e = encode(dir, "AV1", 640, 360);
  ASSERT_EQ(e.segments.size(), 1u);
  auto split = split_fmp4(span_of(e.segments[0].get()), GST_SECOND);
  ASSERT_TRUE(split.ok()) << split.error().message;
  const auto av1c = box_payload(split->init, kToStsd, fourcc("av01"), fourcc("av1C"));
  ASSERT_GT(av1c.size(), 6u);
  EXPECT_EQ(av1c[0], 0x81);             // marker + version 1
  EXPECT_EQ((av1c[4] >> 3) & 0x0f, 1);  // configOBUs start with the sequence header OBU
  auto seq = read_av1_sequence_header(std::span<const uint8_t>(av1c).subspan(4));
  ASSERT_TRUE(seq);
  EXPECT_EQ(av1c[1], seq->profile << 5 | seq->level);
  EXPECT_EQ(seq->bit_depth, 8);
  EXPECT_EQ(seq->subsampling_x, 1);  // lprendition encodes I420
  EXPECT_EQ(seq->subsampling_y, 1);
  EXPECT_EQ(split->codecs, seq->codec_string() + ",mp4a.40.2");
  char expected[32];
  std::snprintf(expected, sizeof expected, "av01.0.%02dM.08", seq->level);
  EXPECT_EQ(seq->codec_string(), expected);

  // ffprobe reads the same profile and level from the stream.
  std::vector<uint8_t> joined = split->init;
  joined.insert(joined.end(), split->media.begin(), split->media.end());
  write_file(dir.file("joined.mp4"), joined);
  g_autofree char* out = nullptr;
  int status = 0;
  const std::string cmd =
      "ffprobe -v error -select_streams v -show_entries stream=profile,level -of csv=p=0 " + dir.file("joined.mp4");
  if (!g_spawn_command_line_sync(cmd.c_str(), &out, nullptr, &status, nullptr) || status != 0)
    GTEST_FAIL() << "ffprobe must be installed (.ci/install-deps): " << cmd;
  EXPECT_EQ(std::string(out),
            std::string(seq->profile == 0 ? "Main" : "High") + "," + std::to_string(seq->level) + "\n");
  const MediaInfo info = inspect_media(dir.file("joined.mp4"));
  EXPECT_EQ(info.video_caps_name, "video/x-av1");
  EXPECT_EQ(info.decoded_frames, 60);
}

TEST(Fmp4Split, MalformedFilesAreRefusedWithTheReason) {
  CODEC_OR_SKIP(VP9);
  TempDir dir;
  Encoded e = encode(dir, "VP9", 256, 144);
  ASSERT_EQ(e.segments.size(), 1u);
  const auto whole = span_of(e.segments[0].get());
  auto expect_error = [](std::span<const uint8_t> data, const std::string& words) {
    auto r = split_fmp4(data, 0);
    ASSERT_FALSE(r.ok()) << words;
    EXPECT_EQ(r.error().code, ErrorCode::BadSegment);
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
  };
  expect_error(whole.first(whole.size() - 100), "truncated");
  expect_error(whole.first(40), "truncated");  // ftyp, then a moov header whose box is cut
  expect_error(whole.first(read_boxes(whole, 0, whole.size())->front().size), "no moov");  // ftyp alone
  expect_error({}, "no ftyp");
  // MPEG-TS bytes are not an MP4.
  const auto ts = read_file(dir.file("src000.ts"));
  EXPECT_FALSE(looks_like_mp4(ts));
  expect_error(ts, "fragmented MP4");
  // A plain (not fragmented) MP4.
  ASSERT_FALSE(
      run_launch("videotestsrc num-buffers=10 ! video/x-raw,width=64,height=64 ! vp9enc ! mp4mux ! filesink location=" +
                 dir.file("plain.mp4")));
  expect_error(read_file(dir.file("plain.mp4")), "no movie fragments");
  // A box between a moof and its mdat would break the trun data offsets once dropped.
  {
    std::vector<uint8_t> spaced(whole.begin(), whole.end());
    auto boxes = read_boxes(spaced, 0, spaced.size());
    const Box* first_moof = find_box(*boxes, fourcc("moof"));
    const uint8_t free_box[] = {0, 0, 0, 8, 'f', 'r', 'e', 'e'};
    spaced.insert(spaced.begin() + static_cast<std::ptrdiff_t>(first_moof->end()), std::begin(free_box),
                  std::end(free_box));
    expect_error(spaced, "a free box between a moof and its mdat");
  }
  // A trun cut short after its sample count: its data offset is not there to adjust.
  {
    std::vector<uint8_t> cut(whole.begin(), whole.end());
    auto boxes = read_boxes(cut, 0, cut.size());
    const Box moof = *find_box(*boxes, fourcc("moof"));
    const Box traf = *find_path(cut, moof, {fourcc("traf")});
    const Box trun = *find_path(cut, traf, {fourcc("trun")});
    ASSERT_EQ(trun.end(), traf.end());  // mp4mux: tfhd, tfdt, trun; one traf per moof
    ASSERT_EQ(traf.end(), moof.end());
    const size_t keep = 16;  // header, version/flags, sample_count
    const auto removed = static_cast<uint32_t>(trun.size - keep);
    cut.erase(cut.begin() + static_cast<std::ptrdiff_t>(trun.offset + keep),
              cut.begin() + static_cast<std::ptrdiff_t>(trun.end()));
    set_u32(cut, trun.offset, static_cast<uint32_t>(keep));
    set_u32(cut, traf.offset, static_cast<uint32_t>(traf.size) - removed);
    set_u32(cut, moof.offset, static_cast<uint32_t>(moof.size) - removed);
    expect_error(cut, "a truncated trun");
  }
  // A fragment of a track the moov does not declare.
  std::vector<uint8_t> bad(whole.begin(), whole.end());
  auto top = read_boxes(bad, 0, bad.size());
  const Box* moof = find_box(*top, fourcc("moof"));
  auto tfhd = find_path(bad, *moof, {fourcc("traf"), fourcc("tfhd")});
  set_u32(bad, tfhd->payload() + 4, 77);
  expect_error(bad, "track 77");
}

// Found writing tests/fuzz (fuzz_fmp4_split, on a crafted input): an AV1 track declared twice. av1C was rewritten once
// per trak of the id, the second time at offsets the first rewrite had moved: with a first av1C
// larger than the rebuilt one, the second splice erased past the end of the init (a crash).
TEST(Fmp4Split, ATrackDeclaredTwiceIsRefused) {
  CODEC_OR_SKIP(AV1);
  TempDir dir;
  Encoded e = encode(dir, "AV1", 256, 144);
  ASSERT_EQ(e.segments.size(), 1u);
  const auto whole = span_of(e.segments[0].get());
  auto top = read_boxes(whole, 0, whole.size());
  const Box moov = *find_box(*top, fourcc("moov"));
  auto moov_kids = children(whole, moov);
  const Box trak = *find_box(*moov_kids, fourcc("trak"));
  // The video trak with 300 bytes of padding in its av1C (every box around it grown to match).
  const Box stsd = *find_path(whole, trak, kToStsd);
  const Box entry = children(whole, stsd, 8)->front();
  ASSERT_EQ(entry.type, fourcc("av01"));
  const Box av1c = *find_box(*children(whole, entry, 78), fourcc("av1C"));
  std::vector<uint8_t> big(whole.begin() + static_cast<std::ptrdiff_t>(trak.offset),
                           whole.begin() + static_cast<std::ptrdiff_t>(trak.end()));
  const uint32_t pad = 300;
  big.insert(big.begin() + static_cast<std::ptrdiff_t>(av1c.end() - trak.offset), pad, 0);
  const Box mdia = *find_path(whole, trak, {fourcc("mdia")});
  const Box minf = *find_path(whole, mdia, {fourcc("minf")});
  const Box stbl = *find_path(whole, minf, {fourcc("stbl")});
  for (const Box& b : {trak, mdia, minf, stbl, stsd, entry, av1c})
    set_u32(big, b.offset - trak.offset, static_cast<uint32_t>(b.size) + pad);
  // moov: the padded trak, then the original (same track id), then the rest.
  std::vector<uint8_t> twice(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(moov.offset));
  const size_t moov_at = begin_box(twice, fourcc("moov"));
  for (const Box& kid : *moov_kids) {
    if (kid.offset == trak.offset) twice.insert(twice.end(), big.begin(), big.end());
    append(twice, whole, kid);
  }
  end_box(twice, moov_at);
  twice.insert(twice.end(), whole.begin() + static_cast<std::ptrdiff_t>(moov.end()), whole.end());
  auto r = split_fmp4(twice, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::BadSegment);
  EXPECT_NE(r.error().message.find("declared twice"), std::string::npos) << r.error().message;
}

TEST(Fmp4Split, HlsWriterNamesTheInitSectionAndFmp4Segments) {
  CODEC_OR_SKIP(VP9);
  TempDir dir;
  Encoded e = encode(dir, "VP9", 256, 144, 2);
  ASSERT_EQ(e.segments.size(), 2u);
  HlsWriter writer(dir.file("hls"), {"vp9 low"});
  ASSERT_TRUE(
      writer.add_segment(0, 0, e.segments[0].get(), 2.0, HlsVariant{"vp9 low", 256, 144, 30, "ignored"}, 0).ok());
  ASSERT_TRUE(writer.add_segment(0, 1, e.segments[1].get(), 2.0, std::nullopt, 2 * GST_SECOND).ok());
  auto no_start = writer.add_segment(0, 2, e.segments[1].get(), 2.0);
  ASSERT_FALSE(no_start.ok());
  EXPECT_NE(no_start.error().message.find("start time"), std::string::npos) << no_start.error().message;
  ASSERT_TRUE(writer.finish_vod(2).ok());
  std::ifstream in(dir.file("hls/vp9_low/index.m3u8"));
  const std::string media((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(media,
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"vp9_low_init0.mp4\"\n"
            "#EXTINF:2.000,\nvp9_low_00000.m4s\n#EXTINF:2.000,\nvp9_low_00001.m4s\n#EXT-X-ENDLIST\n");
  EXPECT_TRUE(g_file_test(dir.file("hls/vp9_low/vp9_low_init0.mp4").c_str(), G_FILE_TEST_EXISTS));
  EXPECT_FALSE(g_file_test(dir.file("hls/vp9_low/vp9_low_init1.mp4").c_str(), G_FILE_TEST_EXISTS));
  std::ifstream m(dir.file("hls/index.m3u8"));
  const std::string master((std::istreambuf_iterator<char>(m)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(std::regex_search(master, std::regex(R"(CODECS="vp09\.00\.\d\d\.08,mp4a\.40\.2")"))) << master;
  // VP8 comes in WebM, which HLS does not carry.
  auto vp8 = parse_profiles(R"([{"name":"v8","width":320,"height":180,"bitrate":300000,"encoder":"VP8"}])");
  ASSERT_TRUE(vp8.ok());
  auto refused = check_hls_codecs(*vp8);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("profile v8: HLS cannot carry VP8"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace lp::test
