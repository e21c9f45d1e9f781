// Test helpers for the RTMP server tests: the default main context's loop on a thread,
// an rtmp2sink publisher, a raw-socket RTMP client, and an FLV tag parser for checks.
// Header-only: one test file uses them.
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "media.h"
#include "rtmp_amf0.h"
#include "rtmp_bytes.h"
#include "rtmp_chunk.h"

namespace lp::rtmp_test {

using namespace std::chrono_literals;
using test::detail::BusPtr;
using test::detail::ElementPtr;
using test::detail::ErrorPtr;
using test::detail::MessagePtr;

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};

// ---- the server's thread ------------------------------------------------------------------

class LoopThread {
 public:
  LoopThread() : loop_(g_main_loop_new(nullptr, FALSE)) {
    thread_ = std::thread([this] { g_main_loop_run(loop_); });
  }
  ~LoopThread() {
    run([this] { g_main_loop_quit(loop_); });
    thread_.join();
    g_main_loop_unref(loop_);
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  // Runs `fn` on the loop's thread and waits for it (an idle source always dispatches from
  // the loop, unlike g_main_context_invoke, which may run it right here).
  void run(std::function<void()> fn) {
    std::promise<void> done;
    auto task = std::make_unique<std::function<void()>>([&] {
      fn();
      done.set_value();
    });
    g_idle_add_full(
        G_PRIORITY_DEFAULT,
        [](gpointer data) -> gboolean {
          (*static_cast<std::function<void()>*>(data))();
          return G_SOURCE_REMOVE;
        },
        task.release(), [](gpointer data) { delete static_cast<std::function<void()>*>(data); });
    done.get_future().wait();
  }

 private:
  GMainLoop* loop_;
  std::thread thread_;
};

// ---- publishers ---------------------------------------------------------------------------

// rtmp2sink fed by flvmux with H.264 and AAC: 90 frames, 3 s of media.
class Publisher {
 public:
  Publisher(int port, const std::string& key, bool live) {
    const std::string is_live = live ? "true" : "false";
    const std::string description = "videotestsrc num-buffers=90 is-live=" + is_live +
                                    " ! video/x-raw,width=320,height=240,framerate=30/1"
                                    " ! x264enc tune=zerolatency key-int-max=30 speed-preset=ultrafast ! h264parse"
                                    " ! flvmux streamable=true name=m ! rtmp2sink location=rtmp://127.0.0.1:" +
                                    std::to_string(port) + "/live/" + key + " sync=" + is_live +
                                    " audiotestsrc num-buffers=129 is-live=" + is_live +
                                    " ! audioconvert ! avenc_aac ! aacparse ! m.";
    GError* error = nullptr;
    pipeline_.reset(gst_parse_launch(description.c_str(), &error));
    ErrorPtr owned(error);
    if (!pipeline_ || error)
      throw std::runtime_error("publisher pipeline: " + std::string(error ? error->message : "?"));
    gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING);
  }
  ~Publisher() { gst_element_set_state(pipeline_.get(), GST_STATE_NULL); }
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // nullopt at EOS, else the error text ("timeout" when neither came).
  std::optional<std::string> wait(std::chrono::milliseconds limit) {
    BusPtr bus(gst_element_get_bus(pipeline_.get()));
    MessagePtr msg(gst_bus_timed_pop_filtered(bus.get(), limit.count() * GST_MSECOND,
                                              static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
    if (!msg) return "timeout";
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS) return std::nullopt;
    GError* error = nullptr;
    gst_message_parse_error(msg.get(), &error, nullptr);
    ErrorPtr owned(error);
    return std::string(error->message);
  }

 private:
  ElementPtr pipeline_;
};

// ---- raw clients --------------------------------------------------------------------------

class RawClient {
 public:
  explicit RawClient(int port) {
    socket_.reset(g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr));
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, static_cast<guint16>(port));
    g_socket_set_timeout(socket_.get(), 5);
    if (!g_socket_connect(socket_.get(), address, nullptr, nullptr)) throw std::runtime_error("cannot connect");
  }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      gssize n = g_socket_send(socket_.get(), bytes.data(), bytes.size(), nullptr, nullptr);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Exactly n bytes, or nullopt when the connection ends or stays silent for 5 s.
  std::optional<std::string> receive(size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      gssize r = g_socket_receive(socket_.get(), out.data() + got, n - got, nullptr, nullptr);
      if (r <= 0) return std::nullopt;
      got += static_cast<size_t>(r);
    }
    return out;
  }

  // True when the server closes the connection (EOF or reset) within `limit`; bytes it sends
  // meanwhile are dropped.
  bool closed_by_server(std::chrono::milliseconds limit) {
    const gint64 deadline = g_get_monotonic_time() + limit.count() * 1000;
    char buffer[4096];
    for (;;) {
      const gint64 left = deadline - g_get_monotonic_time();
      if (left <= 0) return false;
      if (!g_socket_condition_timed_wait(socket_.get(), G_IO_IN, left, nullptr, nullptr)) return false;
      if (g_socket_receive(socket_.get(), buffer, sizeof buffer, nullptr, nullptr) <= 0) return true;
    }
  }

  // C0+C1 -> S0+S1+S2 -> C2. `flash_c1` fills C1's version field, as digest-scheme clients do.
  bool handshake(bool flash_c1 = false) {
    std::string c0c1(1 + 1536, '\0');
    c0c1[0] = 3;
    if (flash_c1) {
      c0c1[5] = 9;
      c0c1[7] = 124;
    }
    for (size_t i = 9; i < c0c1.size(); ++i) c0c1[i] = static_cast<char>(i * 7);
    if (!send(c0c1)) return false;
    auto reply = receive(1 + 2 * 1536);
    if (!reply || (*reply)[0] != 3) return false;
    if (reply->substr(1 + 1536 + 8) != c0c1.substr(1 + 8)) return false;  // S2 echoes C1
    return send(reply->substr(1, 1536));                                  // C2 echoes S1
  }

  // Sends one message through a chunk writer (format 0, then format 3 chunks).
  bool send_message(uint32_t csid, rtmp::Message message) {
    std::string out;
    writer_.write(out, csid, message);
    return send(out);
  }
  void set_chunk_size(uint32_t size) {
    std::string p;
    rtmp::put_be32(p, size);
    send_message(2, rtmp::Message{rtmp::kSetChunkSize, 0, 0, p});
    writer_.set_chunk_size(size);
  }

  // Reads server messages until `want` accepts one; false when none did within 5 s.
  bool read_until(const std::function<bool(const rtmp::Message&)>& want) {
    bool found = false;
    for (int reads = 0; reads < 100 && !found; ++reads) {
      char buffer[4096];
      if (!g_socket_condition_timed_wait(socket_.get(), G_IO_IN, 5 * G_USEC_PER_SEC, nullptr, nullptr)) return false;
      gssize n = g_socket_receive(socket_.get(), buffer, sizeof buffer, nullptr, nullptr);
      if (n <= 0) return false;
      auto error = reader_.feed(std::string_view(buffer, static_cast<size_t>(n)), [&](rtmp::Message&& m) {
        if (m.type == rtmp::kSetChunkSize) reader_.set_chunk_size(rtmp::read_be32(m.payload));
        if (want(m)) found = true;
        return true;
      });
      if (!error.ok()) return false;
    }
    return found;
  }

  void send_command(uint32_t stream_id, std::initializer_list<rtmp::Amf0Value> values) {
    send_message(stream_id == 0 ? 3 : 5, rtmp::Message{rtmp::kCommandAmf0, stream_id, 0, rtmp::amf0_encode(values)});
  }

 private:
  std::unique_ptr<GSocket, GObjectUnref> socket_;
  rtmp::ChunkWriter writer_;
  rtmp::ChunkReader reader_{rtmp::ChunkReader::Limits{}};
};

// An AMF0 command's name and its info object's "code", for matching replies.
inline std::pair<std::string, std::string> command_and_code(const rtmp::Message& m) {
  if (m.type != rtmp::kCommandAmf0) return {};
  auto values = rtmp::amf0_decode_all(m.payload);
  if (!values || values->empty()) return {};
  std::string code;
  for (const auto& v : *values) {
    if (!v.string_field("code").empty()) code = v.string_field("code");
  }
  return {(*values)[0].string, code};
}

// ---- FLV parsing for checks -----------------------------------------------------------------

struct FlvTag {
  uint8_t type = 0;
  uint32_t timestamp = 0;
  std::string body;
};

// The tags after the 13-byte file header; fails the test on a malformed layout.
inline std::vector<FlvTag> parse_flv(const std::string& flv) {
  std::vector<FlvTag> tags;
  EXPECT_GE(flv.size(), 13u);
  if (flv.size() < 13) return tags;
  EXPECT_EQ(flv.substr(0, 4), std::string("FLV\x01", 4));
  std::string_view p = std::string_view(flv).substr(13);
  while (!p.empty()) {
    EXPECT_GE(p.size(), 15u);
    if (p.size() < 15) break;
    const uint32_t size = rtmp::read_be24(p.substr(1));
    EXPECT_GE(p.size(), 15u + size);
    if (p.size() < 15u + size) break;
    FlvTag tag{rtmp::byte_at(p, 0), rtmp::read_be24(p.substr(4)) | (uint32_t{rtmp::byte_at(p, 7)} << 24),
               std::string(p.substr(11, size))};
    EXPECT_EQ(rtmp::read_be24(p.substr(8)), 0u);
    EXPECT_EQ(rtmp::read_be32(p.substr(11 + size)), 11u + size);  // PreviousTagSize
    tags.push_back(std::move(tag));
    p.remove_prefix(15 + size);
  }
  return tags;
}

}  // namespace lp::rtmp_test
