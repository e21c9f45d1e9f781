#include "orchestrator_protocol.h"

#include <libsoup/soup.h>

#include <memory>

#include "http/tls_trust.h"
#include "wire/info.h"

namespace lp {

const char* protocol_name(OrchestratorProtocol protocol) {
  return protocol == OrchestratorProtocol::Livepeer ? "livepeer" : "lpgst";
}

Result<OrchestratorProtocol> probe_orchestrator_protocol(const std::string& orch_addr, const std::string& cert_pin,
                                                         std::chrono::milliseconds timeout) {
  if (orch_addr.starts_with("http://")) return OrchestratorProtocol::Lpgst;
  const guint seconds = static_cast<guint>(std::max<int64_t>(1, timeout.count() / 1000));
  g_autoptr(SoupSession) session = soup_session_new_with_options("timeout", seconds, nullptr);
  soup_session_set_proxy_resolver(session, nullptr);
  const std::string url = orchestrator_base_url(orch_addr) + "/v1/info";
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  if (!msg) return Error{ErrorCode::BadRequest, "--orch-addr " + orch_addr + " does not make a valid URL"};
  accept_orchestrator_certificate(msg, cert_pin);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, nullptr, &error);
  if (!body) {
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
      return Error{ErrorCode::Timeout, orch_addr + " did not answer in time"};
    return Error{ErrorCode::Unreachable, error ? error->message : "no answer"};
  }
  const guint status = soup_message_get_status(msg);
  if (status == SOUP_STATUS_OK) {
    gsize n = 0;
    const char* text = static_cast<const char*>(g_bytes_get_data(body, &n));
    if (wire::info_from_json(std::string_view(text ? text : "", n))) return OrchestratorProtocol::Lpgst;
  }
  // go-livepeer's mux answers 404 here; anything that is not lpgst's info is not lpgst.
  return OrchestratorProtocol::Livepeer;
}

}  // namespace lp
