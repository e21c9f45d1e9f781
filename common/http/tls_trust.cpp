#include "http/tls_trust.h"

#include "http/tls_identity.h"

namespace lp {

std::string orchestrator_base_url(const std::string& addr) {
  if (addr.starts_with("http://") || addr.starts_with("https://")) return addr;
  return "https://" + addr;
}

std::string normalize_certificate_pin(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ':') continue;
    if (!g_ascii_isxdigit(c)) return "";
    out += g_ascii_tolower(c);
  }
  return out.size() == 64 ? out : "";
}

void accept_orchestrator_certificate(SoupMessage* msg, const std::string& pin_sha256) {
  auto accept = +[](SoupMessage*, GTlsCertificate* cert, GTlsCertificateFlags, gpointer pin) -> gboolean {
    const auto* wanted = static_cast<const std::string*>(pin);
    if (wanted->empty()) return TRUE;
    const std::string got = certificate_sha256(cert);
    if (got == *wanted) return TRUE;
    g_warning("orchestrator certificate sha256 %s is not the pinned %s", got.c_str(), wanted->c_str());
    return FALSE;
  };
  auto free_pin = +[](gpointer pin, GClosure*) { delete static_cast<std::string*>(pin); };
  g_signal_connect_data(msg, "accept-certificate", G_CALLBACK(accept), new std::string(pin_sha256), free_pin,
                        GConnectFlags{});
}

}  // namespace lp
