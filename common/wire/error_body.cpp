#include "wire/error_body.h"

#include "wire/json_fields.h"

namespace lp::wire {
namespace {

// Every code, for the name lookup. A code added to error.h but not here still fails the
// build in http_status() below (-Wswitch), which is the reminder to list it.
constexpr ErrorCode kAllCodes[] = {
    ErrorCode::BadSegment,
    ErrorCode::InvalidProfile,
    ErrorCode::UnknownProfile,
    ErrorCode::Unsupported,
    ErrorCode::NotFound,
    ErrorCode::TooLarge,
    ErrorCode::Timeout,
    ErrorCode::BadSignature,
    ErrorCode::BadKey,
    ErrorCode::Unauthorized,
    ErrorCode::Busy,
    ErrorCode::HashMismatch,
    ErrorCode::NoTranscoder,
    ErrorCode::BadRequest,
    ErrorCode::Internal,
    ErrorCode::Unreachable,
    ErrorCode::VerificationFailed,
};

// The body as sent: the detail object under "error".
struct Wrapped {
  ErrorBody body;
};

}  // namespace

int http_status(ErrorCode code) {
  // 400: the request itself is wrong; 422: well-formed but its content cannot be used.
  switch (code) {
    case ErrorCode::BadRequest:
    case ErrorCode::InvalidProfile:
    case ErrorCode::UnknownProfile:
    case ErrorCode::BadKey: return 400;
    case ErrorCode::Unauthorized: return 401;
    case ErrorCode::BadSignature: return 403;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::TooLarge: return 413;
    case ErrorCode::Unsupported: return 415;
    case ErrorCode::BadSegment:
    case ErrorCode::HashMismatch: return 422;
    case ErrorCode::Internal: return 500;
    case ErrorCode::Unreachable:
    case ErrorCode::VerificationFailed: return 502;  // the upstream orchestrator failed us
    case ErrorCode::Busy:
    case ErrorCode::NoTranscoder: return 503;
    case ErrorCode::Timeout: return 504;
  }
  return 500;
}

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (ErrorCode code : kAllCodes) {
    if (name == error_code_name(code)) return code;
  }
  return std::nullopt;
}

ErrorBody error_body(const Error& error) { return {error_code_name(error.code), error.message}; }

Error to_error(const ErrorBody& body) {
  if (auto code = error_code_from_name(body.code)) return Error{*code, body.message};
  return Error{ErrorCode::Internal, body.code + ": " + body.message};
}

namespace json {
namespace {

template <typename Io, typename Self>
void map_detail(Io& io, Self& body) {
  io.string("code", body.code);
  io.string("message", body.message, Need::Optional);
}

}  // namespace

void describe(Reader& io, ErrorBody& body) { map_detail(io, body); }
void describe(Writer& io, const ErrorBody& body) { map_detail(io, body); }
void describe(Reader& io, Wrapped& w) { io.object("error", w.body); }
void describe(Writer& io, const Wrapped& w) { io.object("error", w.body); }

}  // namespace json

std::string to_json(const ErrorBody& body) { return json::write(Wrapped{body}); }

Result<ErrorBody> error_body_from_json(std::string_view text) {
  auto wrapped = json::parse<Wrapped>(text);
  if (!wrapped) return wrapped.error();
  return std::move(wrapped->body);
}

}  // namespace lp::wire
