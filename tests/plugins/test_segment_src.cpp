// lpsegmentsrc: files, application memory and HTTP (a real SoupServer on loopback), in push
// and pull mode, and every error path, each run to EOS or ERROR with a bounded wait.
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace {

constexpr GstClockTime kWait = 10 * GST_SECOND;

template <auto Fn>
struct FnDeleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using BytesPtr = std::unique_ptr<GBytes, FnDeleter<g_bytes_unref>>;

// Owns a pipeline; always leaves it in NULL state.
struct PipelineDeleter {
  void operator()(GstElement* p) const {
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
  }
};
using Pipeline = std::unique_ptr<GstElement, PipelineDeleter>;

Pipeline launch(const std::string& description) {
  g_autoptr(GError) error = nullptr;
  GstElement* p = gst_parse_launch(description.c_str(), &error);
  EXPECT_EQ(error, nullptr) << description << ": " << (error ? error->message : "");
  return Pipeline(p);
}

// A named element of the pipeline, borrowed (the pipeline keeps it alive).
GstElement* element(const Pipeline& p, const char* name) {
  GstElement* e = gst_bin_get_by_name(GST_BIN(p.get()), name);
  if (e) gst_object_unref(e);
  return e;
}

std::string pattern_bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>((i * 131 + i / 256) & 0xff);
  return s;
}

struct Outcome {
  bool eos = false;
  bool error = false;
  std::string message;  // the error text
  GQuark domain = 0;
  int code = 0;
};

// Plays the pipeline until EOS or the first ERROR, at most `wait`.
Outcome run(const Pipeline& p, GstClockTime wait = kWait) {
  Outcome out;
  gst_element_set_state(p.get(), GST_STATE_PLAYING);  // a failure is reported on the bus
  g_autoptr(GstBus) bus = gst_element_get_bus(p.get());
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, wait, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (!msg) return out;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
    out.eos = true;
  } else {
    g_autoptr(GError) error = nullptr;
    gst_message_parse_error(msg, &error, nullptr);
    out.error = true;
    out.message = error->message;
    out.domain = error->domain;
    out.code = error->code;
  }
  return out;
}

// Runs `<src> ! fakesink` to an error and returns it; `setup` configures lpsegmentsrc.
template <typename Setup>
Outcome run_to_error(Setup&& setup) {
  Pipeline p = launch("lpsegmentsrc name=src ! fakesink");
  setup(element(p, "src"));
  Outcome out = run(p);
  EXPECT_TRUE(out.error) << "expected an error, eos=" << out.eos;
  EXPECT_EQ(out.domain, GST_RESOURCE_ERROR);
  return out;
}

// Collects everything an appsink receives (from the streaming thread).
struct Collector {
  std::string bytes;
  int buffers = 0;
  size_t largest = 0;
  GBytes* expect_within = nullptr;  // when set: every buffer must point into this memory
  bool all_within = true;

  void attach(GstElement* appsink) {
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = [](GstAppSink* sink, gpointer user_data) -> GstFlowReturn {
      auto* self = static_cast<Collector*>(user_data);
      g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
      GstBuffer* buf = gst_sample_get_buffer(sample);
      GstMapInfo map;
      if (!gst_buffer_map(buf, &map, GST_MAP_READ)) return GST_FLOW_ERROR;
      self->bytes.append(reinterpret_cast<const char*>(map.data), map.size);
      self->buffers++;
      self->largest = std::max(self->largest, map.size);
      if (self->expect_within) {
        gsize size = 0;
        const auto* base = static_cast<const guint8*>(g_bytes_get_data(self->expect_within, &size));
        if (map.data < base || map.data + map.size > base + size) self->all_within = false;
      }
      gst_buffer_unmap(buf, &map);
      return GST_FLOW_OK;
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &callbacks, this, nullptr);
  }
};

bool have(const char* factory) {
  g_autoptr(GstElementFactory) f = gst_element_factory_find(factory);
  return f != nullptr;
}

// A scratch directory with helpers to write files; removed at the end of each test.
class SegmentSrcTest : public testing::Test {
 protected:
  void SetUp() override {
    g_autoptr(GError) error = nullptr;
    g_autofree gchar* dir = g_dir_make_tmp("lpsegsrc-XXXXXX", &error);
    ASSERT_NE(dir, nullptr) << error->message;
    dir_ = dir;
  }
  void TearDown() override {
    g_autoptr(GFile) dir = g_file_new_for_path(dir_.c_str());
    g_autoptr(GFileEnumerator) e =
        g_file_enumerate_children(dir, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE, nullptr, nullptr);
    while (GFileInfo* info = e ? g_file_enumerator_next_file(e, nullptr, nullptr) : nullptr) {
      g_autoptr(GFileInfo) owned = info;
      g_autoptr(GFile) child = g_file_get_child(dir, g_file_info_get_name(info));
      g_file_delete(child, nullptr, nullptr);
    }
    g_file_delete(dir, nullptr, nullptr);
  }
  std::string path(const char* name) const { return dir_ + "/" + name; }
  std::string write(const char* name, const std::string& contents) const {
    const std::string p = path(name);
    EXPECT_TRUE(g_file_set_contents(p.c_str(), contents.data(), contents.size(), nullptr));
    return p;
  }
  // Encodes 30 frames of 320x240 H.264 into `mux` (mp4mux: moov at the end; mpegtsmux).
  std::string encode(const char* name, const char* mux) const {
    const std::string p = path(name);
    Pipeline gen = launch(
        "videotestsrc num-buffers=30 ! video/x-raw,format=I420,width=320,height=240,"
        "framerate=30/1 ! x264enc speed-preset=ultrafast ! h264parse ! " +
        std::string(mux) + " ! filesink location=" + p);
    Outcome out = run(gen, 60 * GST_SECOND);
    EXPECT_TRUE(out.eos) << out.message;
    return p;
  }
  std::string dir_;
};

TEST_F(SegmentSrcTest, Defaults) {
  g_autoptr(GstElement) src = gst_element_factory_make("lpsegmentsrc", nullptr);
  ASSERT_NE(src, nullptr);
  guint timeout = 0, blocksize = 0;
  guint64 max_size = 0;
  g_object_get(src, "timeout", &timeout, "max-size", &max_size, "blocksize", &blocksize, nullptr);
  EXPECT_EQ(timeout, 15u);
  EXPECT_EQ(max_size, 64u * 1024 * 1024);
  EXPECT_EQ(blocksize, 64u * 1024);
}

TEST_F(SegmentSrcTest, FileBytesArriveExactly) {
  const std::string data = pattern_bytes(300001);
  const std::string f = write("seg.bin", data);
  Pipeline p = launch("lpsegmentsrc location=" + f + " ! appsink name=sink sync=false");
  Collector c;
  c.attach(element(p, "sink"));
  ASSERT_TRUE(run(p).eos);
  EXPECT_EQ(c.bytes, data);
  EXPECT_EQ(c.largest, 64u * 1024);  // blocksize
}

TEST_F(SegmentSrcTest, FileUri) {
  const std::string data = pattern_bytes(1000);
  const std::string f = write("seg file.bin", data);
  g_autofree gchar* uri = g_filename_to_uri(f.c_str(), nullptr, nullptr);
  Pipeline p = launch("lpsegmentsrc name=src ! appsink name=sink sync=false");
  g_object_set(element(p, "src"), "uri", uri, nullptr);
  Collector c;
  c.attach(element(p, "sink"));
  ASSERT_TRUE(run(p).eos);
  EXPECT_EQ(c.bytes, data);
}

TEST_F(SegmentSrcTest, BytesPropertyIsZeroCopy) {
  const std::string data = pattern_bytes(200000);
  BytesPtr bytes(g_bytes_new(data.data(), data.size()));
  Pipeline p = launch("lpsegmentsrc name=src ! appsink name=sink sync=false");
  g_object_set(element(p, "src"), "bytes", bytes.get(), nullptr);
  Collector c;
  c.expect_within = bytes.get();
  c.attach(element(p, "sink"));
  ASSERT_TRUE(run(p).eos);
  EXPECT_EQ(c.bytes, data);
  EXPECT_GT(c.buffers, 1);
  EXPECT_TRUE(c.all_within) << "buffers were copied out of the application's GBytes";
}

TEST_F(SegmentSrcTest, RandomAccessInPullMode) {
  const std::string data = pattern_bytes(100000);
  BytesPtr bytes(g_bytes_new(data.data(), data.size()));
  g_autoptr(GstElement) src = gst_element_factory_make("lpsegmentsrc", nullptr);
  g_object_set(src, "bytes", bytes.get(), nullptr);
  g_autoptr(GstPad) sink = gst_pad_new("sink", GST_PAD_SINK);
  g_autoptr(GstPad) srcpad = gst_element_get_static_pad(src, "src");
  ASSERT_EQ(gst_pad_link(srcpad, sink), GST_PAD_LINK_OK);
  ASSERT_EQ(gst_element_set_state(src, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  ASSERT_TRUE(gst_pad_activate_mode(sink, GST_PAD_MODE_PULL, TRUE));

  gint64 duration = 0;
  ASSERT_TRUE(gst_pad_peer_query_duration(sink, GST_FORMAT_BYTES, &duration));
  EXPECT_EQ(duration, 100000);
  auto pull = [&](guint64 offset, guint size, std::string* out) {
    GstBuffer* buf = nullptr;
    GstFlowReturn ret = gst_pad_pull_range(sink, offset, size, &buf);
    if (ret == GST_FLOW_OK) {
      g_autoptr(GstBuffer) owned = buf;
      GstMapInfo map;
      gst_buffer_map(buf, &map, GST_MAP_READ);
      out->assign(reinterpret_cast<const char*>(map.data), map.size);
      gst_buffer_unmap(buf, &map);
    }
    return ret;
  };
  std::string got;
  ASSERT_EQ(pull(99000, 500, &got), GST_FLOW_OK);  // backwards from the end first
  EXPECT_EQ(got, data.substr(99000, 500));
  ASSERT_EQ(pull(10, 4096, &got), GST_FLOW_OK);
  EXPECT_EQ(got, data.substr(10, 4096));
  ASSERT_EQ(pull(99990, 100, &got), GST_FLOW_OK);  // short read at the end
  EXPECT_EQ(got, data.substr(99990));
  EXPECT_EQ(pull(100000, 10, &got), GST_FLOW_EOS);
  EXPECT_EQ(pull(500000, 10, &got), GST_FLOW_EOS);

  ASSERT_TRUE(gst_pad_activate_mode(sink, GST_PAD_MODE_PULL, FALSE));
  gst_element_set_state(src, GST_STATE_NULL);
}

// MP4 with the moov at the end: qtdemux reads it in pull mode.
TEST_F(SegmentSrcTest, Mp4PullModeReachesEos) {
  if (!have("x264enc") || !have("mp4mux")) GTEST_SKIP() << "x264enc/mp4mux missing";
  const std::string f = encode("seg.mp4", "mp4mux");
  Pipeline p = launch("lpsegmentsrc name=src location=" + f + " ! qtdemux ! appsink name=sink sync=false");
  Collector c;
  c.attach(element(p, "sink"));
  Outcome out = run(p);
  ASSERT_TRUE(out.eos) << out.message;
  EXPECT_EQ(c.buffers, 30);
  g_autoptr(GstPad) pad = gst_element_get_static_pad(element(p, "src"), "src");
  EXPECT_EQ(GST_PAD_MODE(pad), GST_PAD_MODE_PULL);
}

// The same MP4 behind a queue: push mode, qtdemux seeks upstream to find the moov.
TEST_F(SegmentSrcTest, Mp4PushModeSeeksToMoov) {
  if (!have("x264enc") || !have("mp4mux")) GTEST_SKIP() << "x264enc/mp4mux missing";
  const std::string f = encode("seg.mp4", "mp4mux");
  // qtdemux 1.22 in push mode sometimes (about 1 run in 15 here) decides "no next entry, EOS"
  // on a small moov-at-end file and never forwards EOS: an upstream race, which is why
  // lpladder runs demuxers in pull mode. Up to three tries keep this test about our element.
  Outcome out;
  for (int attempt = 0; attempt < 3; ++attempt) {
    Pipeline p = launch("lpsegmentsrc name=src location=" + f + " ! queue ! qtdemux ! appsink name=sink sync=false");
    Collector c;
    c.attach(element(p, "sink"));
    out = run(p);
    if (!out.eos) continue;
    EXPECT_EQ(c.buffers, 30);
    g_autoptr(GstPad) pad = gst_element_get_static_pad(element(p, "src"), "src");
    EXPECT_EQ(GST_PAD_MODE(pad), GST_PAD_MODE_PUSH);
    break;
  }
  EXPECT_TRUE(out.eos) << out.message;
}

// An MPEG-TS segment handed over in memory, demuxed in push mode.
TEST_F(SegmentSrcTest, TsFromBytesThroughTsdemux) {
  if (!have("x264enc") || !have("mpegtsmux")) GTEST_SKIP() << "x264enc/mpegtsmux missing";
  const std::string f = encode("seg.ts", "mpegtsmux");
  gchar* contents = nullptr;
  gsize length = 0;
  ASSERT_TRUE(g_file_get_contents(f.c_str(), &contents, &length, nullptr));
  BytesPtr bytes(g_bytes_new_take(contents, length));
  Pipeline p = launch("lpsegmentsrc name=src ! tsdemux ! h264parse ! appsink name=sink sync=false");
  g_object_set(element(p, "src"), "bytes", bytes.get(), nullptr);
  Collector c;
  c.attach(element(p, "sink"));
  Outcome out = run(p);
  ASSERT_TRUE(out.eos) << out.message;
  EXPECT_EQ(c.buffers, 30);
}

TEST_F(SegmentSrcTest, MissingFile) {
  const std::string f = path("nope.ts");
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "location", f.c_str(), nullptr); });
  EXPECT_EQ(out.message, "segment file '" + f + "' not found");
  EXPECT_EQ(out.code, GST_RESOURCE_ERROR_NOT_FOUND);
}

TEST_F(SegmentSrcTest, EmptyFile) {
  const std::string f = write("empty.ts", "");
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "location", f.c_str(), nullptr); });
  EXPECT_NE(out.message.find("segment is empty"), std::string::npos) << out.message;
  EXPECT_NE(out.message.find(f), std::string::npos) << out.message;
  EXPECT_EQ(out.code, GST_RESOURCE_ERROR_READ);
}

TEST_F(SegmentSrcTest, FileLargerThanMaxSize) {
  const std::string f = write("big.ts", pattern_bytes(20000));
  Outcome out = run_to_error(
      [&](GstElement* src) { g_object_set(src, "location", f.c_str(), "max-size", guint64{10000}, nullptr); });
  EXPECT_NE(out.message.find("segment is 20000 bytes, larger than max-size 10000"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcTest, FileOfExactlyMaxSizeIsAccepted) {
  const std::string data = pattern_bytes(10000);
  const std::string f = write("seg.ts", data);
  Pipeline p = launch("lpsegmentsrc max-size=10000 location=" + f + " ! appsink name=sink sync=false");
  Collector c;
  c.attach(element(p, "sink"));
  ASSERT_TRUE(run(p).eos);
  EXPECT_EQ(c.bytes, data);
}

TEST_F(SegmentSrcTest, BytesLargerThanMaxSizeOrEmpty) {
  const std::string data = pattern_bytes(5000);
  BytesPtr big(g_bytes_new(data.data(), data.size()));
  Outcome out =
      run_to_error([&](GstElement* src) { g_object_set(src, "bytes", big.get(), "max-size", guint64{4999}, nullptr); });
  EXPECT_NE(out.message.find("segment is 5000 bytes, larger than max-size 4999"), std::string::npos) << out.message;
  BytesPtr empty(g_bytes_new(nullptr, 0));
  out = run_to_error([&](GstElement* src) { g_object_set(src, "bytes", empty.get(), nullptr); });
  EXPECT_NE(out.message.find("segment is empty"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcTest, NoSourceSet) {
  Outcome out = run_to_error([](GstElement*) {});
  EXPECT_NE(out.message.find("set one of location, uri or bytes"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcTest, TwoSourcesSet) {
  const std::string f = write("seg.ts", "x");
  Outcome out = run_to_error(
      [&](GstElement* src) { g_object_set(src, "location", f.c_str(), "uri", "http://127.0.0.1:1/x", nullptr); });
  EXPECT_NE(out.message.find("only one of location, uri or bytes"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcTest, UnsupportedScheme) {
  Outcome out =
      run_to_error([](GstElement* src) { g_object_set(src, "uri", "ftp://example.invalid/seg.ts", nullptr); });
  EXPECT_NE(out.message.find("unsupported segment URI scheme 'ftp'"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcTest, CanRunTwice) {
  const std::string data = pattern_bytes(70000);
  const std::string f = write("seg.bin", data);
  Pipeline p = launch("lpsegmentsrc location=" + f + " ! appsink name=sink sync=false");
  Collector c;
  c.attach(element(p, "sink"));
  ASSERT_TRUE(run(p).eos);
  gst_element_set_state(p.get(), GST_STATE_NULL);
  ASSERT_TRUE(run(p).eos);
  EXPECT_EQ(c.bytes, data + data);
}

// ---- HTTP ------------------------------------------------------------------------------

constexpr size_t kOkSize = 1024 * 1024 + 7;
constexpr guint64 kChunkedCap = 256 * 1024 * 1024;  // the endless body stops here at most
constexpr size_t kChunk = 64 * 1024;

// A SoupServer on 127.0.0.1 with a port chosen at run time, running its own GMainContext in
// a thread, serving:
//   /ok       200 with kOkSize pattern bytes      /missing  404
//   /auth     200 with "secret data" when Authorization is "Bearer s3cret", else 403
//   /big      200 with a 100000-byte body (Content-Length)
//   /chunked  200 chunked, no Content-Length, up to kChunkedCap bytes
//   /chunked-small  the /ok body, chunked
//   /empty    200 with an empty body              /slow     never answers
class TestServer {
 public:
  TestServer() {
    std::promise<guint> port;
    auto ready = port.get_future();
    thread_ = std::thread([this, &port] { serve(port); });
    port_ = ready.get();
  }
  ~TestServer() {
    g_main_context_invoke(
        context_.get(),
        [](gpointer loop) -> gboolean {
          g_main_loop_quit(static_cast<GMainLoop*>(loop));
          return G_SOURCE_REMOVE;
        },
        loop_.get());
    thread_.join();
  }
  std::string url(const char* path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  guint64 chunked_sent() const { return chunked_sent_; }
  guint64 requests() const { return requests_; }

 private:
  void serve(std::promise<guint>& port) {
    g_main_context_push_thread_default(context_.get());
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
        g_main_loop_run(loop_.get());
      }
      soup_server_disconnect(server);
    }
    while (g_main_context_iteration(context_.get(), FALSE)) {
    }
    g_main_context_pop_thread_default(context_.get());
  }

  static void handle(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer user_data) {
    auto* self = static_cast<TestServer*>(user_data);
    const std::string p = path;
    self->requests_++;
    auto reply = [msg](const std::string& body) {
      soup_server_message_set_status(msg, SOUP_STATUS_OK, nullptr);
      soup_server_message_set_response(msg, "application/octet-stream", SOUP_MEMORY_COPY, body.data(), body.size());
    };
    if (p == "/ok") {
      reply(pattern_bytes(kOkSize));
    } else if (p == "/auth") {
      const char* auth = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
      if (auth && std::string(auth) == "Bearer s3cret")
        reply("secret data");
      else
        soup_server_message_set_status(msg, SOUP_STATUS_FORBIDDEN, nullptr);
    } else if (p == "/big") {
      reply(pattern_bytes(100000));
    } else if (p == "/empty") {
      reply("");
    } else if (p == "/chunked") {
      soup_server_message_set_status(msg, SOUP_STATUS_OK, nullptr);
      soup_message_headers_set_encoding(soup_server_message_get_response_headers(msg), SOUP_ENCODING_CHUNKED);
      g_signal_connect(msg, "wrote-chunk", G_CALLBACK(next_chunk), self);
      next_chunk(msg, self);
    } else if (p == "/chunked-small") {
      soup_server_message_set_status(msg, SOUP_STATUS_OK, nullptr);
      soup_message_headers_set_encoding(soup_server_message_get_response_headers(msg), SOUP_ENCODING_CHUNKED);
      const std::string data = pattern_bytes(kOkSize);
      SoupMessageBody* body = soup_server_message_get_response_body(msg);
      for (size_t at = 0; at < data.size(); at += 100000)
        soup_message_body_append(body, SOUP_MEMORY_COPY, data.data() + at, std::min<size_t>(100000, data.size() - at));
      soup_message_body_complete(body);
    } else if (p == "/slow") {
      soup_server_message_pause(msg);  // the server is torn down with it still pending
    } else {
      soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
    }
  }

  static void next_chunk(SoupServerMessage* msg, gpointer user_data) {
    auto* self = static_cast<TestServer*>(user_data);
    SoupMessageBody* body = soup_server_message_get_response_body(msg);
    if (self->chunked_sent_ >= kChunkedCap) {
      soup_message_body_complete(body);
      return;
    }
    static const std::string chunk = pattern_bytes(kChunk);
    soup_message_body_append(body, SOUP_MEMORY_STATIC, chunk.data(), chunk.size());
    self->chunked_sent_ += kChunk;
  }

  std::unique_ptr<GMainContext, FnDeleter<g_main_context_unref>> context_{g_main_context_new()};
  std::unique_ptr<GMainLoop, FnDeleter<g_main_loop_unref>> loop_{g_main_loop_new(context_.get(), FALSE)};
  std::thread thread_;
  guint port_ = 0;
  std::atomic<guint64> chunked_sent_{0};
  std::atomic<guint64> requests_{0};
};

class SegmentSrcHttpTest : public SegmentSrcTest {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<TestServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  static inline std::unique_ptr<TestServer> server_;
};

// Fetches `url` (optionally with extra headers) into an appsink.
Outcome fetch(const std::string& url, Collector* c, const char* extra_headers = nullptr) {
  Pipeline p = launch("lpsegmentsrc name=src ! appsink name=sink sync=false");
  GstElement* src = element(p, "src");
  g_object_set(src, "uri", url.c_str(), nullptr);
  if (extra_headers) gst_util_set_object_arg(G_OBJECT(src), "extra-headers", extra_headers);
  c->attach(element(p, "sink"));
  return run(p);
}

TEST_F(SegmentSrcHttpTest, OkBytesArriveIntact) {
  Collector c;
  Outcome out = fetch(server_->url("/ok"), &c);
  ASSERT_TRUE(out.eos) << out.message;
  EXPECT_EQ(c.bytes, pattern_bytes(kOkSize));
}

TEST_F(SegmentSrcHttpTest, DemuxerDownstreamFetchesOnce) {
  // Demuxers ask whether pull mode is possible before the source starts; answering must not
  // fetch the segment (basesrc's default answer starts and stops the element to find out).
  const guint64 before = server_->requests();
  Pipeline p = launch("lpsegmentsrc name=src ! typefind ! fakesink");
  g_object_set(element(p, "src"), "uri", server_->url("/ok").c_str(), nullptr);
  run(p);
  EXPECT_EQ(server_->requests() - before, 1u);
}

TEST_F(SegmentSrcHttpTest, ChunkedBodyWithoutLengthArrivesIntact) {
  Collector c;
  Outcome out = fetch(server_->url("/chunked-small"), &c);
  ASSERT_TRUE(out.eos) << out.message;
  EXPECT_EQ(c.bytes, pattern_bytes(kOkSize));
}

TEST_F(SegmentSrcHttpTest, NotFound) {
  const std::string url = server_->url("/missing");
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "uri", url.c_str(), nullptr); });
  EXPECT_EQ(out.message, "HTTP 404 Not Found fetching " + url);
  EXPECT_EQ(out.code, GST_RESOURCE_ERROR_NOT_FOUND);
}

TEST_F(SegmentSrcHttpTest, AuthHeaderFromExtraHeaders) {
  const std::string url = server_->url("/auth");
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "uri", url.c_str(), nullptr); });
  EXPECT_NE(out.message.find("HTTP 403 Forbidden"), std::string::npos) << out.message;

  // A wrong token: still 403, and the message does not reveal it.
  out = run_to_error([&](GstElement* src) {
    g_object_set(src, "uri", url.c_str(), nullptr);
    gst_util_set_object_arg(G_OBJECT(src), "extra-headers", "headers, Authorization=\"Bearer wrong-token\"");
  });
  EXPECT_NE(out.message.find("403"), std::string::npos) << out.message;
  EXPECT_EQ(out.message.find("wrong-token"), std::string::npos) << out.message;

  Collector c;
  out = fetch(url, &c, "headers, Authorization=\"Bearer s3cret\"");
  ASSERT_TRUE(out.eos) << out.message;
  EXPECT_EQ(c.bytes, "secret data");
}

TEST_F(SegmentSrcHttpTest, ContentLengthOverMaxSize) {
  const std::string url = server_->url("/big");
  Outcome out = run_to_error(
      [&](GstElement* src) { g_object_set(src, "uri", url.c_str(), "max-size", guint64{10000}, nullptr); });
  EXPECT_NE(out.message.find("segment is 100000 bytes, larger than max-size 10000"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcHttpTest, ChunkedBodyOverMaxSizeStopsEarly) {
  const std::string url = server_->url("/chunked");
  Outcome out = run_to_error(
      [&](GstElement* src) { g_object_set(src, "uri", url.c_str(), "max-size", guint64{200000}, nullptr); });
  EXPECT_NE(out.message.find("larger than max-size 200000"), std::string::npos) << out.message;
  // The client hung up long before the server's cap: it did not drain the body.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_LT(server_->chunked_sent(), kChunkedCap / 4);
}

TEST_F(SegmentSrcHttpTest, EmptyBody) {
  const std::string url = server_->url("/empty");
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "uri", url.c_str(), nullptr); });
  EXPECT_NE(out.message.find("segment is empty"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcHttpTest, SlowServerTimesOut) {
  const std::string url = server_->url("/slow");
  const auto start = std::chrono::steady_clock::now();
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "uri", url.c_str(), "timeout", 1u, nullptr); });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.message, "timed out after 1 s fetching " + url);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(SegmentSrcHttpTest, ConnectionRefused) {
  // A port that was free a moment ago and has nobody listening now.
  g_autoptr(GSocket) sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  ASSERT_TRUE(g_socket_bind(sock, any, TRUE, nullptr));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(sock, nullptr);
  const guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_socket_close(sock, nullptr);

  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/seg.ts";
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "uri", url.c_str(), nullptr); });
  EXPECT_EQ(out.message.rfind("could not fetch " + url + ": ", 0), 0u) << out.message;
  EXPECT_NE(out.message.find("refused"), std::string::npos) << out.message;
}

TEST_F(SegmentSrcHttpTest, PasswordInUriIsHidden) {
  const std::string url = server_->url("/missing");
  const std::string with_password = "http://user:hunter2@" + url.substr(strlen("http://"));
  Outcome out = run_to_error([&](GstElement* src) { g_object_set(src, "uri", with_password.c_str(), nullptr); });
  EXPECT_NE(out.message.find("404"), std::string::npos) << out.message;
  EXPECT_EQ(out.message.find("hunter2"), std::string::npos) << out.message;
}

}  // namespace
