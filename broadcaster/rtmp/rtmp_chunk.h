// The RTMP chunk stream (Adobe RTMP spec 1.0, section 5.3): messages cut into chunks of at
// most `chunk size` payload bytes, chunks of several chunk streams interleaved, headers
// compressed against the previous header of the same chunk stream (formats 0..3).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "error.h"

namespace lp::rtmp {

// Message type ids (spec 5.4 and 7.1).
enum MessageType : uint8_t {
  kSetChunkSize = 1,
  kAbort = 2,
  kAcknowledgement = 3,
  kUserControl = 4,
  kWindowAckSize = 5,
  kSetPeerBandwidth = 6,
  kAudio = 8,
  kVideo = 9,
  kDataAmf3 = 15,
  kCommandAmf3 = 17,
  kDataAmf0 = 18,
  kCommandAmf0 = 20,
  kAggregate = 22,
};

// User control event types (spec 7.1.7).
enum UserControlEvent : uint16_t {
  kStreamBegin = 0,
  kPingRequest = 6,
  kPingResponse = 7,
};

constexpr uint32_t kDefaultChunkSize = 128;

struct Message {
  uint8_t type = 0;
  uint32_t stream_id = 0;  // message stream id (0: the connection's control stream)
  uint32_t timestamp = 0;  // ms, 32 bits, as the sender stamped it
  std::string payload;
};

// Reassembles the messages a peer sends from its chunks. Bounded: a message over
// max_message_size, more than max_chunk_streams chunk streams, or more than
// max_pending_bytes of partly received messages is an error.
class ChunkReader {
 public:
  struct Limits {
    uint32_t max_message_size = 16u << 20;
    size_t max_chunk_streams = 64;
    size_t max_pending_bytes = 32u << 20;
  };
  // Return false to stop reading (the connection is closing).
  using OnMessage = std::function<bool(Message&&)>;

  explicit ChunkReader(Limits limits) : limits_(limits) {}

  // Applies to messages whose first chunk comes next.
  void set_limits(Limits limits) { limits_ = limits; }
  // The peer's Set Chunk Size: applies from its next chunk. The caller validates the range.
  void set_chunk_size(uint32_t size) { chunk_size_ = size; }
  // The peer's Abort Message: drops what was received of the message on chunk stream `csid`.
  void abort(uint32_t csid);

  // Consumes `data` (any split is fine) and calls `on_message` for each completed message.
  // A BadRequest error describes the problem when the stream is malformed or over a limit.
  Result<void> feed(std::string_view data, const OnMessage& on_message);

 private:
  struct Stream {
    uint32_t timestamp = 0;  // of the message being read, or of the last one
    uint32_t ts_field = 0;   // the last header's timestamp (format 0) or delta (1, 2): format 3 reuses it
    bool extended = false;   // the last header carried an extended timestamp
    uint32_t length = 0;
    uint8_t type = 0;
    uint32_t stream_id = 0;
    bool reading = false;  // a message is partly received
    std::string payload;
  };

  // Size of the chunk header at the start of `h`, or nullopt while more bytes are needed to tell.
  std::optional<size_t> header_size(std::string_view h) const;
  Result<void> apply_header(std::string_view h);
  // Hands over the current message if it is complete; false when on_message said stop.
  bool finish_if_complete(const OnMessage& on_message);

  Limits limits_;
  uint32_t chunk_size_ = kDefaultChunkSize;
  std::map<uint32_t, Stream> streams_;  // by chunk stream id
  std::string header_;                  // the next chunk's header, while incomplete
  Stream* current_ = nullptr;           // the stream whose chunk payload is arriving
  uint32_t chunk_left_ = 0;             // payload bytes of the current chunk still to come
  size_t pending_bytes_ = 0;            // bytes of all partly received messages
};

// Cuts outgoing messages into chunks: a format-0 header on the first chunk, format 3 after.
class ChunkWriter {
 public:
  void set_chunk_size(uint32_t size) { chunk_size_ = size; }
  void write(std::string& out, uint32_t csid, const Message& message) const;

 private:
  uint32_t chunk_size_ = kDefaultChunkSize;
};

}  // namespace lp::rtmp
