// docs/writing-codec-plugins.md, run as written, so the tutorial cannot rot: its ```sh
// blocks, in order, as one `bash -euo pipefail` script in a fresh directory. They install
// this build of lpgst into a temporary DESTDIR, build the example VP8 plugin
// (plugins/examples/vp8-adapter) against it through pkg-config, and run a VP8 ladder with
// gst-launch-1.0 with and without the plugin. Then the output is checked here, and this
// process discovers the built plugin the way a transcoder does before it announces its
// codecs.
//
// Needs LPGST_BUILD, LPGST_PREFIX and LPGST_LIBDIR (tests/meson.build sets them).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "adapter_registry.h"
#include "media.h"
#include "node_capabilities.h"

namespace {

std::string source_dir() {
  if (const char* env = g_getenv("LP_SOURCE_DIR"); env && *env) return env;
  return LP_SOURCE_DIR;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The ```sh blocks of a markdown file, joined in order.
std::string sh_blocks(const std::string& markdown) {
  std::istringstream in(markdown);
  std::string line, script;
  bool in_sh = false, in_other = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      if (in_sh || in_other) {
        in_sh = in_other = false;
      } else if (line == "```sh") {
        in_sh = true;
      } else {
        in_other = true;
      }
      continue;
    }
    if (in_sh) script += line + "\n";
  }
  return script;
}

std::string tail(const std::string& text, size_t n = 4000) {
  return text.size() > n ? "..." + text.substr(text.size() - n) : text;
}

TEST(CodecPluginTutorial, BuildsOutOfTreeAndMakesVp8WorkOnlyWithThePlugin) {
  const char* build = g_getenv("LPGST_BUILD");
  if (!build || !*build) GTEST_SKIP() << "LPGST_BUILD is not set (run through meson test)";
  const std::string script = sh_blocks(read_text(source_dir() + "/docs/writing-codec-plugins.md"));
  ASSERT_NE(script.find("meson install"), std::string::npos) << "no ```sh blocks found";

  lp::test::TempDir work;
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_setenv(env, "LPGST_SOURCE", source_dir().c_str(), TRUE);
  env = g_environ_setenv(env, "WORK", work.path().c_str(), TRUE);
  // The test environment's own plugin path settings are not the tutorial's.
  env = g_environ_unsetenv(env, "GST_PLUGIN_PATH_1_0");
  env = g_environ_unsetenv(env, "GST_PLUGIN_PATH");
  const std::string bash_script = "set -euo pipefail\n" + script;
  const gchar* argv[] = {"bash", "-c", bash_script.c_str(), nullptr};
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  gint status = 0;
  g_autoptr(GError) error = nullptr;
  gint64 started = g_get_monotonic_time();
  gboolean spawned = g_spawn_sync(work.path().c_str(), const_cast<gchar**>(argv), env, G_SPAWN_SEARCH_PATH, nullptr,
                                  nullptr, &out, &err, &status, &error);
  const std::string stdout_text = out ? out : "", stderr_text = err ? err : "";
  ASSERT_TRUE(spawned) << (error ? error->message : "");
  EXPECT_TRUE(g_spawn_check_wait_status(status, nullptr)) << "the tutorial's commands failed\n--- stdout\n"
                                                          << tail(stdout_text) << "\n--- stderr\n"
                                                          << tail(stderr_text);
  std::cout << "tutorial commands took " << (g_get_monotonic_time() - started) / 1000 << " ms\n";

  // With the plugin: VP8 in WebM, the profile's size, every frame, a keyframe first.
  auto info = lp::test::inspect_media(work.file("out.webm"));
  EXPECT_EQ(info.container, "video/webm");
  EXPECT_EQ(info.video_caps_name, "video/x-vp8");
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.height, 180);
  EXPECT_EQ(info.frames, 60);
  EXPECT_EQ(info.decoded_frames, 60);
  EXPECT_EQ(info.keyframes, std::vector<int>{0});  // the default GOP, 2 s, is the whole sample
  EXPECT_EQ(info.audio_caps_name, "audio/x-opus");
  // Without it: the clear error, and no output.
  EXPECT_NE(read_text(work.file("without.log")).find("no installed encoder produces VP8"), std::string::npos);
  EXPECT_EQ(read_text(work.file("without.webm")), "");

  // A transcoder's capabilities come from the registry after loading the adapter plugins
  // GStreamer lists: scanning the plugin's build directory makes this process announce VP8.
  EXPECT_FALSE(lp::find_codec_adapter("auto", lp::VideoCodec::VP8).ok());
  gst_registry_scan_path(gst_registry_get(), work.file("vp8-build").c_str());
  auto caps = lp::node_capabilities();
  EXPECT_NE(std::find(caps.codecs.begin(), caps.codecs.end(), "VP8"), caps.codecs.end());
  auto vp8 = lp::find_codec_adapter("auto", lp::VideoCodec::VP8);
  ASSERT_TRUE(vp8.ok()) << vp8.error().message;
  EXPECT_STREQ((*vp8)->name(), "vpx-vp8");
  EXPECT_EQ((*vp8)->origin(), "lpvp8adapter");
}

}  // namespace
