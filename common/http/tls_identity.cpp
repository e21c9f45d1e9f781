#include "http/tls_identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "owned.h"
#include "sha256.h"

namespace lp {
namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// A self-signed EC P-256 certificate for CN=lpgst, valid for ten years: (cert PEM, key PEM).
Result<std::pair<std::string, std::string>> make_self_signed() {
  Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  Owned<X509, X509_free> cert(X509_new());
  if (!key || !cert) return Error{ErrorCode::Internal, "cannot make a TLS key"};
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Error{ErrorCode::Internal, "no randomness for a TLS serial"};
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  bool ok = sn != nullptr && X509_set_version(cert.get(), 2) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600) != nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("lpgst"), -1,
                                        -1, 0) == 1;
  ok = ok && X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1;
  ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return Error{ErrorCode::Internal, "cannot sign a self-signed TLS certificate"};
  Owned<BIO, BIO_free> cert_pem(BIO_new(BIO_s_mem()));
  Owned<BIO, BIO_free> key_pem(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(cert_pem.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return Error{ErrorCode::Internal, "cannot write the TLS certificate as PEM"};
  return std::pair{bio_text(cert_pem.get()), bio_text(key_pem.get())};
}

// Written to a temporary name then renamed, so a reader never sees half a file.
Result<void> write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp" + std::to_string(g_random_int());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error{ErrorCode::Internal, "cannot write " + tmp.string()};
    std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    out << text;
    if (!out.flush()) return Error{ErrorCode::Internal, "cannot write " + tmp.string()};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error{ErrorCode::Internal, "cannot write " + path.string() + ": " + ec.message()};
  return {};
}

}  // namespace

std::string certificate_sha256(GTlsCertificate* cert) {
  if (!cert) return "";
  g_autoptr(GByteArray) der = nullptr;
  g_object_get(cert, "certificate", &der, nullptr);
  if (!der) return "";
  return sha256_hex(der->data, der->len);
}

TlsIdentity::TlsIdentity(GTlsCertificate* cert, std::string cert_path)
    : cert_(cert), sha256_(certificate_sha256(cert)), cert_path_(std::move(cert_path)) {}

TlsIdentity::~TlsIdentity() { g_object_unref(cert_); }

Result<std::shared_ptr<TlsIdentity>> TlsIdentity::load(const std::string& cert_path, const std::string& key_path) {
  if (!g_tls_backend_supports_tls(g_tls_backend_get_default()))
    return Error{ErrorCode::Internal, "GLib has no TLS backend: install glib-networking"};
  g_autoptr(GError) error = nullptr;
  GTlsCertificate* cert = g_tls_certificate_new_from_files(cert_path.c_str(), key_path.c_str(), &error);
  if (!cert)
    return Error{ErrorCode::BadRequest, "TLS certificate " + cert_path + " / key " + key_path + ": " + error->message};
  return std::shared_ptr<TlsIdentity>(new TlsIdentity(cert, cert_path));
}

Result<std::shared_ptr<TlsIdentity>> TlsIdentity::load_or_create(const std::string& data_dir) {
  const std::filesystem::path dir = std::filesystem::path(data_dir) / "tls";
  const auto cert = dir / "cert.pem";
  const auto key = dir / "key.pem";
  std::error_code ec;
  if (!std::filesystem::exists(cert, ec) || !std::filesystem::exists(key, ec)) {
    // Both files are written into a fresh folder that is then renamed into place: two nodes
    // starting at once on one data dir end up with one pair, never one's key and the other's
    // certificate.
    std::filesystem::create_directories(data_dir, ec);
    const std::filesystem::path tmp = dir.string() + ".tmp" + std::to_string(g_random_int());
    std::filesystem::create_directories(tmp, ec);
    if (ec) return Error{ErrorCode::Internal, "cannot make " + tmp.string() + ": " + ec.message()};
    auto made = make_self_signed();
    if (!made) return made.error();
    if (auto e = write_file(tmp / "key.pem", made->second); !e.ok()) return e.error();
    if (auto e = write_file(tmp / "cert.pem", made->first); !e.ok()) return e.error();
    std::filesystem::rename(tmp, dir, ec);
    if (ec) {
      std::filesystem::remove_all(tmp, ec);  // another node won the race: use its pair
    } else {
      g_message("made a self-signed TLS certificate: %s", cert.c_str());
    }
  }
  return load(cert.string(), key.string());
}

}  // namespace lp
