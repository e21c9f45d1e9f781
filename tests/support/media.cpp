// Test-support: TempDir, file helpers, pipeline runner, raw MPEG-TS parsing, TS segmenter.
#include "media.h"

#include <glib/gstdio.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace lp::test {

// ---------------------------------------------------------------------------------------------
// Files

TempDir::TempDir() {
  GError* raw = nullptr;
  detail::CharPtr dir(g_dir_make_tmp("lpgst-test-XXXXXX", &raw));
  detail::ErrorPtr err(raw);
  if (!dir) throw std::runtime_error(std::string("TempDir: ") + (err ? err->message : "g_dir_make_tmp failed"));
  path_ = dir.get();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);  // best effort; never throws from a destructor
}

std::string TempDir::file(std::string_view name) const {
  return (std::filesystem::path(path_) / std::string(name)).string();
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("read_file: cannot open " + path);
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("write_file: cannot create " + path);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("write_file: short write to " + path);
}

GBytes* bytes_from_file(const std::string& path) {
  gchar* contents = nullptr;
  gsize len = 0;
  GError* raw = nullptr;
  if (!g_file_get_contents(path.c_str(), &contents, &len, &raw)) {
    detail::ErrorPtr err(raw);
    throw std::runtime_error("bytes_from_file: " + std::string(err ? err->message : path));
  }
  return g_bytes_new_take(contents, len);
}

// ---------------------------------------------------------------------------------------------
// Pipelines

namespace detail {
namespace {

std::string error_text(GstMessage* msg) {
  GError* raw = nullptr;
  gchar* dbg = nullptr;
  gst_message_parse_error(msg, &raw, &dbg);
  ErrorPtr err(raw);
  CharPtr debug(dbg);
  std::string text;
  if (GST_MESSAGE_SRC(msg)) text += std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg))) + ": ";
  text += err ? err->message : "unknown error";
  if (debug) text += std::string(" (") + debug.get() + ")";
  return text;
}

}  // namespace

Pipeline::~Pipeline() {
  if (p_) gst_element_set_state(p_.get(), GST_STATE_NULL);
}

std::optional<std::string> Pipeline::run(double timeout_s) {
  BusPtr bus(gst_element_get_bus(p_.get()));
  if (gst_element_set_state(p_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    MessagePtr msg(gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ERROR));
    return msg ? error_text(msg.get()) : std::string("failed to set the pipeline to PLAYING");
  }
  const gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(std::max(0.0, timeout_s) * 1e6);
  for (;;) {
    const gint64 left_us = deadline - g_get_monotonic_time();
    if (left_us <= 0) return std::string("timeout");
    MessagePtr msg(gst_bus_timed_pop_filtered(bus.get(), static_cast<GstClockTime>(left_us) * GST_USECOND,
                                              static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS)));
    if (!msg) return std::string("timeout");
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS) return std::nullopt;
    return error_text(msg.get());
  }
}

GstElement* parse_pipeline(const std::string& description) {
  GError* raw = nullptr;
  GstElement* el = gst_parse_launch_full(description.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &raw);
  ErrorPtr err(raw);
  if (!el || err) {
    if (el) gst_object_unref(gst_object_ref_sink(el));
    throw std::runtime_error("cannot build pipeline: " + std::string(err ? err->message : "unknown error") + " [" +
                             description + "]");
  }
  if (GST_IS_PIPELINE(el)) return el;
  GstElement* pipeline = gst_pipeline_new(nullptr);
  gst_bin_add(GST_BIN(pipeline), el);
  return pipeline;
}

}  // namespace detail

std::optional<std::string> run_launch(const std::string& description, double timeout_s) {
  GstElement* raw = nullptr;
  try {
    raw = detail::parse_pipeline(description);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  detail::Pipeline pipeline(raw);
  return pipeline.run(timeout_s);
}

// ---------------------------------------------------------------------------------------------
// Raw MPEG-TS parsing

namespace {

constexpr size_t kTsPacket = 188;

struct TsProgram {
  int pmt_pid = -1;
  int video_pid = -1;
  int video_stream_type = 0;
};

int ts_pid(const uint8_t* p) { return ((p[1] & 0x1F) << 8) | p[2]; }
bool ts_pusi(const uint8_t* p) { return (p[1] & 0x40) != 0; }
bool ts_has_af(const uint8_t* p) { return (p[3] & 0x20) != 0; }
bool ts_has_payload(const uint8_t* p) { return (p[3] & 0x10) != 0; }
bool ts_rai(const uint8_t* p) { return ts_has_af(p) && p[4] > 0 && (p[5] & 0x40) != 0; }

// Payload [begin, end) of a packet; empty when none or malformed.
std::pair<const uint8_t*, const uint8_t*> ts_payload(const uint8_t* p) {
  if (!ts_has_payload(p)) return {p, p};
  size_t off = 4;
  if (ts_has_af(p)) off += 1 + size_t{p[4]};
  if (off >= kTsPacket) return {p, p};
  return {p + off, p + kTsPacket};
}

bool looks_like_ts(const std::vector<uint8_t>& ts) {
  if (ts.size() < kTsPacket) return false;
  for (size_t i = 0; i < std::min<size_t>(ts.size() / kTsPacket, 8); ++i)
    if (ts[i * kTsPacket] != 0x47) return false;
  return true;
}

bool is_video_stream_type(int t) {
  switch (t) {
    case 0x01:
    case 0x02:
    case 0x10:
    case 0x1B:
    case 0x24:
    case 0x42:
    case 0xEA: return true;
    default: return false;
  }
}

// Section start of a PSI packet with payload_unit_start, or nullptr.
const uint8_t* psi_section(const uint8_t* p, size_t* avail) {
  auto [b, e] = ts_payload(p);
  if (b == e || !ts_pusi(p)) return nullptr;
  const size_t pointer = b[0];
  if (1 + pointer + 3 > static_cast<size_t>(e - b)) return nullptr;
  *avail = static_cast<size_t>(e - b) - 1 - pointer;
  return b + 1 + pointer;
}

TsProgram find_program(const std::vector<uint8_t>& ts) {
  TsProgram prog;
  const size_t n = ts.size() / kTsPacket;
  for (size_t i = 0; i < n && prog.video_pid < 0; ++i) {
    const uint8_t* p = &ts[i * kTsPacket];
    if (p[0] != 0x47) continue;
    const int pid = ts_pid(p);
    size_t avail = 0;
    if (pid == 0 && prog.pmt_pid < 0) {
      const uint8_t* s = psi_section(p, &avail);
      if (!s || s[0] != 0x00) continue;
      const size_t len = std::min<size_t>(((s[1] & 0x0F) << 8) | s[2], avail - 3);
      if (len < 9) continue;
      for (size_t o = 8; o + 4 <= 3 + len - 4; o += 4) {
        const int program = (s[o] << 8) | s[o + 1];
        if (program != 0) {
          prog.pmt_pid = ((s[o + 2] & 0x1F) << 8) | s[o + 3];
          break;
        }
      }
    } else if (pid == prog.pmt_pid) {
      const uint8_t* s = psi_section(p, &avail);
      if (!s || s[0] != 0x02 || avail < 16) continue;
      const size_t end = std::min<size_t>(3 + (((s[1] & 0x0F) << 8) | s[2]), avail) - 4;
      if (end < 12) continue;
      size_t o = 12 + (((s[10] & 0x0F) << 8) | s[11]);
      while (o + 5 <= end) {
        const int type = s[o];
        const int es_pid = ((s[o + 1] & 0x1F) << 8) | s[o + 2];
        if (is_video_stream_type(type)) {
          prog.video_pid = es_pid;
          prog.video_stream_type = type;
          break;
        }
        o += 5 + (((s[o + 3] & 0x0F) << 8) | s[o + 4]);
      }
    }
  }
  return prog;
}

struct VideoPes {
  size_t packet = 0;  // index of the packet that starts the PES
  int64_t pts = -1;
  bool rai = false;
};

std::vector<VideoPes> scan_video_pes(const std::vector<uint8_t>& ts, const TsProgram& prog) {
  std::vector<VideoPes> out;
  if (prog.video_pid < 0) return out;
  const size_t n = ts.size() / kTsPacket;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &ts[i * kTsPacket];
    if (p[0] != 0x47 || ts_pid(p) != prog.video_pid || !ts_pusi(p)) continue;
    VideoPes pes;
    pes.packet = i;
    pes.rai = ts_rai(p);
    auto [b, e] = ts_payload(p);
    if (e - b >= 14 && b[0] == 0 && b[1] == 0 && b[2] == 1 && (b[7] & 0x80)) {
      const uint8_t* t = b + 9;
      pes.pts = (int64_t{(t[0] >> 1) & 0x07} << 30) | (int64_t{t[1]} << 22) | (int64_t{t[2] >> 1} << 15) |
                (int64_t{t[3]} << 7) | int64_t{t[4] >> 1};
    }
    out.push_back(pes);
  }
  return out;
}

}  // namespace

bool shift_video_pes_time(uint8_t* ts, size_t size, int which) {
  constexpr uint64_t kHour = 90000ull * 3600, kWrap = 1ull << 33;
  int n = -1;
  for (size_t i = 0; i + 188 <= size; i += 188) {
    uint8_t* p = &ts[i];
    if (p[0] != 0x47 || !(p[1] & 0x40)) continue;
    size_t off = 4;
    if (p[3] & 0x20) off += 1 + size_t{p[4]};
    if (off + 19 > 188 || p[off] != 0 || p[off + 1] != 0 || p[off + 2] != 1 || (p[off + 3] & 0xF0) != 0xE0) continue;
    if (++n != which) continue;
    auto shift = [&](uint8_t* t) {
      uint64_t v = (uint64_t((t[0] >> 1) & 7) << 30) | (uint64_t(t[1]) << 22) | (uint64_t(t[2] >> 1) << 15) |
                   (uint64_t(t[3]) << 7) | uint64_t(t[4] >> 1);
      v = (v + kHour) % kWrap;
      t[0] = uint8_t((t[0] & 0xF0) | (((v >> 30) & 7) << 1) | 1);
      t[1] = uint8_t(v >> 22);
      t[2] = uint8_t((((v >> 15) & 0x7F) << 1) | 1);
      t[3] = uint8_t(v >> 7);
      t[4] = uint8_t(((v & 0x7F) << 1) | 1);
    };
    const uint8_t flags = p[off + 7];
    if (flags & 0x80) shift(p + off + 9);
    if (flags & 0x40) shift(p + off + 14);
    return (flags & 0x80) != 0;
  }
  return false;
}

std::optional<int64_t> ts_first_video_pts(const std::vector<uint8_t>& ts) {
  if (!looks_like_ts(ts)) return std::nullopt;
  const auto pes = scan_video_pes(ts, find_program(ts));
  for (const auto& p : pes)
    if (p.rai && p.pts >= 0) return p.pts;
  for (const auto& p : pes)
    if (p.pts >= 0) return p.pts;
  return std::nullopt;
}

std::vector<int64_t> ts_video_pts_list(const std::vector<uint8_t>& ts) {
  std::vector<int64_t> out;
  if (!looks_like_ts(ts)) return out;
  for (const auto& p : scan_video_pes(ts, find_program(ts)))
    if (p.pts >= 0) out.push_back(p.pts);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Segmenter

std::vector<std::string> make_ts_segments(const MediaSpec& spec, double segment_seconds, const TempDir& dir,
                                          std::string_view prefix) {
  if (spec.container != "mpegts") throw std::runtime_error("make_ts_segments: container must be mpegts");
  if (spec.video_codec == "none") throw std::runtime_error("make_ts_segments: needs a video stream");
  if (!(segment_seconds > 0)) throw std::runtime_error("make_ts_segments: segment_seconds must be > 0");

  std::vector<uint8_t> ts;
  {
    TempDir work;
    const std::string full = work.file("full.ts");
    make_media(spec, full);
    ts = read_file(full);
  }
  if (!looks_like_ts(ts) || ts.size() % kTsPacket != 0)
    throw std::runtime_error("make_ts_segments: encoder output is not 188-byte MPEG-TS");

  const TsProgram prog = find_program(ts);
  if (prog.pmt_pid < 0 || prog.video_pid < 0) throw std::runtime_error("make_ts_segments: no PAT/PMT/video PID");
  const auto pes = scan_video_pes(ts, prog);
  const auto first_key = std::find_if(pes.begin(), pes.end(), [](const VideoPes& p) { return p.rai && p.pts >= 0; });
  if (first_key == pes.end()) throw std::runtime_error("make_ts_segments: no keyframe with random_access_indicator");

  const size_t npackets = ts.size() / kTsPacket;
  auto pid_at = [&](size_t i) { return ts_pid(&ts[i * kTsPacket]); };
  std::array<uint8_t, kTsPacket> pat{}, pmt{};
  bool have_pat = false, have_pmt = false;
  for (size_t i = 0; i < npackets && !(have_pat && have_pmt); ++i) {
    const uint8_t* p = &ts[i * kTsPacket];
    if (!have_pat && pid_at(i) == 0 && ts_pusi(p)) {
      std::copy_n(p, kTsPacket, pat.begin());
      have_pat = true;
    }
    if (!have_pmt && pid_at(i) == prog.pmt_pid && ts_pusi(p)) {
      std::copy_n(p, kTsPacket, pmt.begin());
      have_pmt = true;
    }
  }

  // Cut points: the packet starting the first keyframe PES at or after each boundary, moved back over
  // any PSI packets the muxer wrote just before it.
  const int64_t origin = first_key->pts;
  const int64_t seg_ticks = static_cast<int64_t>(segment_seconds * 90000.0 + 0.5);
  std::vector<size_t> cuts{0};
  for (int64_t k = 1;; ++k) {
    const int64_t boundary = origin + k * seg_ticks - 90;  // 1 ms tolerance for rounded frame times
    const auto it = std::find_if(pes.begin(), pes.end(), [&](const VideoPes& p) {
      return p.rai && p.pts >= boundary && p.packet > cuts.back();
    });
    if (it == pes.end()) break;
    size_t cut = it->packet;
    while (cut > cuts.back() + 1 && (pid_at(cut - 1) == 0 || pid_at(cut - 1) == prog.pmt_pid)) --cut;
    if (cut > cuts.back()) cuts.push_back(cut);
    k = std::max(k, (it->pts - origin) / seg_ticks);  // skip boundaries the keyframe already covers
  }
  cuts.push_back(npackets);

  // Assemble, making every segment start with PAT + PMT, then renumber the PSI continuity counters
  // so the concatenation of all segments is continuous too.
  std::vector<std::vector<uint8_t>> segs;
  std::array<int, 2> cc{0, 0};
  for (size_t s = 0; s + 1 < cuts.size(); ++s) {
    std::vector<uint8_t> out;
    const size_t b = cuts[s], e = cuts[s + 1];
    const bool starts_with_psi = pid_at(b) == 0 && b + 1 < e && pid_at(b + 1) == prog.pmt_pid;
    if (!starts_with_psi) {
      out.insert(out.end(), pat.begin(), pat.end());
      out.insert(out.end(), pmt.begin(), pmt.end());
    }
    out.insert(out.end(), ts.begin() + static_cast<std::ptrdiff_t>(b * kTsPacket),
               ts.begin() + static_cast<std::ptrdiff_t>(e * kTsPacket));
    for (size_t o = 0; o < out.size(); o += kTsPacket) {
      uint8_t* p = &out[o];
      const int pid = ts_pid(p);
      if ((pid == 0 || pid == prog.pmt_pid) && ts_has_payload(p)) {
        int& c = cc[pid == 0 ? 0 : 1];
        p[3] = static_cast<uint8_t>((p[3] & 0xF0) | (c & 0x0F));
        c = (c + 1) & 0x0F;
      }
    }
    segs.push_back(std::move(out));
  }

  std::vector<std::string> paths;
  for (size_t s = 0; s < segs.size(); ++s) {
    char name[64];
    g_snprintf(name, sizeof name, "%.*s%03zu.ts", static_cast<int>(std::min<size_t>(prefix.size(), 40)), prefix.data(),
               s);
    paths.push_back(dir.file(name));
    write_file(paths.back(), segs[s]);
  }
  return paths;
}

}  // namespace lp::test
