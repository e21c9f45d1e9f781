#include "fmp4_split.h"

#include <cstdio>
#include <map>

#include "av1_config.h"
#include "mp4_boxes.h"

namespace lp {
namespace {

using namespace lp::mp4;

constexpr uint32_t kTfhdBaseDataOffset = 0x000001;
constexpr uint32_t kTfhdDefaultSampleSize = 0x000010;
constexpr uint32_t kTfhdDefaultBaseIsMoof = 0x020000;
constexpr uint32_t kTrunDataOffset = 0x000001;
constexpr uint32_t kTrunFirstSampleFlags = 0x000004;
constexpr uint32_t kTrunSampleDuration = 0x000100;
constexpr uint32_t kTrunSampleSize = 0x000200;
constexpr size_t kVisualSampleEntry = 78;  // fields before a visual sample entry's boxes
constexpr size_t kAudioSampleEntry = 28;

Error malformed(const std::string& what) { return Error{ErrorCode::BadSegment, "fragmented MP4: " + what}; }

struct Track {
  uint32_t id = 0;
  uint32_t timescale = 0;
  uint32_t handler = 0;      // 'vide', 'soun'
  uint32_t entry_type = 0;   // the first sample entry's: 'vp09', 'av01', 'mp4a', ...
  std::vector<Box> to_av1c;  // moov ... av1C, for an av01 entry
  std::string codec;
  std::string stsd;  // its bytes, for the init key
};

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02X", v & 0xff);
  return buf;
}

// vp09.PP.LL.DD from a vpcC box (VP Codec ISO Media File Format Binding, 2.2).
std::string vp9_codec(Bytes data, const Box& vpcc) {
  Cursor c(data, vpcc);
  c.u32();  // version, flags
  const unsigned profile = c.u8(), level = c.u8(), depth = c.u8() >> 4;
  if (!c.ok()) return "vp09.00.10.08";
  char buf[32];
  std::snprintf(buf, sizeof buf, "vp09.%02u.%02u.%02u", profile, level, depth);
  return buf;
}

// An MPEG-4 descriptor's tag and size (ISO/IEC 14496-1 expandable size).
bool descriptor(Cursor& c, uint8_t& tag, uint32_t& size) {
  tag = c.u8();
  size = 0;
  for (int i = 0; i < 4; ++i) {
    const uint8_t b = c.u8();
    size = size << 7 | (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  return c.ok();
}

// mp4a.40.<audio object type> (or mp4a.<OTI> for MPEG audio other than AAC) from esds.
std::string aac_codec(Bytes data, const Box& esds) {
  Cursor c(data, esds);
  c.u32();  // version, flags
  uint8_t tag = 0;
  uint32_t size = 0;
  if (!descriptor(c, tag, size) || tag != 0x03) return "mp4a.40.2";
  c.u16();  // ES_ID
  const uint8_t flags = c.u8();
  if (flags & 0x80) c.u16();
  if (flags & 0x40) c.skip(c.u8());
  if (flags & 0x20) c.u16();
  if (!descriptor(c, tag, size) || tag != 0x04) return "mp4a.40.2";
  const uint8_t object_type = c.u8();
  c.skip(12);
  if (!c.ok()) return "mp4a.40.2";
  if (object_type != 0x40) return "mp4a." + hex2(object_type);
  if (!descriptor(c, tag, size) || tag != 0x05) return "mp4a.40.2";
  const uint8_t first = c.u8(), second = c.u8();
  unsigned aot = first >> 3;
  if (aot == 31) aot = 32 + ((first & 0x07) << 3 | second >> 5);
  if (!c.ok()) return "mp4a.40.2";
  return "mp4a.40." + std::to_string(aot);
}

std::optional<Track> read_track(Bytes data, const Box& moov, const Box& trak) {
  Track t;
  auto tkhd = find_path(data, trak, {fourcc("tkhd")});
  auto mdhd = find_path(data, trak, {fourcc("mdia"), fourcc("mdhd")});
  auto hdlr = find_path(data, trak, {fourcc("mdia"), fourcc("hdlr")});
  auto minf = find_path(data, trak, {fourcc("mdia"), fourcc("minf")});
  auto stbl = minf ? find_path(data, *minf, {fourcc("stbl")}) : std::nullopt;
  auto stsd = stbl ? find_path(data, *stbl, {fourcc("stsd")}) : std::nullopt;
  if (!tkhd || !mdhd || !hdlr || !stsd) return std::nullopt;
  Cursor tk(data, *tkhd);
  const bool tk_v1 = tk.u8() == 1;
  tk.skip(tk_v1 ? 3 + 16 : 3 + 8);
  t.id = tk.u32();
  Cursor md(data, *mdhd);
  const bool md_v1 = md.u8() == 1;
  md.skip(md_v1 ? 3 + 16 : 3 + 8);
  t.timescale = md.u32();
  Cursor hd(data, *hdlr);
  hd.skip(8);
  t.handler = hd.u32();
  if (!tk.ok() || !md.ok() || !hd.ok() || t.timescale == 0) return std::nullopt;
  auto entries = children(data, *stsd, 8);
  if (!entries || entries->empty()) return std::nullopt;
  const Box& entry = entries->front();
  t.entry_type = entry.type;
  t.stsd.assign(data.begin() + static_cast<std::ptrdiff_t>(stsd->offset),
                data.begin() + static_cast<std::ptrdiff_t>(stsd->end()));
  const bool visual = t.handler == fourcc("vide");
  auto config = children(data, entry, visual ? kVisualSampleEntry : kAudioSampleEntry);
  if (!config) return std::nullopt;
  const Box* box = nullptr;
  if (t.entry_type == fourcc("vp09") && (box = find_box(*config, fourcc("vpcC")))) {
    t.codec = vp9_codec(data, *box);
  } else if (t.entry_type == fourcc("av01")) {
    box = find_box(*config, fourcc("av1C"));
    if (!box) return std::nullopt;
    auto mdia = find_path(data, trak, {fourcc("mdia")});
    t.to_av1c = {moov, trak, *mdia, *minf, *stbl, *stsd, entry, *box};
  } else if (t.entry_type == fourcc("mp4a") && (box = find_box(*config, fourcc("esds")))) {
    t.codec = aac_codec(data, *box);
  } else if (t.entry_type == fourcc("avc1") && (box = find_box(*config, fourcc("avcC"))) &&
             box->size >= box->header + 4) {
    t.codec =
        "avc1." + hex2(data[box->payload() + 1]) + hex2(data[box->payload() + 2]) + hex2(data[box->payload() + 3]);
  } else {
    t.codec = t.entry_type == fourcc("Opus") ? "opus" : fourcc_name(t.entry_type);
  }
  return t;
}

// The bytes of the first sample of `track_id` in the file's first fragment that has one.
std::optional<Bytes> first_sample(Bytes data, const std::vector<Box>& top, uint32_t track_id) {
  for (const Box& moof : top) {
    if (moof.type != fourcc("moof")) continue;
    auto trafs = children(data, moof);
    if (!trafs) return std::nullopt;
    for (const Box& traf : *trafs) {
      if (traf.type != fourcc("traf")) continue;
      auto tfhd = find_path(data, traf, {fourcc("tfhd")});
      auto trun = find_path(data, traf, {fourcc("trun")});
      if (!tfhd || !trun) continue;
      Cursor h(data, *tfhd);
      const uint32_t tf_flags = h.u32() & 0xffffff;
      if (h.u32() != track_id) continue;
      uint32_t default_size = 0;
      if (tf_flags & kTfhdBaseDataOffset) h.u64();
      if (tf_flags & 0x2) h.u32();  // sample_description_index
      if (tf_flags & 0x8) h.u32();  // default_sample_duration
      if (tf_flags & kTfhdDefaultSampleSize) default_size = h.u32();
      Cursor r(data, *trun);
      const uint32_t flags = r.u32() & 0xffffff;
      if (r.u32() == 0 || !(flags & kTrunDataOffset)) continue;
      const auto offset = static_cast<int32_t>(r.u32());
      if (flags & kTrunFirstSampleFlags) r.u32();
      if (flags & kTrunSampleDuration) r.u32();
      const uint32_t size = flags & kTrunSampleSize ? r.u32() : default_size;
      const int64_t at = static_cast<int64_t>(moof.offset) + offset;
      if (!h.ok() || !r.ok() || at < 0 || size == 0 || static_cast<uint64_t>(at) + size > data.size())
        return std::nullopt;
      return data.subspan(static_cast<size_t>(at), size);
    }
  }
  return std::nullopt;
}

// Replaces the last box of `chain` (a path of nested boxes in `buf`) with `replacement` and
// grows or shrinks every box around it to match.
void splice_box(std::vector<uint8_t>& buf, const std::vector<Box>& chain, const std::vector<uint8_t>& replacement) {
  const Box& target = chain.back();
  const auto delta = static_cast<int64_t>(replacement.size()) - static_cast<int64_t>(target.size);
  buf.erase(buf.begin() + static_cast<std::ptrdiff_t>(target.offset),
            buf.begin() + static_cast<std::ptrdiff_t>(target.end()));
  buf.insert(buf.begin() + static_cast<std::ptrdiff_t>(target.offset), replacement.begin(), replacement.end());
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const Box& b = chain[i];
    if (b.header == 16)
      set_u64(buf, b.offset + 8, static_cast<uint64_t>(static_cast<int64_t>(b.size) + delta));
    else
      set_u32(buf, b.offset, static_cast<uint32_t>(static_cast<int64_t>(b.size) + delta));
  }
}

// ftyp + moov, with mvex's mehd (this one segment's duration) left out.
void write_init(Bytes data, const Box& ftyp, const Box& moov, std::vector<uint8_t>& out) {
  append(out, data, ftyp);
  const size_t moov_at = begin_box(out, fourcc("moov"));
  const auto moov_kids = children(data, moov);  // read once before: split_fmp4 checked it
  for (const Box& child : *moov_kids) {
    if (child.type != fourcc("mvex")) {
      append(out, data, child);
      continue;
    }
    const size_t mvex_at = begin_box(out, fourcc("mvex"));
    if (auto kids = children(data, child))
      for (const Box& k : *kids)
        if (k.type != fourcc("mehd")) append(out, data, k);
    end_box(out, mvex_at);
  }
  end_box(out, moov_at);
}

// The tracks of an init section written here (their boxes' offsets are into `init`).
std::optional<std::vector<Track>> init_tracks(const std::vector<uint8_t>& init) {
  auto top = read_boxes(init, 0, init.size());
  const Box* moov = top ? find_box(*top, fourcc("moov")) : nullptr;
  auto traks = moov ? children(init, *moov) : std::nullopt;
  if (!traks) return std::nullopt;
  std::vector<Track> out;
  for (const Box& trak : *traks) {
    if (trak.type != fourcc("trak")) continue;
    auto t = read_track(init, *moov, trak);
    if (!t) return std::nullopt;
    out.push_back(std::move(*t));
  }
  return out;
}

// Zeroes the duration field of a full box whose version-0 layout has it at `v0` bytes into the
// payload (after version/flags) and the version-1 layout at `v1` (64-bit).
void zero_duration(std::vector<uint8_t>& buf, const Box& box, size_t v0, size_t v1) {
  if (box.size < box.header + v1 + 8) return;
  const bool version1 = buf[box.payload()] == 1;
  if (version1)
    set_u64(buf, box.payload() + v1, 0);
  else
    set_u32(buf, box.payload() + v0, 0);
}

// An init section describes no samples: the durations mp4mux wrote (this one segment's) would
// only mislead a reader of the init alone.
void clear_durations(std::vector<uint8_t>& init) {
  auto top = read_boxes(init, 0, init.size());
  const Box* moov = top ? find_box(*top, fourcc("moov")) : nullptr;
  if (!moov) return;
  if (auto mvhd = find_path(init, *moov, {fourcc("mvhd")})) zero_duration(init, *mvhd, 16, 24);
  auto kids = children(init, *moov);
  if (!kids) return;
  for (const Box& trak : *kids) {
    if (trak.type != fourcc("trak")) continue;
    if (auto tkhd = find_path(init, trak, {fourcc("tkhd")})) zero_duration(init, *tkhd, 20, 28);
    if (auto mdhd = find_path(init, trak, {fourcc("mdia"), fourcc("mdhd")})) zero_duration(init, *mdhd, 16, 24);
  }
}

// A moof whose tfdt values are moved by each track's share of `start`; trun data offsets
// (relative to the moof) follow the moof's change of size.
Result<void> write_moof(Bytes data, const Box& moof, const std::map<uint32_t, Track>& tracks, GstClockTime start,
                        std::vector<uint8_t>& out) {
  auto kids = children(data, moof);
  if (!kids) return malformed("a moof's boxes run past it");
  const size_t moof_at = begin_box(out, fourcc("moof"));
  std::vector<size_t> data_offsets;  // where each trun's data_offset is, in `out`
  bool first_traf = true;
  for (const Box& child : *kids) {
    if (child.type != fourcc("traf")) {
      append(out, data, child);
      continue;
    }
    auto traf_kids = children(data, child);
    auto tfhd = find_path(data, child, {fourcc("tfhd")});
    if (!traf_kids || !tfhd) return malformed("a traf without a readable tfhd");
    Cursor h(data, *tfhd);
    const uint32_t tf_flags = h.u32() & 0xffffff;
    const uint32_t track_id = h.u32();
    auto track = tracks.find(track_id);
    if (!h.ok() || track == tracks.end())
      return malformed("a fragment of track " + std::to_string(track_id) + ", which moov does not declare");
    if (tf_flags & kTfhdBaseDataOffset) return malformed("absolute base data offsets (tfhd) are not supported");
    if (!first_traf && !(tf_flags & kTfhdDefaultBaseIsMoof))
      return malformed("several trafs in one moof without default-base-is-moof");
    first_traf = false;
    bool has_tfdt = false;
    const size_t traf_at = begin_box(out, fourcc("traf"));
    for (const Box& k : *traf_kids) {
      if (k.type == fourcc("tfdt")) {
        Cursor c(data, k);
        const bool v1 = c.u8() == 1;
        c.skip(3);
        const uint64_t time = v1 ? c.u64() : c.u32();
        if (!c.ok()) return malformed("a truncated tfdt");
        const uint64_t shift = gst_util_uint64_scale_round(start, track->second.timescale, GST_SECOND);
        const size_t at = begin_box(out, fourcc("tfdt"));
        put_u32(out, 0x01000000);  // version 1: 64-bit times, whatever the stream's length
        put_u64(out, time + shift);
        end_box(out, at);
        has_tfdt = true;
      } else {
        if (k.type == fourcc("trun")) {
          if (k.size < k.header + 12) return malformed("a truncated trun");
          Cursor c(data, k);
          if (c.u32() & kTrunDataOffset) data_offsets.push_back(out.size() + k.header + 8);
        }
        append(out, data, k);
      }
    }
    if (!has_tfdt) return malformed("a traf without a tfdt (no decode time to move)");
    end_box(out, traf_at);
  }
  end_box(out, moof_at);
  const auto grown = static_cast<int64_t>(out.size() - moof_at) - static_cast<int64_t>(moof.size);
  for (size_t at : data_offsets) {
    const auto old =
        static_cast<int32_t>(static_cast<uint32_t>(out[at]) << 24 | static_cast<uint32_t>(out[at + 1]) << 16 |
                             static_cast<uint32_t>(out[at + 2]) << 8 | out[at + 3]);
    set_u32(out, at, static_cast<uint32_t>(static_cast<int32_t>(old + grown)));
  }
  return {};
}

}  // namespace

bool looks_like_mp4(std::span<const uint8_t> data) {
  return data.size() >= 8 && data[4] == 'f' && data[5] == 't' && data[6] == 'y' && data[7] == 'p';
}

Result<Fmp4Segment> split_fmp4(std::span<const uint8_t> data, GstClockTime start) {
  auto top = read_boxes(data, 0, data.size());
  if (!top) return malformed("a box runs past the end of the file (truncated?)");
  const Box* ftyp = find_box(*top, fourcc("ftyp"));
  const Box* moov = find_box(*top, fourcc("moov"));
  if (!ftyp || !moov) return malformed(ftyp ? "no moov box" : "no ftyp box");
  if (!find_box(*top, fourcc("moof"))) return malformed("no movie fragments (moof): not a fragmented MP4");
  auto moov_kids = children(data, *moov);
  if (!moov_kids) return malformed("moov's boxes run past it");

  std::map<uint32_t, Track> tracks;
  std::vector<uint32_t> order;
  for (const Box& trak : *moov_kids) {
    if (trak.type != fourcc("trak")) continue;
    auto t = read_track(data, *moov, trak);
    if (!t) return malformed("a trak without readable tkhd/mdhd/hdlr/stsd");
    // Track ids are unique (ISO/IEC 14496-12 8.3.2); av1C is rewritten per id below.
    if (tracks.count(t->id)) return malformed("track " + std::to_string(t->id) + " is declared twice");
    order.push_back(t->id);
    tracks[t->id] = std::move(*t);
  }
  if (tracks.empty()) return malformed("no tracks");

  Fmp4Segment out;
  write_init(data, *ftyp, *moov, out.init);
  for (uint32_t id : order) {
    Track& t = tracks[id];
    if (t.entry_type != fourcc("av01")) continue;
    // av1C as mp4mux leaves it is empty: rebuild it from the first sample's sequence header.
    auto sample = first_sample(data, *top, id);
    auto seq = sample ? read_av1_sequence_header(*sample) : std::nullopt;
    if (!seq) return malformed("an AV1 track whose first sample has no sequence header");
    t.codec = seq->codec_string();
    // Find the av1C again in the init just written (its offsets differ from the input's).
    auto written = init_tracks(out.init);
    if (!written) return malformed("moov could not be rewritten");
    for (const Track& again : *written) {
      if (again.id != id) continue;
      std::vector<uint8_t> av1c;
      const size_t at = begin_box(av1c, fourcc("av1C"));
      const auto record = seq->config_record();
      av1c.insert(av1c.end(), record.begin(), record.end());
      end_box(av1c, at);
      splice_box(out.init, again.to_av1c, av1c);
    }
  }
  clear_durations(out.init);
  // The key: what a decoder is set up from (track ids, timescales and sample descriptions),
  // not the creation times and durations that differ from one segment's moov to the next.
  auto written = init_tracks(out.init);
  if (!written) return malformed("moov could not be rewritten");
  for (const Track& t : *written)
    out.init_key += std::to_string(t.id) + ":" + std::to_string(t.timescale) + ":" + t.stsd + ";";
  std::string video, audio;
  for (uint32_t id : order) {
    const Track& t = tracks[id];
    std::string& into = t.handler == fourcc("vide") ? video : audio;
    if (into.empty()) into = t.codec;
  }
  out.codecs = video.empty() ? audio : audio.empty() ? video : video + "," + audio;

  bool awaiting_mdat = false;  // trun offsets count from the moof: nothing may go in between
  for (const Box& box : *top) {
    if (box.type == fourcc("moof")) {
      if (auto e = write_moof(data, box, tracks, start, out.media); !e.ok()) return e.error();
      awaiting_mdat = true;
    } else if (box.type == fourcc("mdat")) {
      append(out.media, data, box);
      awaiting_mdat = false;
    } else if (awaiting_mdat) {
      return malformed("a " + fourcc_name(box.type) + " box between a moof and its mdat");
    }
    // ftyp and moov went to the init; mfra, sidx and free describe the old layout.
  }
  return out;
}

}  // namespace lp
