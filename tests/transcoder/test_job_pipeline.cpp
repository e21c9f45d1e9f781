// Job pipelines: the description the orchestrator builds from a template, the transcoder's
// allowlist check of it, and running it for real on a generated segment (from memory and
// over HTTP from a loopback SoupServer).
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <libsoup/soup.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "job_pipeline.h"
#include "media.h"

// Failed expectations print the code's name, not its bytes (found by ADL).
namespace lp {
void PrintTo(ErrorCode code, std::ostream* os) { *os << error_code_name(code); }
}  // namespace lp

namespace {

using namespace std::chrono_literals;
using lp::ErrorCode;

constexpr const char* kUrl = "http://127.0.0.1:8935/job/abc/source";

lp::Profile preset(const char* name) {
  auto p = lp::find_preset(name);
  EXPECT_TRUE(p.has_value()) << name;
  return p.value_or(lp::Profile{});
}

// "" when `e` is nullopt (accepted), else its message: readable in a failed EXPECT_EQ.
std::string why(const lp::Result<void>& e) { return e.ok() ? "" : e.error().message; }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string build(std::string_view tmpl, std::string_view url, const std::vector<lp::Profile>& profiles) {
  auto d = lp::build_job_pipeline(tmpl, url, profiles, {});
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
  return d.ok() ? *d : "";
}

// Parses a description with plain gst_parse_launch (as gst-launch-1.0 would).
lp::test::detail::ElementPtr launch(const std::string& description) {
  GError* raw = nullptr;
  GstElement* e = gst_parse_launch(description.c_str(), &raw);
  lp::test::detail::ErrorPtr error(raw);
  EXPECT_FALSE(error) << error->message << "\n" << description;
  if (e) gst_object_ref_sink(e);
  return lp::test::detail::ElementPtr(e);
}

std::string string_property(GstElement* element, const char* name) {
  g_autofree char* value = nullptr;
  g_object_get(element, name, &value, nullptr);
  return value ? value : "";
}

// ---- build_job_pipeline -------------------------------------------------------------------

TEST(BuildJobPipeline, DefaultTemplateNamesSourceAndLadderAndProfilesRoundTrip) {
  const std::vector<lp::Profile> profiles = {preset("P144p30fps16x9"), preset("P240p30fps16x9")};
  const std::string d = build(lp::kDefaultPipelineTemplate, kUrl, profiles);
  EXPECT_TRUE(contains(d, std::string("lpsegmentsrc name=source uri=\"") + kUrl + "\"")) << d;
  EXPECT_TRUE(contains(d, "lpladder name=ladder profiles=\"")) << d;
  EXPECT_EQ(build("", kUrl, profiles), d);  // "" is the default template

  auto pipeline = launch(d);
  ASSERT_TRUE(pipeline);
  g_autoptr(GstElement) ladder = gst_bin_get_by_name(GST_BIN(pipeline.get()), "ladder");
  g_autoptr(GstElement) source = gst_bin_get_by_name(GST_BIN(pipeline.get()), "source");
  ASSERT_TRUE(ladder);
  ASSERT_TRUE(source);
  EXPECT_EQ(string_property(source, "uri"), kUrl);
  auto back = lp::parse_profiles(string_property(ladder, "profiles"));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), profiles.size());
  for (size_t i = 0; i < profiles.size(); ++i)
    EXPECT_EQ(lp::profile_to_json((*back)[i]), lp::profile_to_json(profiles[i])) << i;

  EXPECT_EQ(why(lp::check_job_pipeline(d, kUrl)), "");
}

TEST(BuildJobPipeline, QuotesSurviveInUrlsAndProfileNames) {
  // A URL gst-launch would otherwise split or unquote, and a profile name with a quote.
  const std::string url = "http://127.0.0.1:1/a b!c\"d\\e?x=1&y=(2)";
  lp::Profile p = preset("P144p30fps16x9");
  p.name = "my \"odd\" ! name";
  const std::string d = build("", url, {p});
  auto pipeline = launch(d);
  ASSERT_TRUE(pipeline);
  g_autoptr(GstElement) ladder = gst_bin_get_by_name(GST_BIN(pipeline.get()), "ladder");
  g_autoptr(GstElement) source = gst_bin_get_by_name(GST_BIN(pipeline.get()), "source");
  ASSERT_TRUE(ladder && source);
  EXPECT_EQ(string_property(source, "uri"), url);
  auto back = lp::parse_profiles(string_property(ladder, "profiles"));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].name, p.name);
  EXPECT_EQ(why(lp::check_job_pipeline(d, url)), "");
}

TEST(BuildJobPipeline, NoProfilesIsRefused) {
  auto d = lp::build_job_pipeline("", kUrl, {}, {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::InvalidProfile);
}

// ---- check_pipeline_template --------------------------------------------------------------

TEST(CheckPipelineTemplate, AcceptsTheDefaultAndFilteringTemplates) {
  EXPECT_EQ(why(lp::check_pipeline_template(lp::kDefaultPipelineTemplate)), "");
  for (const char* t : {"{source} ! decodebin ! deinterlace ! {ladder}", "{source} ! queue ! {ladder}",
                        "{source} ! tsdemux ! h264parse ! avdec_h264 ! videoflip method=horizontal-flip ! {ladder}"}) {
    EXPECT_EQ(why(lp::check_pipeline_template(t)), "") << t;
  }
}

// The refusal of `tmpl`, with its message checked to contain `what`.
void expect_refused(std::string_view tmpl, const std::string& what) {
  auto e = lp::check_pipeline_template(tmpl);
  ASSERT_FALSE(e.ok()) << tmpl << " was accepted";
  EXPECT_EQ(e.error().code, ErrorCode::BadRequest) << tmpl;
  EXPECT_TRUE(contains(e.error().message, what)) << tmpl << ": " << e.error().message;
}

TEST(CheckPipelineTemplate, RefusesMissingOrRepeatedPlaceholders) {
  expect_refused("{source} ! decodebin", "{ladder}");
  expect_refused("lpsegmentsrc uri=http://x/y ! {ladder}", "{source}");
  expect_refused("{source} ! {ladder} {source}", "once each");
  expect_refused("{source} ! {ladder} {ladder}", "once each");
  expect_refused("", "{source}");
}

TEST(CheckPipelineTemplate, RefusesDisallowedElementsNamingThem) {
  expect_refused("{source} ! {ladder} filesink location=/tmp/lpgst-template-check.ts", "filesink");
  expect_refused("{source} ! {ladder} souphttpsrc location=http://127.0.0.1:1/x", "souphttpsrc");
  expect_refused("{source} ! {ladder} multifilesrc location=/tmp/%05d.ts", "multifilesrc");
  expect_refused("filesrc location=/etc/passwd ! decodebin ! {ladder} {source} ! queue", "filesrc");
  // Inside a bin too: the walk is recursive.
  expect_refused("{source} ! {ladder} ( filesrc location=/etc/passwd )", "not allowed");
}

TEST(CheckPipelineTemplate, RefusesWhatDoesNotParseOrDoesNotExist) {
  expect_refused("{source} ! ! {ladder}", "parse");
  expect_refused("{source} ! decodebin name=d ! {ladder} d. ! ( ", "parse");
  expect_refused("{source} ! lpnosuchfilter ! {ladder}", "lpnosuchfilter");
  // The placeholders' own rules: a second ladder, or the ladder renamed.
  expect_refused("{source} ! {ladder} lpladder name=more profiles=P144p30fps16x9", "lpladder");
}

// ---- check_job_pipeline -------------------------------------------------------------------

const std::string kLadder = " ! lpladder name=ladder profiles=P144p30fps16x9";
std::string source_with(const std::string& extra) {
  return std::string("lpsegmentsrc name=source uri=\"") + kUrl + "\"" + extra;
}

void expect_job_refused(const std::string& description, const std::string& what) {
  auto e = lp::check_job_pipeline(description, kUrl);
  ASSERT_FALSE(e.ok()) << description << " was accepted";
  EXPECT_EQ(e.error().code, ErrorCode::BadRequest) << description;
  EXPECT_TRUE(contains(e.error().message, what)) << description << ": " << e.error().message;
}

TEST(CheckJobPipeline, AcceptsABuiltJob) {
  EXPECT_EQ(why(lp::check_job_pipeline(source_with("") + kLadder, kUrl)), "");
  const std::string d = build("{source} ! decodebin ! deinterlace ! {ladder}", kUrl, {preset("P144p30fps16x9")});
  EXPECT_EQ(why(lp::check_job_pipeline(d, kUrl)), "");
}

TEST(CheckJobPipeline, RefusesAnotherSourceUrl) {
  expect_job_refused(build("", "http://127.0.0.1:8935/job/OTHER/source", {preset("P144p30fps16x9")}), "source URL");
  expect_job_refused("lpsegmentsrc name=source" + kLadder, "source URL");  // no uri at all
}

TEST(CheckJobPipeline, RefusesALocalFile) {
  expect_job_refused(source_with(" location=/etc/passwd") + kLadder, "location");
}

TEST(CheckJobPipeline, RefusesTwoSources) {
  expect_job_refused(source_with("") + kLadder + " lpsegmentsrc name=second uri=\"" + kUrl + "\"",
                     "exactly one lpsegmentsrc, found 2");
}

TEST(CheckJobPipeline, RefusesAMissingOrMisnamedLadder) {
  expect_job_refused(source_with(" ! queue"), "exactly one lpladder, found 0");
  expect_job_refused(source_with(" ! lpladder name=other profiles=P144p30fps16x9"), "\"ladder\"");
  expect_job_refused(source_with(" ! lpladder profiles=P144p30fps16x9"), "\"ladder\"");
  expect_job_refused(source_with(""), "single element");
}

TEST(CheckJobPipeline, RefusesElementsItDoesNotHaveOrAllow) {
  expect_job_refused(source_with(" ! lpnosuchdecoder") + kLadder, "lpnosuchdecoder");
  expect_job_refused(source_with(" ! tee name=t") + kLadder + " t. ! queue ! filesink location=/tmp/x.ts", "filesink");
  expect_job_refused(source_with(" ! ! lpladder name=ladder"), "parse");
}

// ---- run_job_pipeline ---------------------------------------------------------------------

// One small H.264 MPEG-TS segment for the whole suite (encoding it is the slow part).
class RunJobPipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new lp::test::TempDir();
    path_ = new std::string(dir_->file("in.ts"));
    lp::test::MediaSpec spec;
    spec.width = 320;
    spec.height = 180;
    spec.seconds = 1;
    lp::test::make_media(spec, *path_);
  }
  static void TearDownTestSuite() {
    delete path_;
    delete dir_;
  }
  static lp::BytesPtr segment() { return lp::BytesPtr(lp::test::bytes_from_file(*path_)); }

  // One P144p rendition, checked as the ladder reports it.
  static void expect_144p(const lp::Rendition& r) {
    EXPECT_EQ(r.name, "P144p30fps16x9");
    EXPECT_EQ(r.width, 256);
    EXPECT_EQ(r.height, 144);
    EXPECT_GT(r.frames, 0u);
    EXPECT_NEAR(double(r.frames), 30, 1);
    EXPECT_EQ(r.pixels, r.frames * 256 * 144);
    ASSERT_TRUE(r.bytes);
    EXPECT_GT(g_bytes_get_size(r.bytes.get()), 0u);
  }

  // Runs with a cancel flag set by another thread after `after` (at once when zero).
  static lp::Result<std::vector<lp::Rendition>> run_cancelled(const std::string& d, std::chrono::milliseconds after,
                                                              GBytes* bytes) {
    std::atomic<bool> cancelled{after == 0ms};
    lp::RunJobOptions options;
    options.cancelled = &cancelled;
    options.source_bytes = bytes;
    std::thread canceller([&] {
      std::this_thread::sleep_for(after);
      cancelled = true;
    });
    auto r = lp::run_job_pipeline(d, 1, options);
    canceller.join();
    return r;
  }

  static double seconds_since(gint64 t0) { return double(g_get_monotonic_time() - t0) / 1e6; }

  static inline lp::test::TempDir* dir_ = nullptr;
  static inline std::string* path_ = nullptr;
};

// A job that cannot finish fast: every 1880-byte block of the segment waits 100 ms on its way
// to the ladder (seconds in all), so a cancel or timeout always lands mid-run.
std::string slow_job() { return source_with(" blocksize=1880 ! identity sleep-time=100000") + kLadder; }

TEST_F(RunJobPipeline, TranscodesOneRenditionPerProfileFromMemory) {
  const std::vector<lp::Profile> profiles = {preset("P144p30fps16x9"), preset("P240p30fps16x9")};
  const std::string d = build("", kUrl, profiles);
  ASSERT_EQ(why(lp::check_job_pipeline(d, kUrl)), "");
  auto bytes = segment();
  lp::RunJobOptions options;
  options.source_bytes = bytes.get();
  lp::LadderStats stats;
  options.stats = &stats;
  auto r = lp::run_job_pipeline(d, profiles.size(), options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(stats.decoded_frames, 30u);  // the source's frames, decoded once
  EXPECT_EQ(stats.decoded_pixels, 30u * 320 * 180);
  expect_144p((*r)[0]);
  const lp::Rendition& r240 = (*r)[1];
  EXPECT_EQ(r240.name, "P240p30fps16x9");
  EXPECT_EQ(r240.height, 240);
  EXPECT_GT(r240.frames, 0u);
  EXPECT_EQ(r240.pixels, r240.frames * uint64_t(r240.width) * uint64_t(r240.height));
  // What came out is a real stream of that size.
  auto info = lp::test::inspect_media_bytes((*r)[0].bytes.get());
  EXPECT_EQ(info.width, 256);
  EXPECT_EQ(info.height, 144);
  EXPECT_EQ(uint64_t(info.frames), (*r)[0].frames);
}

TEST_F(RunJobPipeline, ThroughAFilteringTemplate) {
  const std::string d = build("{source} ! decodebin ! deinterlace ! {ladder}", kUrl, {preset("P144p30fps16x9")});
  auto bytes = segment();
  lp::RunJobOptions options;
  options.source_bytes = bytes.get();
  auto r = lp::run_job_pipeline(d, 1, options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  expect_144p((*r)[0]);
}

TEST_F(RunJobPipeline, RenditionCountMustMatchTheLadder) {
  auto bytes = segment();
  lp::RunJobOptions options;
  options.source_bytes = bytes.get();
  auto r = lp::run_job_pipeline(build("", kUrl, {preset("P144p30fps16x9")}), 2, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::BadRequest);
}

TEST_F(RunJobPipeline, CorruptSegmentIsBadSegment) {
  std::vector<uint8_t> junk(64 * 1024);
  uint32_t x = 12345;
  for (auto& b : junk) b = uint8_t((x = x * 1103515245u + 12345u) >> 24);
  lp::BytesPtr bytes(g_bytes_new(junk.data(), junk.size()));
  lp::RunJobOptions options;
  options.source_bytes = bytes.get();
  options.timeout = 20s;
  auto r = lp::run_job_pipeline(build("", kUrl, {preset("P144p30fps16x9")}), 1, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::BadSegment) << r.error().message;
}

TEST_F(RunJobPipeline, TruncatedSegmentIsBadSegment) {
  // The first 2 KB of a real segment: PAT/PMT and a partial keyframe.
  auto whole = segment();
  lp::BytesPtr head(g_bytes_new_from_bytes(whole.get(), 0, 2048));
  lp::RunJobOptions options;
  options.source_bytes = head.get();
  options.timeout = 20s;
  auto r = lp::run_job_pipeline(build("", kUrl, {preset("P144p30fps16x9")}), 1, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::BadSegment) << r.error().message;
}

TEST_F(RunJobPipeline, CancelledBeforeStartIsTimeout) {
  auto bytes = segment();
  const gint64 t0 = g_get_monotonic_time();
  auto r = run_cancelled(build("", kUrl, {preset("P144p30fps16x9")}), 0ms, bytes.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Timeout) << r.error().message;
  EXPECT_LT(seconds_since(t0), 1.0);
}

TEST_F(RunJobPipeline, CancelledWhileRunningIsTimeout) {
  auto bytes = segment();
  const gint64 t0 = g_get_monotonic_time();
  auto r = run_cancelled(slow_job(), 300ms, bytes.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Timeout) << r.error().message;
  EXPECT_GE(seconds_since(t0), 0.25);
  EXPECT_LT(seconds_since(t0), 1.5);  // polled every 100 ms, then torn down
}

TEST_F(RunJobPipeline, TinyTimeoutIsTimeout) {
  auto bytes = segment();
  lp::RunJobOptions options;
  options.source_bytes = bytes.get();
  options.timeout = 200ms;
  const gint64 t0 = g_get_monotonic_time();
  auto r = lp::run_job_pipeline(slow_job(), 1, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Timeout) << r.error().message;
  EXPECT_LT(seconds_since(t0), 1.5);
}

// ---- bad segments fail at once ---------------------------------------------------------------
//
// Segments that used to keep a job running until its deadline (and the orchestrator retrying it
// on two more transcoders): each must be a BadSegment within a couple of seconds.

class BadSegmentFast : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new lp::test::TempDir();
    lp::test::MediaSpec spec;  // H.264 + AAC, as real segments are
    spec.width = 320;
    spec.height = 180;
    spec.seconds = 1;
    spec.gop_frames = 30;
    spec.audio_codec = "aac";
    const std::string path = dir_->file("av.ts");
    lp::test::make_media(spec, path);
    ts_ = new std::vector<uint8_t>(lp::test::read_file(path));
  }
  static void TearDownTestSuite() {
    delete ts_;
    delete dir_;
  }

  struct Outcome {
    lp::Result<std::vector<lp::Rendition>> result;
    double seconds = 0;
  };
  static Outcome run(const std::vector<uint8_t>& data) {
    lp::BytesPtr bytes(g_bytes_new(data.data(), data.size()));
    lp::RunJobOptions options;
    options.source_bytes = bytes.get();
    options.timeout = 20s;  // what the orchestrator's deadline would be, and then some
    const gint64 t0 = g_get_monotonic_time();
    auto r = lp::run_job_pipeline(build("", kUrl, {preset("P144p30fps16x9")}), 1, options);
    return {std::move(r), double(g_get_monotonic_time() - t0) / 1e6};
  }
  static std::string describe(const Outcome& o) {
    return o.result ? "succeeded"
                    : std::string(lp::error_code_name(o.result.error().code)) + ": " + o.result.error().message;
  }
  // Prompt: a bad segment is known as soon as its bytes are read (well under a second here).
  static constexpr double kPromptSeconds = 3.0;

  static inline lp::test::TempDir* dir_ = nullptr;
  static inline std::vector<uint8_t>* ts_ = nullptr;
};

// The first 1,880 bytes (ten whole packets) of a real segment: PAT, PMT and the start of the
// first keyframe, no audio frame. The declared audio stream never carries a frame, and the
// muxers used to wait for it forever.
TEST_F(BadSegmentFast, FirstTenPacketsOfASegment) {
  ASSERT_GT(ts_->size(), 1880u);
  const std::vector<uint8_t> head(ts_->begin(), ts_->begin() + 1880);
  const Outcome o = run(head);
  ASSERT_FALSE(o.result.ok()) << describe(o);
  EXPECT_EQ(o.result.error().code, ErrorCode::BadSegment) << describe(o);
  EXPECT_LT(o.seconds, kPromptSeconds) << describe(o);
  EXPECT_NE(o.result.error().message.find("no decodable"), std::string::npos) << describe(o);
}

// One video frame an hour later than its neighbours: the renditions used to fill the gap at
// their frame rate (108,000 frames) until the deadline.
TEST_F(BadSegmentFast, CorruptTimestampMidSegment) {
  std::vector<uint8_t> ts = *ts_;
  ASSERT_TRUE(lp::test::shift_video_pes_time(ts.data(), ts.size(), 10));
  const Outcome o = run(ts);
  ASSERT_FALSE(o.result.ok()) << describe(o);
  EXPECT_EQ(o.result.error().code, ErrorCode::BadSegment) << describe(o);
  EXPECT_LT(o.seconds, kPromptSeconds) << describe(o);
  EXPECT_NE(o.result.error().message.find("corrupt timestamps"), std::string::npos) << describe(o);
}

// The same segment untouched still transcodes (the guards do not trip on good input).
TEST_F(BadSegmentFast, TheUntouchedSegmentTranscodes) {
  const Outcome o = run(*ts_);
  ASSERT_TRUE(o.result.ok()) << describe(o);
  EXPECT_NEAR(double(o.result->front().frames), 30, 1);
}

// ---- over HTTP -----------------------------------------------------------------------------

// A SoupServer on 127.0.0.1, port chosen by the kernel, on its own GMainContext in a thread.
// Serves the bodies it was given by path, 404 for the rest; "/stall" never answers.
class SegmentServer {
 public:
  explicit SegmentServer(std::map<std::string, std::string> bodies) : bodies_(std::move(bodies)) {
    std::promise<guint> port;
    auto ready = port.get_future();
    thread_ = std::thread([this, &port] { serve(port); });
    port_ = ready.get();
  }
  ~SegmentServer() {
    g_main_context_invoke(
        context_,
        [](gpointer loop) -> gboolean {
          g_main_loop_quit(static_cast<GMainLoop*>(loop));
          return G_SOURCE_REMOVE;
        },
        loop_);
    thread_.join();
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
  }
  SegmentServer(const SegmentServer&) = delete;
  SegmentServer& operator=(const SegmentServer&) = delete;

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int requests() const { return requests_; }

 private:
  void serve(std::promise<guint>& port) {
    g_main_context_push_thread_default(context_);
    {
      g_autoptr(SoupServer) server = soup_server_new(nullptr, nullptr);
      soup_server_add_handler(server, nullptr, handle, this, nullptr);
      g_autoptr(GError) error = nullptr;
      if (!soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error)) {
        ADD_FAILURE() << "listen: " << error->message;
        port.set_value(0);
      } else {
        GSList* uris = soup_server_get_uris(server);
        port.set_value(g_uri_get_port(static_cast<GUri*>(uris->data)));
        g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
        g_main_loop_run(loop_);
      }
      soup_server_disconnect(server);
    }
    while (g_main_context_iteration(context_, FALSE)) {
    }
    g_main_context_pop_thread_default(context_);
  }

  static void handle(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer user_data) {
    auto* self = static_cast<SegmentServer*>(user_data);
    ++self->requests_;
    if (std::string(path) == "/stall") {
      soup_server_message_pause(msg);  // torn down with the server, unanswered
      return;
    }
    auto it = self->bodies_.find(path);
    if (it == self->bodies_.end()) {
      soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
      return;
    }
    soup_server_message_set_status(msg, SOUP_STATUS_OK, nullptr);
    soup_server_message_set_response(msg, "video/mp2t", SOUP_MEMORY_COPY, it->second.data(), it->second.size());
  }

  const std::map<std::string, std::string> bodies_;
  GMainContext* context_ = g_main_context_new();
  GMainLoop* loop_ = g_main_loop_new(context_, FALSE);
  std::thread thread_;
  guint port_ = 0;
  std::atomic<int> requests_{0};
};

TEST_F(RunJobPipeline, FetchesItsSourceOverHttp) {
  auto bytes = segment();
  gsize size = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(bytes.get(), &size));
  SegmentServer server({{"/job/1/source", std::string(data, size)}});
  const std::string url = server.url("/job/1/source");

  const std::string d = build("", url, {preset("P144p30fps16x9")});
  ASSERT_EQ(why(lp::check_job_pipeline(d, url)), "");
  lp::RunJobOptions options;
  options.timeout = 20s;
  auto r = lp::run_job_pipeline(d, 1, options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  expect_144p((*r)[0]);
  EXPECT_EQ(server.requests(), 1);
}

// A source the orchestrator no longer serves is not the media's fault: NotFound, which the
// dispatcher retries elsewhere (BadSegment would fail the segment for good).
TEST_F(RunJobPipeline, MissingSourceIsNotABadSegment) {
  SegmentServer server({});
  const std::string url = server.url("/job/gone/source");
  lp::RunJobOptions options;
  options.timeout = 20s;
  auto r = lp::run_job_pipeline(build("", url, {preset("P144p30fps16x9")}), 1, options);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "404")) << r.error().message;
  EXPECT_NE(r.error().code, ErrorCode::BadSegment) << r.error().message;
}

// typefind activates lpsegmentsrc in pull mode first and falls back to push mode when that
// fails; the failed fetch must not be made a second time.
TEST_F(RunJobPipeline, FailedFetchIsMadeOnce) {
  SegmentServer server({});
  lp::RunJobOptions options;
  options.timeout = 20s;
  auto r = lp::run_job_pipeline(build("", server.url("/job/gone/source"), {preset("P144p30fps16x9")}), 1, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(server.requests(), 1);
}

// A fetch inside the pipeline happens in set_state(PLAYING), before the cancel flag can be
// polled, so it is bounded by lpsegmentsrc's own timeout, once. (Transcoders fetch the source
// themselves, cancellably, and hand the pipeline bytes: transcoder/job_worker.cpp.)
TEST_F(RunJobPipeline, StalledFetchInsideThePipelineIsBoundedByTheSourceTimeout) {
  SegmentServer server({});
  const std::string d =
      std::string("lpsegmentsrc name=source uri=\"") + server.url("/stall") + "\" timeout=2" + kLadder;
  const gint64 t0 = g_get_monotonic_time();
  auto r = run_cancelled(d, 200ms, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Unreachable) << r.error().message;
  EXPECT_LT(seconds_since(t0), 3.5);
  EXPECT_EQ(server.requests(), 1);
}

// Job URLs carry the job's only credential: logs and /status show them without it.
TEST(JobPipeline, RedactsJobTokens) {
  const std::string d = build("", "http://10.0.0.1:8935/v1/jobs/s5-1/0123456789abcdef0123456789abcdef/source",
                              {preset("P144p30fps16x9")});
  const std::string shown = lp::redact_job_tokens(d);
  EXPECT_EQ(shown.find("0123456789abcdef"), std::string::npos) << shown;
  EXPECT_NE(shown.find("/v1/jobs/s5-1/<token>/source"), std::string::npos) << shown;
  EXPECT_EQ(lp::redact_job_tokens("no job url here"), "no job url here");
}

}  // namespace
