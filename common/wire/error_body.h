// Error responses: HTTP status + {"error":{"code":"busy","message":"..."}}. The code is
// lp::error_code_name(); the status follows from the code, so both ends agree on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "error.h"
#include "wire/json_fwd.h"

namespace lp::wire {

struct ErrorBody {
  // Kept as text: a newer peer may send a code this build does not know.
  std::string code;
  std::string message;

  bool operator==(const ErrorBody&) const = default;
};

ErrorBody error_body(const Error& error);

// The error the body describes; a code this build does not know becomes Internal, with the
// code kept in front of the message.
Error to_error(const ErrorBody& body);

// Inverse of error_code_name().
std::optional<ErrorCode> error_code_from_name(std::string_view name);

// The HTTP status an error is answered with (400, 401, 413, 503, ...). busy and
// no_transcoder are 503 and go with a Retry-After header.
int http_status(ErrorCode code);

std::string to_json(const ErrorBody& body);
Result<ErrorBody> error_body_from_json(std::string_view text);

// The inner {"code":...,"message":...} object, for messages that embed one (job failures);
// see json_fields.h.
namespace json {
void describe(Reader& io, ErrorBody& body);
void describe(Writer& io, const ErrorBody& body);
}  // namespace json

}  // namespace lp::wire
