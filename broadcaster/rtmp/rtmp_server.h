// A minimal RTMP ingest server (Adobe RTMP spec 1.0) for `lpnode --gateway`: publishers
// (OBS, ffmpeg, GStreamer's rtmp2sink) connect, publish a stream key, and their audio/video
// comes out as FLV bytes ready for flvdemux. Plain RTMP over TCP, AMF0 commands, publishing
// only (no playback). Single-threaded: every socket is a GSocket source on the global default
// GMainContext, and the handlers run there.
#pragma once

#include <glib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "error.h"

namespace lp {

struct RtmpPublish {
  std::string app;         // from connect's "app" (else the tcUrl path), without any "?query"
  std::string stream_key;  // the publish name, without any "?query"
  std::string query;       // what followed '?' in the publish name, else in the app ("" if none)
  std::string tc_url;      // connect's tcUrl, as sent
  std::string peer;        // the publisher's address, "ip:port"
};

struct RtmpServerOptions {
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(5)};  // accept -> handshake done
  std::chrono::milliseconds publish_timeout{std::chrono::seconds(15)};   // connected but not publishing
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};      // no byte from the peer
  // Larger messages, and Set Chunk Size beyond it, close the connection. Until its publish is
  // accepted a connection may only send messages of up to 64 KiB (commands).
  uint32_t max_message_size = 16u << 20;
  size_t max_connections = 256;          // further connections are closed at once
  uint32_t window_ack_size = 2'500'000;  // announced to peers; we acknowledge every this many bytes
  uint32_t chunk_size = 4096;            // for what we send
  size_t max_output_bytes = 1u << 20;    // queued for a peer that does not read: then it is closed
};

class RtmpServer {
 public:
  using Options = RtmpServerOptions;

  // All handlers run on the default main context. They must not destroy the server; they may
  // call disconnect(). Every accepted on_publish is followed by exactly one on_end.
  struct Handlers {
    // A publisher asks to publish: return an error to refuse it (the publisher gets onStatus
    // NetStream.Publish.Rejected with its message and is closed), success to accept. Not called for a
    // key that is already live: that publisher gets NetStream.Publish.BadName.
    std::function<Result<void>(const RtmpPublish&)> on_publish;
    // FLV bytes of the stream: the first call carries the 13-byte FLV file header ("FLV",
    // version 1, flags audio + video, header size 9, PreviousTagSize0), each later call one
    // whole tag (11-byte header, body, PreviousTagSize)
    // for an audio, video or script-data message, timestamps as sent; "@setDataFrame" is
    // stripped. Nothing before the first message. `flv` is borrowed: g_bytes_ref() to keep it.
    std::function<void(const std::string& stream_key, GBytes* flv)> on_data;
    // The publish ended: `why` is "FCUnpublish", "closeStream" or "deleteStream" when the
    // publisher said so, the text given to disconnect(), else why its connection closed
    // ("closed by the peer", a timeout, malformed input, "server stopping", ...).
    std::function<void(const std::string& stream_key, const std::string& why)> on_end;
  };

  // Listens on `addr`, "host:port" with a numeric host ("0.0.0.0:1935", "[::]:1935",
  // "127.0.0.1:0"; port 0 picks a free one, port() says which; an empty host means 0.0.0.0).
  // Call it on the thread that runs the default main context.
  static Result<std::unique_ptr<RtmpServer>> start(const std::string& addr, Handlers handlers, Options options = {});
  // Closes every connection (on_end for each live publish, why "server stopping"). Destroy it
  // on the thread that runs the default main context, as for start().
  ~RtmpServer();
  RtmpServer(const RtmpServer&) = delete;
  RtmpServer& operator=(const RtmpServer&) = delete;

  int port() const;
  // Connections open now (handshaking, publishing or idle).
  size_t connection_count() const;
  // Closes the connection publishing `stream_key`; on_end gets `why` before this returns.
  // False if no connection publishes it.
  bool disconnect(const std::string& stream_key, const std::string& why);

 private:
  struct Impl;
  explicit RtmpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp
