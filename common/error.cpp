#include "error.h"

namespace lp {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadSegment: return "bad_segment";
    case ErrorCode::InvalidProfile: return "invalid_profile";
    case ErrorCode::UnknownProfile: return "unknown_profile";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::TooLarge: return "too_large";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::BadSignature: return "bad_signature";
    case ErrorCode::BadKey: return "bad_key";
    case ErrorCode::Unauthorized: return "unauthorized";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::HashMismatch: return "hash_mismatch";
    case ErrorCode::NoTranscoder: return "no_transcoder";
    case ErrorCode::BadRequest: return "bad_request";
    case ErrorCode::Unreachable: return "unreachable";
    case ErrorCode::VerificationFailed: return "verification_failed";
    case ErrorCode::Internal: return "internal";
  }
  return "internal";
}

}  // namespace lp
