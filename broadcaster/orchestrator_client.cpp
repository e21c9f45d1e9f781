#include "orchestrator_client.h"

#include "http/tls_trust.h"
#include "multipart_answer.h"
#include "result_verifier.h"
#include "sha256.h"
#include "wire/error_body.h"
#include "wire/segment.h"

namespace lp {
namespace {

// A token this close to expiry is renewed before use.
constexpr int64_t kTokenMarginS = 60;

int64_t unix_now() { return g_get_real_time() / G_USEC_PER_SEC; }

std::string text_of(GBytes* bytes) {
  gsize n = 0;
  const char* data = bytes ? static_cast<const char*>(g_bytes_get_data(bytes, &n)) : nullptr;
  return std::string(data ? data : "", n);
}

}  // namespace

OrchestratorClient::OrchestratorClient(std::string address, ClientOptions options)
    : address_(std::move(address)),
      options_(std::move(options)),
      session_(soup_session_new_with_options(
          "timeout", static_cast<guint>(std::max<int64_t>(1, options_.timeout.count() / 1000)), nullptr)) {
  soup_session_set_proxy_resolver(session_, nullptr);  // orchestrators are reached directly
}

OrchestratorClient::~OrchestratorClient() { g_object_unref(session_); }

Result<OrchestratorClient::Answer> OrchestratorClient::send(SoupMessage* msg) {
  // Any certificate: what is verified is the address that signs /v1/info and the results.
  accept_orchestrator_certificate(msg, "");
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read(session_, msg, options_.cancellable, &error);
  if (!body && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return Error{ErrorCode::Timeout, "orchestrator " + address_ + ": cancelled"};
  if (!body) {
    return Error{
        error && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? ErrorCode::Timeout : ErrorCode::Unreachable,
        "orchestrator " + address_ + ": " + (error ? error->message : "no answer")};
  }
  Answer a;
  a.status = soup_message_get_status(msg);
  const char* type = soup_message_headers_get_content_type(soup_message_get_response_headers(msg), nullptr);
  a.content_type = type ? type : "";
  a.body.reset(static_cast<GBytes*>(g_steal_pointer(&body)));
  return a;
}

// An error answer as the orchestrator coded it; a body that is not an error body keeps the
// status in the message.
Error OrchestratorClient::error_of(const Answer& answer, const std::string& what) const {
  const std::string text = text_of(answer.body.get());
  if (auto body = wire::error_body_from_json(text)) {
    Error e = wire::to_error(*body);
    e.message = "orchestrator " + address_ + " " + what + ": " + e.message;
    return e;
  }
  return Error{answer.status >= 500 ? ErrorCode::Unreachable : ErrorCode::BadRequest,
               "orchestrator " + address_ + " " + what + ": HTTP " + std::to_string(answer.status)};
}

Result<wire::Info> OrchestratorClient::info() {
  const std::string url = orchestrator_base_url(address_) + "/v1/info";
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  if (!msg) return Error{ErrorCode::BadRequest, "not a usable orchestrator address: " + address_};
  auto answer = send(msg);
  if (!answer) return answer.error();
  if (answer->status != 200) return error_of(*answer, "/v1/info");
  auto info = wire::info_from_json(text_of(answer->body.get()));
  if (!info)
    return Error{ErrorCode::VerificationFailed, "orchestrator " + address_ + " /v1/info: " + info.error().message};
  std::optional<eth::Address> signer;
  if (!info->signature.empty()) {
    auto claimed = eth::parse_address(info->signer);
    auto sig = eth::Signature::parse(info->signature);
    if (!claimed || !sig)
      return Error{ErrorCode::VerificationFailed, "orchestrator " + address_ + ": malformed info signature"};
    auto ok = eth::verify_personal(eth::bytes_of(wire::info_signing_text(*info)), *sig, *claimed);
    if (!ok)
      return Error{ErrorCode::VerificationFailed, "orchestrator " + address_ + " /v1/info: " + ok.error().message};
    signer = *claimed;
  } else if (options_.require_signature) {
    return Error{ErrorCode::VerificationFailed, "orchestrator " + address_ + " does not sign its /v1/info"};
  }
  if (options_.expected_signer && !(signer && *signer == *options_.expected_signer))
    return Error{ErrorCode::VerificationFailed, "orchestrator " + address_ + " signs as " +
                                                    (signer ? signer->checksummed() : std::string("nobody")) +
                                                    ", not " + options_.expected_signer->checksummed()};
  info_ = *info;
  signer_ = signer;
  return *info;
}

Result<TranscodedSegment> OrchestratorClient::transcode(const SegmentToSend& segment) {
  if (!info_ || info_->auth_token.expiry - kTokenMarginS <= unix_now()) {
    auto fresh = info();
    if (!fresh) return fresh.error();
  }
  gsize size = 0;
  const void* data = g_bytes_get_data(segment.body, &size);
  wire::SegmentHeaders headers;
  headers.stream_id = segment.stream_id;
  headers.seq = segment.seq;
  headers.duration_ms = segment.duration_ms;
  headers.profiles = segment.profiles;
  headers.body_sha256 = sha256_hex(data, size);
  headers.auth_token = info_->auth_token;
  if (options_.client_key) {
    headers.signer = options_.client_key->address().checksummed();
    headers.signature =
        eth::personal_sign(*options_.client_key, eth::bytes_of(wire::segment_signing_text(headers))).hex();
  }
  wire::HeaderMap map;
  wire::write_headers(headers, map);

  const std::string url = orchestrator_base_url(address_) + "/v1/segment";
  g_autoptr(SoupMessage) msg = soup_message_new("POST", url.c_str());
  SoupMessageHeaders* h = soup_message_get_request_headers(msg);
  for (const auto& [name, value] : map) soup_message_headers_replace(h, name.c_str(), value.c_str());
  soup_message_headers_replace(h, "Accept", "multipart/mixed");
  soup_message_set_request_body_from_bytes(msg, "video/mp2t", segment.body);
  auto answer = send(msg);
  if (!answer) return answer.error();
  if (answer->status == 401) info_.reset();  // a token the orchestrator no longer takes
  if (answer->status != 200) return error_of(*answer, "segment " + std::to_string(segment.seq));

  // multipart/mixed: the JSON result, then one part per rendition.
  auto parts = split_multipart_answer(soup_message_get_response_headers(msg), answer->body.get());
  if (!parts) return Error{parts.error().code, "orchestrator " + address_ + ": " + parts.error().message};
  auto result = wire::transcode_result_from_json(text_of((*parts)[0].get()));
  if (!result) return Error{ErrorCode::VerificationFailed, "orchestrator " + address_ + ": " + result.error().message};
  TranscodedSegment out{*result, {}, {}};
  std::vector<GBytes*> views;
  for (size_t i = 1; i < parts->size(); ++i) {
    views.push_back((*parts)[i].get());
    out.renditions.push_back(std::move((*parts)[i]));
  }
  VerifyOptions verify{signer_, options_.decode_check};
  if (auto e = verify_result(out.result, views, segment.profiles, verify, &out.counts); !e.ok()) {
    e.error().message =
        "orchestrator " + address_ + " segment " + std::to_string(segment.seq) + ": " + e.error().message;
    return e.error();
  }
  return out;
}

}  // namespace lp
