// `lpctl bench` end to end, as an operator runs it: the real lpctl binary (env LPCTL) playing
// one small generated stream through its embedded node, with --json and --plot checked; a
// closed --orch-addr fails clearly; bad flags are usage errors.
#include <gtest/gtest.h>
#include <json-glib/json-glib.h>

#include "node_cluster.h"

namespace lp::test {
namespace {

using std::chrono::seconds;

// GMarkup is a strict XML subset parser: well-formed or an error.
bool well_formed_xml(const std::string& text, std::string& problem) {
  GMarkupParser parser{};
  g_autoptr(GMarkupParseContext) ctx =
      g_markup_parse_context_new(&parser, G_MARKUP_PREFIX_ERROR_POSITION, nullptr, nullptr);
  g_autoptr(GError) error = nullptr;
  if (!g_markup_parse_context_parse(ctx, text.c_str(), static_cast<gssize>(text.size()), &error) ||
      !g_markup_parse_context_end_parse(ctx, &error)) {
    problem = error ? error->message : "?";
    return false;
  }
  return true;
}

TEST(LpctlBench, OneStreamThroughTheEmbeddedNode) {
  TempDir dir;
  const std::string json = dir.file("out.json"), svg = dir.file("out.svg");
  auto r = run_lpctl({"bench", "--streams", "1", "--duration", "4", "--size", "320x180", "--profiles", "P144p30fps16x9",
                      "--json", json, "--plot", svg},
                     "lpctl-bench");
  ASSERT_EQ(r.status, 0) << r.log;
  EXPECT_NE(r.log.find("p50-lat(s)  p95-lat(s)"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("rt-ratio"), std::string::npos) << r.log;

  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = nullptr;
  ASSERT_TRUE(json_parser_load_from_file(parser, json.c_str(), &error)) << (error ? error->message : "");
  JsonObject* root = json_node_get_object(json_parser_get_root(parser));
  ASSERT_NE(root, nullptr);
  JsonArray* results = json_object_get_array_member(root, "results");
  ASSERT_NE(results, nullptr);
  ASSERT_EQ(json_array_get_length(results), 1u);
  JsonObject* n1 = json_array_get_object_element(results, 0);
  EXPECT_EQ(json_object_get_int_member(n1, "streams"), 1);
  EXPECT_GT(json_object_get_int_member(n1, "segments_ok"), 0);
  EXPECT_EQ(json_object_get_int_member(n1, "segments_failed"), 0);
  const double p50 = json_object_get_double_member(n1, "latency_p50_s");
  const double p95 = json_object_get_double_member(n1, "latency_p95_s");
  EXPECT_GT(p50, 0);
  EXPECT_LE(p50, p95);
  EXPECT_GT(json_object_get_double_member(n1, "realtime_ratio"), 0);
  EXPECT_GT(json_object_get_double_member(n1, "segment_s"), 0.5);

  const std::string plot = file_string(svg);
  std::string problem;
  EXPECT_TRUE(well_formed_xml(plot, problem)) << problem << "\n" << plot;
  EXPECT_NE(plot.find("<svg "), std::string::npos);
  EXPECT_NE(plot.find("</svg>"), std::string::npos);
  EXPECT_NE(plot.find("N=1 p95 latency"), std::string::npos) << plot;
  EXPECT_NE(plot.find("N=1 real-time ratio"), std::string::npos) << plot;
}

TEST(LpctlBench, ClosedOrchestratorPortFailsClearly) {
  const std::string addr = "127.0.0.1:" + std::to_string(free_port());
  auto r =
      run_lpctl({"bench", "--orch-addr", addr, "--duration", "2", "--size", "160x90", "--profiles", "P144p30fps16x9"},
                "lpctl-bench-closed");
  EXPECT_EQ(r.status, 1) << r.log;
  EXPECT_NE(r.log.find("FAILED"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find(addr), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("unreachable"), std::string::npos) << r.log;
}

TEST(LpctlBench, BadFlagsAreUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"bench", "--streams", "0"},       {"bench", "--streams", "many"}, {"bench", "--no-such-flag"},
      {"bench", "--duration", "-3"},     {"bench", "--profiles", "P9p"}, {"bench", "stray-argument"},
      {"bench", "--in", "/nonexistent"}, {"bench", "--size", "big"},     {"bench", "--max-streams", "0"},
  };
  for (const auto& args : bad) {
    auto r = run_lpctl(args, "lpctl-bench-usage", seconds(30));
    EXPECT_EQ(r.status, 2) << args[1] << " " << (args.size() > 2 ? args[2] : "") << "\n" << r.log;
    EXPECT_NE(r.log.find("lpctl bench: "), std::string::npos) << r.log;
  }
}

}  // namespace
}  // namespace lp::test
