// gRPC's framing over HTTP/2 (the "Length-Prefixed-Message" of gRPC's PROTOCOL-HTTP2 spec):
// each message is a compressed flag byte, a 4-byte big-endian length, then the protobuf
// bytes; a call ends with grpc-status / grpc-message trailers. Small enough to do here
// rather than take in the gRPC library, so one HTTP/2 stack (nghttp2) serves both ends.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "error.h"
#include "http2/h2_connection.h"

namespace lp::grpc {

// Status codes a peer may send (grpc/status.h numbering).
enum StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kResourceExhausted = 8,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

// One uncompressed message, length-prefixed.
std::string frame(std::string_view message);

// The request headers of a call to `path` ("/net.Transcoder/RegisterTranscoder").
h2::Headers request_headers(const std::string& path);

// Splits a response body into messages as its bytes arrive.
class MessageReader {
 public:
  explicit MessageReader(size_t max_message = 16 << 20) : max_(max_message) {}
  // Calls `on_message` for each complete message; an error (compressed or oversize message)
  // means the stream must be abandoned.
  Result<void> feed(std::string_view bytes, const std::function<void(std::string&&)>& on_message);
  // Bytes of an unfinished message (a stream that ends with some is truncated).
  size_t pending() const { return buffer_.size(); }

 private:
  size_t max_;
  std::string buffer_;
};

struct Status {
  int code = kUnknown;
  std::string message;
};

// The status of a finished call from its trailers (or, for a trailers-only answer, its
// headers): grpc-status and the percent-decoded grpc-message. nullopt when there is none.
std::optional<Status> status_from(const h2::Headers& headers);

// gRPC's percent-encoding of grpc-message, and its reverse.
std::string percent_encode(std::string_view text);
std::string percent_decode(std::string_view text);

}  // namespace lp::grpc
