// One publisher's RTMP conversation after the handshake, without the socket: bytes in,
// bytes to send out, publish events to the host. Protocol control (chunk size, window
// acknowledgements, pings), the commands of a publish (connect, releaseStream, FCPublish,
// createStream, publish, FCUnpublish, closeStream, deleteStream) and the media messages,
// turned into FLV.
#pragma once

#include <glib.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "rtmp_amf0.h"
#include "rtmp_chunk.h"
#include "rtmp_server.h"

namespace lp::rtmp {

// Peer-supplied text made fit for a log line: printable ASCII, at most 64 characters.
std::string printable(std::string_view text);
// A stream key for logs: keys are secrets, so only their first characters.
std::string redacted(std::string_view stream_key);

// Why a publish was refused: the onStatus code sent back and a description for people.
struct Refusal {
  std::string code;
  std::string description;
};

// What a session needs from its server.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // nullopt: accepted, the key is this session's until end_publish().
  virtual std::optional<Refusal> begin_publish(const RtmpPublish& publish) = 0;
  virtual void publish_data(const std::string& stream_key, GBytes* flv) = 0;
  virtual void end_publish(const std::string& stream_key, const std::string& why) = 0;
};

class Session {
 public:
  // How the connection must end, once a session wants it to.
  struct Closing {
    std::string why;
    bool flush_first = false;  // send what is queued (a refusal's onStatus) before closing
  };

  // `bytes_before`: what the peer already sent (the handshake), counted for acknowledgements.
  Session(SessionHost& host, const RtmpServerOptions& options, std::string peer, uint64_t bytes_before);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Takes bytes from the peer; once it returns a Closing, feed no more.
  std::optional<Closing> feed(std::string_view bytes);
  // The bytes to send since the last call.
  std::string take_output();
  // The connection is closing: ends a publish in progress (the host's end_publish gets `why`)
  // and stops a feed() in progress after the current message.
  void stop(const std::string& why);

  bool publishing() const { return publishing_; }
  const std::string& stream_key() const { return stream_key_; }

 private:
  void handle(Message&& message);
  void handle_control(const Message& message);
  void handle_command(const Message& message, std::string_view amf0);
  void handle_media(uint8_t type, uint32_t stream_id, uint32_t timestamp, std::string_view body);
  void handle_aggregate(const Message& message);
  void on_connect(double txn, const Amf0Value* command_object);
  void on_publish(uint32_t stream_id, const std::vector<Amf0Value>& values);
  void on_unpublish(const std::string& command, uint32_t stream_id, const std::vector<Amf0Value>& values);
  void end_publish(const std::string& why);
  void emit(GBytes* flv);

  void send(uint32_t csid, uint8_t type, uint32_t stream_id, std::string payload);
  void send_control(uint8_t type, uint32_t value);
  void send_user_control(uint16_t event, uint32_t value);
  void send_command(uint32_t stream_id, std::initializer_list<Amf0Value> values);
  void send_status(uint32_t stream_id, const char* level, const std::string& code, const std::string& description);
  void fail(std::string why, bool flush_first = false);

  SessionHost& host_;
  const RtmpServerOptions& options_;
  std::string peer_;
  ChunkReader reader_;
  ChunkWriter writer_;
  std::string output_;
  std::optional<Closing> closing_;
  uint64_t bytes_in_ = 0;
  uint64_t acked_ = 0;

  bool connected_ = false;
  std::string app_;
  std::string app_query_;
  std::string tc_url_;
  std::set<uint32_t> streams_;  // message stream ids made by createStream
  uint32_t last_stream_id_ = 0;

  bool publishing_ = false;
  std::string stream_key_;
  uint32_t publish_stream_ = 0;
  bool header_sent_ = false;
};

}  // namespace lp::rtmp
