// lpctl: lpgst's one-shot client. `sample` makes a test video (sample_media.cpp), `transcode`
// turns a file into an HLS ladder (lpctl_transcode.cpp), `bench` loads a node like live streams
// (lpctl_bench.cpp), `key` manages the node's Ethereum identity (lpctl_key.cpp).
#include <gst/gst.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "lp_register.h"
#include "lpctl_bench.h"
#include "lpctl_chain.h"
#include "lpctl_key.h"
#include "lpctl_status.h"
#include "lpctl_transcode.h"
#include "profile.h"
#include "sample_media.h"
#include "transcode.h"

namespace {

int usage(FILE* out) {
  std::fprintf(out,
               "usage: lpctl sample OUT.ts [--seconds N] [--size WxH]\n"
               "       lpctl transcode IN|- -o DIR [--orch-addr HOST:PORT[,...]] [--profiles PRESETS|JSON|FILE]\n"
               "                       [--segment-duration S]  (lpctl transcode --help)\n"
               "       lpctl bench [--orch-addr HOST:PORT] [--in FILE] [--streams N|auto] [--duration S]\n"
               "                   [--profiles SPEC] [--json FILE] [--plot FILE.svg]  (lpctl bench --help)\n"
               "       lpctl status [--cli-addr HOST:PORT] [--json]\n"
               "       lpctl key new|list|show|sign-message|verify-message ...  (lpctl key help)\n"
               "       lpctl chain status|activate|reward|withdraw-fees ...  (lpctl chain help)\n");
  return out == stderr ? 2 : 0;
}

// A 1080p30 H.264 + AAC MPEG-TS with moving content, made by GStreamer itself.
int cmd_sample(int argc, char** argv) {
  g_autofree char* size = nullptr;
  int seconds = 10;
  GOptionEntry entries[] = {{"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Duration (default 10)", "N"},
                            {"size", 0, 0, G_OPTION_ARG_STRING, &size, "Frame size (default 1920x1080)", "WxH"},
                            {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("OUT.ts");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
    std::fprintf(stderr, "lpctl sample: %s\n", err ? err->message : "expected one output path");
    return 2;
  }
  int width = 1920, height = 1080;
  if (size && std::sscanf(size, "%dx%d", &width, &height) != 2) {
    std::fprintf(stderr, "lpctl sample: --size must look like 1920x1080\n");
    return 2;
  }
  g_autofree char* parent = g_path_get_dirname(argv[1]);
  if (g_mkdir_with_parents(parent, 0755) != 0) {
    std::fprintf(stderr, "lpctl sample: cannot create %s: %s\n", parent, g_strerror(errno));
    return 1;
  }
  if (auto made = lp::make_sample(argv[1], width, height, seconds); !made.ok()) {
    std::fprintf(stderr, "lpctl sample: %s\n", made.error().message.c_str());
    return 1;
  }
  std::printf("%s: %dx%d, %d s, H.264 + AAC in MPEG-TS\n", argv[1], width, height, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Key commands need no GStreamer: keep its plugins out of a process that holds a key.
  if (argc >= 2 && std::string(argv[1]) == "key") return lpctl_key_main(argc - 1, argv + 1);
  if (argc >= 2 && std::string(argv[1]) == "chain") return lpctl_chain_main(argc - 1, argv + 1);
  gst_init(&argc, &argv);
  lp::media_register();
  if (argc < 2) return usage(stderr);
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") return usage(stdout);
  if (cmd == "sample") return cmd_sample(argc - 1, argv + 1);
  if (cmd == "transcode") return lpctl_transcode_main(argc - 1, argv + 1);
  if (cmd == "bench") return lpctl_bench_main(argc - 1, argv + 1);
  if (cmd == "status") return lpctl_status_main(argc - 1, argv + 1);
  std::fprintf(stderr, "lpctl: unknown command '%s'\n", cmd.c_str());
  return usage(stderr);
}
