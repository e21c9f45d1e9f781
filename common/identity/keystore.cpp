#include "keystore.h"

#include <json-glib/json-glib.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

#include "hex.h"
#include "keccak.h"
#include "owned.h"
#include "secret.h"

namespace lp::eth {
namespace {

constexpr size_t kDerivedKeyMin = 32;  // 16 bytes AES key + 16 bytes MAC key
constexpr size_t kDerivedKeyMax = 64;
constexpr uint64_t kScryptMaxMemory = 1ull << 30;  // refuses files that would take more RAM
constexpr int64_t kPbkdf2MaxIterations = 10'000'000;

Error bad_key(const std::string& why) { return Error{ErrorCode::BadKey, why}; }

std::string openssl_error() {
  char buf[256] = "unknown error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// ---- JSON access that names the field in its errors ("missing field crypto.kdfparams.salt")

class Fields {
 public:
  Fields(JsonObject* obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  Result<JsonObject*> object(const char* name) const {
    auto node = member(name);
    if (!node) return node.error();
    if (!JSON_NODE_HOLDS_OBJECT(*node)) return bad_key("field " + path(name) + " must be an object");
    return json_node_get_object(*node);
  }
  Result<std::string> string(const char* name) const {
    auto node = member(name);
    if (!node) return node.error();
    if (!JSON_NODE_HOLDS_VALUE(*node) || json_node_get_value_type(*node) != G_TYPE_STRING)
      return bad_key("field " + path(name) + " must be a string");
    return std::string(json_node_get_string(*node));
  }
  Result<int64_t> integer(const char* name) const {
    auto node = member(name);
    if (!node) return node.error();
    if (!JSON_NODE_HOLDS_VALUE(*node) || json_node_get_value_type(*node) != G_TYPE_INT64)
      return bad_key("field " + path(name) + " must be an integer");
    return json_node_get_int(*node);
  }
  Result<Bytes> hex(const char* name, std::optional<size_t> size = std::nullopt) const {
    auto text = string(name);
    if (!text) return text.error();
    if (size) return from_hex_sized(*text, *size, path(name), ErrorCode::BadKey);
    return from_hex(*text, path(name), ErrorCode::BadKey);
  }
  bool has(const char* name) const { return find(name) != nullptr; }
  std::string path(const char* name) const { return path_.empty() ? name : path_ + "." + name; }

 private:
  // Exact name first, then any case: Go's encoding/json (geth) matches keys case-insensitively,
  // and some wallets write "Crypto".
  JsonNode* find(const char* name) const {
    if (JsonNode* node = json_object_get_member(obj_, name)) return node;
    g_autoptr(GList) names = json_object_get_members(obj_);
    for (GList* l = names; l; l = l->next) {
      if (g_ascii_strcasecmp(static_cast<const char*>(l->data), name) == 0)
        return json_object_get_member(obj_, static_cast<const char*>(l->data));
    }
    return nullptr;
  }
  Result<JsonNode*> member(const char* name) const {
    if (JsonNode* node = find(name)) return node;
    return bad_key("missing field " + path(name));
  }

  JsonObject* obj_;  // borrowed from the parser's tree
  std::string path_;
};

// A parsed v3 document: the parser owns the tree the objects point into.
struct Document {
  Owned<JsonParser, g_object_unref> parser;
  JsonObject* root = nullptr;
  JsonObject* crypto = nullptr;
};

Result<Document> parse_document(std::string_view json) {
  if (json.empty()) return bad_key("invalid JSON: the file is empty");
  Document doc{Owned<JsonParser, g_object_unref>(json_parser_new())};
  g_autoptr(GError) err = nullptr;
  if (!json_parser_load_from_data(doc.parser.get(), json.data(), static_cast<gssize>(json.size()), &err))
    return bad_key(std::string("invalid JSON: ") + err->message);
  JsonNode* root = json_parser_get_root(doc.parser.get());
  if (!root) return bad_key("invalid JSON: no value in the file");
  if (!JSON_NODE_HOLDS_OBJECT(root)) return bad_key("invalid keystore: not a JSON object");
  doc.root = json_node_get_object(root);
  Fields top(doc.root, "");
  auto version = top.integer("version");
  if (!version) return version.error();
  if (*version != 3) {
    return bad_key("unsupported keystore version " + std::to_string(*version) + " (only version 3 is supported)");
  }
  auto crypto = top.object("crypto");
  if (!crypto) return crypto.error();
  doc.crypto = *crypto;
  return doc;
}

Result<Address> address_field(const Document& doc) {
  auto text = Fields(doc.root, "").string("address");
  if (!text) return text.error();
  return parse_address(*text);
}

// ---- Key derivation and cipher

Result<Wiped<Bytes>> run_kdf(const char* name, const OSSL_PARAM* params, size_t dklen) {
  Owned<EVP_KDF, EVP_KDF_free> kdf(EVP_KDF_fetch(nullptr, name, nullptr));
  if (!kdf) return Error{ErrorCode::Internal, std::string("OpenSSL has no ") + name + " KDF"};
  Owned<EVP_KDF_CTX, EVP_KDF_CTX_free> ctx(EVP_KDF_CTX_new(kdf.get()));
  Wiped<Bytes> out{Bytes(dklen)};
  if (!ctx || EVP_KDF_derive(ctx.get(), out.get().data(), dklen, params) != 1) {
    return Error{ErrorCode::Internal, std::string(name) + " key derivation failed: " + openssl_error()};
  }
  return out;
}

// OpenSSL's octet-string params take void* but only read through it.
void* readonly(const void* p) { return const_cast<void*>(p); }

// scrypt is libsodium's: OpenSSL enforces RFC 7914's N < 2^(16 r), which refuses the spec's own
// test vector and the files older Python eth-keyfile releases wrote (n=262144, r=1, p=8).
Result<Wiped<Bytes>> scrypt(std::string_view password, std::span<const uint8_t> salt, const ScryptParams& sp,
                            size_t dklen) {
  if (sodium_init() < 0) return Error{ErrorCode::Internal, "libsodium failed to initialise"};
  static const uint8_t kNothing = 0;  // libsodium wants non-null pointers even for empty input
  auto ptr = [](const void* p) { return p ? static_cast<const uint8_t*>(p) : &kNothing; };
  Wiped<Bytes> out{Bytes(dklen)};
  if (crypto_pwhash_scryptsalsa208sha256_ll(ptr(password.data()), password.size(), ptr(salt.data()), salt.size(), sp.n,
                                            sp.r, sp.p, out.get().data(), dklen) != 0) {
    return Error{ErrorCode::Internal, std::string("scrypt key derivation failed: ") + g_strerror(errno)};
  }
  return out;
}

Result<Wiped<Bytes>> pbkdf2_sha256(std::string_view password, std::span<const uint8_t> salt, uint64_t iterations,
                                   size_t dklen) {
  char digest[] = "SHA256";
  int no_sp800_132_checks = 1;  // other writers' salts and counts are theirs to choose
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, readonly(password.data()), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, readonly(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iterations),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &no_sp800_132_checks),
      OSSL_PARAM_construct_end()};
  return run_kdf("PBKDF2", params, dklen);
}

// AES-128-CTR; encryption and decryption are the same operation.
Result<Wiped<Bytes>> aes128_ctr(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                std::span<const uint8_t> in) {
  Owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free> ctx(EVP_CIPHER_CTX_new());
  Wiped<Bytes> out{Bytes(in.size())};
  int len = 0, tail = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.get().data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.get().data() + len, &tail) != 1)
    return Error{ErrorCode::Internal, "aes-128-ctr failed: " + openssl_error()};
  return out;
}

Digest keystore_mac(std::span<const uint8_t> derived_key, std::span<const uint8_t> ciphertext) {
  return Keccak256().update(derived_key.subspan(16, 16)).update(ciphertext).finish();
}

std::optional<std::string> check_scrypt(const ScryptParams& sp) {
  if (sp.n < 2 || (sp.n & (sp.n - 1)) != 0)
    return "scrypt n must be a power of two above 1, got " + std::to_string(sp.n);
  if (sp.r < 1 || sp.p < 1 || uint64_t{sp.r} * sp.p >= (1u << 30))
    return "scrypt r and p must be at least 1 with r*p < 2^30";
  if (sp.n > kScryptMaxMemory / 128 / sp.r) {
    return "scrypt n=" + std::to_string(sp.n) + " r=" + std::to_string(sp.r) + " needs over " +
           std::to_string(kScryptMaxMemory >> 20) + " MiB of memory";
  }
  return std::nullopt;
}

// The derived key from the document's kdf and kdfparams; format errors before any work.
Result<Wiped<Bytes>> derive_key(const Fields& crypto, std::string_view password) {
  auto kdf = crypto.string("kdf");
  auto params_obj = crypto.object("kdfparams");
  if (!kdf) return kdf.error();
  if (*kdf != "scrypt" && *kdf != "pbkdf2") return bad_key("unsupported kdf \"" + *kdf + "\" (scrypt or pbkdf2)");
  if (!params_obj) return params_obj.error();
  Fields kp(*params_obj, crypto.path("kdfparams"));
  auto dklen = kp.integer("dklen");
  if (!dklen) return dklen.error();
  if (*dklen < int64_t{kDerivedKeyMin} || *dklen > int64_t{kDerivedKeyMax}) {
    return bad_key(kp.path("dklen") + " must be between 32 and 64, got " + std::to_string(*dklen));
  }
  auto salt = kp.hex("salt");
  if (!salt) return salt.error();
  if (*kdf == "scrypt") {
    auto n = kp.integer("n"), r = kp.integer("r"), p = kp.integer("p");
    for (auto* v : {&n, &r, &p})
      if (!*v) return v->error();
    // Bounds before the casts; check_scrypt() then judges the combination.
    if (*n < 1 || *n > int64_t{1} << 40 || *r < 1 || *r > int64_t{1} << 30 || *p < 1 || *p > int64_t{1} << 30) {
      return bad_key(crypto.path("kdfparams") + ": scrypt n, r or p out of range (n=" + std::to_string(*n) +
                     ", r=" + std::to_string(*r) + ", p=" + std::to_string(*p) + ")");
    }
    ScryptParams sp{static_cast<uint64_t>(*n), static_cast<uint32_t>(*r), static_cast<uint32_t>(*p)};
    if (auto why = check_scrypt(sp)) return bad_key(crypto.path("kdfparams") + ": " + *why);
    return scrypt(password, *salt, sp, static_cast<size_t>(*dklen));
  }
  auto prf = kp.string("prf");
  if (!prf) return prf.error();
  if (*prf != "hmac-sha256") return bad_key("unsupported " + kp.path("prf") + " \"" + *prf + "\" (only hmac-sha256)");
  auto c = kp.integer("c");
  if (!c) return c.error();
  if (*c < 1 || *c > kPbkdf2MaxIterations) {
    return bad_key(kp.path("c") + " must be between 1 and " + std::to_string(kPbkdf2MaxIterations) + ", got " +
                   std::to_string(*c));
  }
  return pbkdf2_sha256(password, *salt, static_cast<uint64_t>(*c), static_cast<size_t>(*dklen));
}

Result<std::string> random_uuid_v4() {
  std::array<uint8_t, 16> b{};
  if (RAND_bytes(b.data(), b.size()) != 1) return Error{ErrorCode::Internal, "OpenSSL RAND_bytes failed"};
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string h = to_hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace

Result<std::string> encrypt_keystore(const PrivateKey& key, std::string_view password, const ScryptParams& params) {
  if (auto why = check_scrypt(params)) return Error{ErrorCode::Internal, *why};
  std::array<uint8_t, 32> salt{};
  std::array<uint8_t, 16> iv{};
  if (RAND_bytes(salt.data(), salt.size()) != 1 || RAND_bytes(iv.data(), iv.size()) != 1)
    return Error{ErrorCode::Internal, "OpenSSL RAND_bytes failed"};
  auto derived = scrypt(password, salt, params, kDerivedKeyMin);
  if (!derived) return derived.error();
  auto ciphertext = aes128_ctr(std::span(derived->get()).first(16), iv, key.secret());
  if (!ciphertext) return ciphertext.error();
  Digest mac = keystore_mac(derived->get(), ciphertext->get());
  auto id = random_uuid_v4();
  if (!id) return id.error();

  // Member order and names as geth writes them.
  g_autoptr(JsonBuilder) b = json_builder_new();
  auto set_string = [&](const char* name, const std::string& value) {
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value.c_str());
  };
  auto set_int = [&](const char* name, int64_t value) {
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
  };
  json_builder_begin_object(b);
  set_string("address", key.address().hex());
  json_builder_set_member_name(b, "crypto");
  json_builder_begin_object(b);
  set_string("cipher", "aes-128-ctr");
  set_string("ciphertext", to_hex(ciphertext->get()));
  json_builder_set_member_name(b, "cipherparams");
  json_builder_begin_object(b);
  set_string("iv", to_hex(iv));
  json_builder_end_object(b);
  set_string("kdf", "scrypt");
  json_builder_set_member_name(b, "kdfparams");
  json_builder_begin_object(b);
  set_int("dklen", kDerivedKeyMin);
  set_int("n", static_cast<int64_t>(params.n));
  set_int("p", params.p);
  set_int("r", params.r);
  set_string("salt", to_hex(salt));
  json_builder_end_object(b);
  set_string("mac", to_hex(mac));
  json_builder_end_object(b);
  set_string("id", *id);
  set_int("version", 3);
  json_builder_end_object(b);

  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, root);
  g_autofree char* text = json_generator_to_data(gen, nullptr);
  return std::string(text);
}

Result<PrivateKey> decrypt_keystore(std::string_view json, std::string_view password) {
  auto doc = parse_document(json);
  if (!doc) return doc.error();
  Fields crypto(doc->crypto, "crypto");
  auto cipher = crypto.string("cipher");
  if (!cipher) return cipher.error();
  if (*cipher != "aes-128-ctr") return bad_key("unsupported cipher \"" + *cipher + "\" (only aes-128-ctr)");
  auto cipherparams = crypto.object("cipherparams");
  if (!cipherparams) return cipherparams.error();
  auto iv = Fields(*cipherparams, crypto.path("cipherparams")).hex("iv", 16);
  auto ciphertext = crypto.hex("ciphertext");
  auto mac = crypto.hex("mac", 32);
  for (auto* r : {&iv, &ciphertext, &mac})
    if (!*r) return r->error();
  // Some old writers dropped a private key's leading zero bytes; geth's vectors include such files.
  if (ciphertext->empty() || ciphertext->size() > PrivateKey::kSize) {
    return bad_key("crypto.ciphertext must hold a 32-byte key, got " + std::to_string(ciphertext->size()) + " bytes");
  }

  auto derived = derive_key(crypto, password);
  if (!derived) return derived.error();
  Digest expected = keystore_mac(derived->get(), *ciphertext);
  if (CRYPTO_memcmp(expected.data(), mac->data(), expected.size()) != 0)
    return Error{ErrorCode::Unauthorized, "wrong password"};

  auto plain = aes128_ctr(std::span(derived->get()).first(16), *iv, *ciphertext);
  if (!plain) return plain.error();
  Wiped<std::array<uint8_t, PrivateKey::kSize>> secret;
  std::copy(plain->get().begin(), plain->get().end(), secret.get().end() - static_cast<ptrdiff_t>(plain->get().size()));
  auto key = PrivateKey::from_bytes(secret.get());
  if (!key) return bad_key("the decrypted key is not a valid secp256k1 private key");

  // geth refuses a file whose address field is not its key's; so do we.
  if (Fields(doc->root, "").has("address")) {
    auto stated = address_field(*doc);
    if (!stated) return stated.error();
    if (!(*stated == key->address())) {
      return bad_key("the address field " + stated->checksummed() + " is not the address of the key inside, " +
                     key->address().checksummed());
    }
  }
  return key;
}

Result<Address> keystore_address(std::string_view json) {
  auto doc = parse_document(json);
  if (!doc) return doc.error();
  if (!Fields(doc->root, "").has("address")) return bad_key("no address field (decrypt the file to learn it)");
  return address_field(*doc);
}

}  // namespace lp::eth
