// `lpctl transcode IN -o DIR`: a file (or MPEG-TS on stdin) in, a verified HLS ladder out,
// through the orchestrators named with --orch-addr or, without it, an embedded combined node.
#include "lpctl_transcode.h"

#include <gst/gst.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "embedded_node.h"
#include "hls_writer.h"
#include "profile.h"
#include "vod_transcoder.h"

namespace {

constexpr const char* kDefaultProfiles = "P720p30fps16x9,P576p30fps16x9,P360p30fps16x9,P240p30fps16x9";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    if (comma > at) out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(std::lround(std::max(0.0, seconds)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

// On a terminal: one line redrawn in place. Elsewhere: one plain line per segment.
void show_progress(const lp::VodProgress& p, bool tty) {
  const double speed = p.elapsed_seconds > 0 ? p.media_seconds / p.elapsed_seconds : 0;
  const std::string total = p.cutting_done ? std::to_string(p.cut) : std::to_string(p.cut) + "+";
  if (!tty) {
    std::fprintf(stderr, "%s (%lld/%s done, %.2fx real time)\n", p.event.c_str(), static_cast<long long>(p.done),
                 total.c_str(), speed);
    return;
  }
  constexpr int kWidth = 30;
  const double fraction = p.cut > 0 ? static_cast<double>(p.done) / static_cast<double>(p.cut) : 0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::string eta = "?";
  if (p.cutting_done && p.done > 0 && p.cut > p.done)
    eta = clock_text(p.elapsed_seconds / static_cast<double>(p.done) * static_cast<double>(p.cut - p.done));
  else if (p.cutting_done && p.cut == p.done)
    eta = "0:00";
  std::fprintf(stderr, "\r[%s] %lld/%s segments  %.2fx real time  ETA %s   ", bar.c_str(),
               static_cast<long long>(p.done), total.c_str(), speed, eta.c_str());
}

}  // namespace

int lpctl_transcode_main(int argc, char** argv) {
  g_autofree char* out_dir = nullptr;
  g_autofree char* profiles_spec = nullptr;
  g_autofree char* orch_addr = nullptr;
  g_autofree char* signer = nullptr;
  double segment_seconds = 2;
  int parallel = 0;
  int capacity = 0;
  gboolean no_decode_check = FALSE;
  gboolean verbose = FALSE;
  GOptionEntry entries[] = {
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "Output directory for the HLS ladder", "DIR"},
      {"orch-addr", 0, 0, G_OPTION_ARG_STRING, &orch_addr,
       "Orchestrators to use, in order: TLS, or plain HTTP when written http://HOST:PORT "
       "(default: an embedded node in this process)",
       "HOST:PORT[,...]"},
      {"profiles", 0, 0, G_OPTION_ARG_STRING, &profiles_spec,
       "Presets, JSON array or JSON file (default: 720p, 576p, 360p, 240p at 30 fps)", "SPEC"},
      {"segment-duration", 0, 0, G_OPTION_ARG_DOUBLE, &segment_seconds,
       "Target segment length in seconds; cuts follow keyframes (default 2)", "S"},
      {"parallel", 0, 0, G_OPTION_ARG_INT, &parallel, "Segments in flight (default: the orchestrators' capacity)", "N"},
      {"capacity", 0, 0, G_OPTION_ARG_INT, &capacity, "Embedded node: concurrent segments (default: one per core)",
       "N"},
      {"expect-signer", 0, 0, G_OPTION_ARG_STRING, &signer, "Refuse orchestrators not signing as this address",
       "0xADDRESS"},
      {"no-decode-check", 0, 0, G_OPTION_ARG_NONE, &no_decode_check,
       "Skip decoding renditions to check their frame and pixel counts (--orch-addr; the embedded "
       "node's are never decoded again)",
       nullptr},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Show the embedded node's log", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("IN|- -o DIR");
  g_option_context_set_summary(ctx,
                               "Transcodes IN (a media file, or MPEG-TS on standard input) into an HLS ladder in DIR.");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2 || !out_dir) {
    std::fprintf(stderr, "lpctl transcode: %s\n", err ? err->message : "expected an input (a file or -) and -o DIR");
    return 2;
  }
  if (!(segment_seconds >= 0.5 && segment_seconds <= 60)) {
    std::fprintf(stderr, "lpctl transcode: --segment-duration must be 0.5 to 60 seconds\n");
    return 2;
  }
  auto profiles = lp::parse_profiles(profiles_spec ? profiles_spec : kDefaultProfiles);
  if (!profiles) {
    std::fprintf(stderr, "lpctl transcode: --profiles: %s\n", profiles.error().message.c_str());
    return 2;
  }
  lp::VodOptions options;
  options.input = argv[1];
  options.out_dir = out_dir;
  options.profiles = *profiles;
  options.segment_seconds = segment_seconds;
  options.parallel = parallel;
  options.client.decode_check = !no_decode_check;
  if (signer) {
    auto address = lp::eth::parse_address(signer);
    if (!address) {
      std::fprintf(stderr, "lpctl transcode: --expect-signer: %s\n", address.error().message.c_str());
      return 2;
    }
    options.client.expected_signer = *address;
  }

  g_log_set_writer_func(lp::quiet_log_writer, GINT_TO_POINTER(verbose), nullptr);
  std::unique_ptr<lp::EmbeddedNode> node;
  if (orch_addr) {
    options.orchestrators = split_list(orch_addr);
  } else {
    auto started = lp::EmbeddedNode::start(capacity);
    if (!started) {
      std::fprintf(stderr, "lpctl transcode: embedded node: %s\n", started.error().message.c_str());
      return 1;
    }
    node = std::move(*started);
    options.orchestrators = {node->address()};
    options.client.expected_signer = node->signer();
    // Its renditions come from this process: decoding them again checks nothing the
    // signature and hashes do not, and costs a fifth of the run.
    options.client.decode_check = false;
    std::fprintf(stderr, "lpctl transcode: embedded node on %s (%d at a time)\n", node->address().c_str(),
                 node->capacity());
  }
  const bool tty = isatty(STDERR_FILENO);
  options.on_progress = [tty](const lp::VodProgress& p) { show_progress(p, tty); };
  auto summary = lp::transcode_to_hls(options);
  if (tty) std::fputc('\n', stderr);
  node.reset();
  if (!summary) {
    std::fprintf(stderr, "lpctl transcode: %s: %s\nlpctl transcode: no complete playlist was written to %s\n",
                 lp::error_code_name(summary.error().code), summary.error().message.c_str(), out_dir);
    return 1;
  }
  std::printf("%s: %lld segments, %.1f s of media in %.1f s (%.2fx real time)\n", summary->master_playlist.c_str(),
              static_cast<long long>(summary->segments), summary->media_seconds, summary->elapsed_seconds,
              summary->elapsed_seconds > 0 ? summary->media_seconds / summary->elapsed_seconds : 0.0);
  for (const auto& r : summary->renditions) {
    std::printf("%s  %dx%d  %lld frames  %lld bytes\n", r.playlist.c_str(), r.width, r.height,
                static_cast<long long>(r.frames), static_cast<long long>(r.bytes));
  }
  return 0;
}
