// Typed errors shared by every lpgst layer. The code maps onto the wire's error codes
// ({"error":{"code":...}}), the message is for people.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace lp {

enum class ErrorCode {
  BadSegment,          // corrupt, truncated, empty, no video, undecodable
  InvalidProfile,      // a profile field is missing or wrong
  UnknownProfile,      // a preset name we do not know
  Unsupported,         // no encoder/decoder/container for what was asked
  NotFound,            // a file or URL that does not exist
  TooLarge,            // over a size cap
  Timeout,             // did not finish in time
  BadSignature,        // a malformed signature, or one not made by the expected signer
  BadKey,              // a malformed private key, address or keystore file
  Unauthorized,        // a wrong password, or a required signature that is missing
  Busy,                // at capacity right now: try again later (503 + Retry-After)
  HashMismatch,        // a body whose hash is not the one its headers announce
  NoTranscoder,        // no transcoder is connected that could take the work
  BadRequest,          // a malformed request or message: bad JSON, a missing or wrong field/header
  Unreachable,         // a peer that does not answer (refused, reset, vanished mid-answer)
  VerificationFailed,  // a result that does not check out: signature, hashes or pixel counts
  Internal,            // a bug or an environment problem (missing plugin, ...)
};

// Stable lower-case name used on the wire and in logs.
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

// The one failure convention: a fallible call returns Result<T> (a value or an Error), or
// Result<void> when success carries nothing. Predicates that explain a refusal are named for
// what they return (`lacks`, `check_can_transcode`) and are not failures.
// A value or an Error (std::expected is C++23).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }
  Error& error() { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Success, or an Error. `return {};` succeeds; `return Error{...};` fails.
template <>
class Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }
  Error& error() { return *error_; }

 private:
  std::optional<Error> error_;  // empty on success
};

}  // namespace lp
