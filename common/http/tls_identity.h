// The public port's TLS certificate: given (--tls-cert/--tls-key), or self-signed and kept
// under the data dir so its fingerprint stays the same across restarts (as go-livepeer keeps
// its generated cert.pem/key.pem).
#pragma once

#include <gio/gio.h>

#include <memory>
#include <string>

#include "error.h"

namespace lp {

class TlsIdentity {
 public:
  // PEM files, as operators get them from their CA (a chain in the certificate file is fine).
  static Result<std::shared_ptr<TlsIdentity>> load(const std::string& cert_path, const std::string& key_path);
  // <dir>/tls/cert.pem and key.pem, made once (EC P-256, 10 years) when they do not exist.
  static Result<std::shared_ptr<TlsIdentity>> load_or_create(const std::string& data_dir);

  ~TlsIdentity();
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;

  GTlsCertificate* certificate() const { return cert_; }
  // SHA-256 of the leaf certificate's DER, lower-case hex: what --orch-cert-sha256 pins.
  const std::string& sha256() const { return sha256_; }
  const std::string& cert_path() const { return cert_path_; }

 private:
  TlsIdentity(GTlsCertificate* cert, std::string cert_path);
  GTlsCertificate* cert_;  // owned
  std::string sha256_;
  std::string cert_path_;
};

// SHA-256 of a certificate's DER as lower-case hex ("" for none).
std::string certificate_sha256(GTlsCertificate* cert);

}  // namespace lp
