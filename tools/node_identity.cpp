#include "node_identity.h"

#include <glib.h>
#include <glib/gstdio.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "hex.h"
#include "keystore_dir.h"

namespace lp {
namespace {

// A keystore file of `dir` whose address is `wanted` ("" = the only one there).
Result<std::string> pick_keystore(const std::string& dir, const std::string& wanted) {
  if (wanted.empty()) return eth::resolve_keystore(dir);
  auto want = eth::parse_address(wanted);
  if (!want) return Error{ErrorCode::BadKey, "--eth-acct-addr: " + want.error().message};
  auto files = eth::list_keystore_files(dir);
  if (!files) return files.error();
  for (const auto& f : *files)
    if (f.address && *f.address == *want) return f.path;
  return Error{ErrorCode::NotFound, "no keystore for " + want->checksummed() + " in " + dir};
}

// The generated password of a key lpnode made itself, beside its keystore directory.
Result<std::string> own_password(const std::string& path, bool create) {
  if (g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    auto pw = eth::read_password_file(path);
    if (!pw) return pw.error();
    return pw->get();
  }
  if (!create) return Error{ErrorCode::NotFound, "no password file " + path + " (give --eth-password)"};
  auto random = eth::PrivateKey::generate();  // 32 bytes from the CSPRNG, as hex
  if (!random) return random.error();
  const std::string pw = eth::to_hex(random->secret());
  const int fd = g_open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Error{ErrorCode::Internal, "cannot create " + path + ": " + g_strerror(errno)};
  const std::string line = pw + "\n";
  const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  close(fd);
  if (!ok) return Error{ErrorCode::Internal, "cannot write " + path};
  return pw;
}

}  // namespace

Result<std::string> load_or_create_token_key(const std::string& data_dir) {
  const std::string path = data_dir + "/auth-token.key";
  if (g_mkdir_with_parents(data_dir.c_str(), 0700) != 0)
    return Error{ErrorCode::Internal, "cannot make " + data_dir + ": " + g_strerror(errno)};
  if (!g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    // Written whole under a temporary name, then linked into place: of two nodes starting at
    // once on one data dir, one link wins and both read its key.
    const std::string tmp = path + ".tmp" + std::to_string(g_random_int());
    auto made = own_password(tmp, true);
    if (!made) return Error{made.error().code, "the auth token key: " + made.error().message};
    const bool linked = link(tmp.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    g_unlink(tmp.c_str());
    if (!linked && link_errno != EEXIST)
      return Error{ErrorCode::Internal, "cannot create " + path + ": " + g_strerror(link_errno)};
  }
  auto key = own_password(path, false);
  if (!key) return Error{key.error().code, "the auth token key: " + key.error().message};
  if (key->size() < 32)
    return Error{ErrorCode::BadKey, path + " holds fewer than 32 characters: remove it to make a new one"};
  return *key;
}

std::string node_data_dir(const NodeOptions& options) {
  if (!options.data_dir.empty()) return options.data_dir;
  return std::string(g_get_home_dir()) + "/.lpgst";
}

Result<NodeKey> load_node_key(const NodeOptions& o) {
  if (!o.eth_keystore_path.empty()) {
    std::string path = o.eth_keystore_path;
    if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) {
      auto picked = pick_keystore(path, o.eth_acct_addr);
      if (!picked) return picked.error();
      path = *picked;
    } else if (!g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
      return Error{ErrorCode::NotFound, "--eth-keystore-path: no such file or directory: " + path};
    }
    auto key = eth::load_keystore_file(path, o.eth_password);
    if (!key) return key.error();  // names the file already
    if (!o.eth_acct_addr.empty()) {
      auto want = eth::parse_address(o.eth_acct_addr);
      if (!want) return Error{ErrorCode::BadKey, "--eth-acct-addr: " + want.error().message};
      if (!(key->address() == *want))
        return Error{ErrorCode::BadKey,
                     path + " holds " + key->address().checksummed() + ", not --eth-acct-addr " + want->checksummed()};
    }
    return NodeKey{std::move(*key), path, false};
  }

  // The node's own key under --data-dir.
  const std::string data = node_data_dir(o);
  const std::string dir = data + "/keystore";
  if (g_mkdir_with_parents(dir.c_str(), 0700) != 0)
    return Error{ErrorCode::Internal, "cannot create " + dir + ": " + g_strerror(errno)};
  auto files = eth::list_keystore_files(dir);
  if (!files) return files.error();
  bool any = false;
  for (const auto& f : *files) any = any || static_cast<bool>(f.address);
  const std::string password_path = data + "/keystore-password";
  const bool given = !o.eth_password.empty();
  if (any) {
    auto path = pick_keystore(dir, o.eth_acct_addr);
    if (!path) return path.error();
    auto password = given ? Result<std::string>(o.eth_password) : own_password(password_path, false);
    if (!password) return password.error();
    auto key = eth::load_keystore_file(*path, *password);
    if (!key) return key.error();
    return NodeKey{std::move(*key), *path, false};
  }
  if (!o.eth_acct_addr.empty())
    return Error{ErrorCode::NotFound, "--eth-acct-addr " + o.eth_acct_addr + ": no keystore in " + dir};
  auto password = given ? Result<std::string>(o.eth_password) : own_password(password_path, true);
  if (!password) return password.error();
  auto key = eth::PrivateKey::generate();
  if (!key) return key.error();
  auto path = eth::write_keystore_file(dir, *key, *password);
  if (!path) return path.error();
  return NodeKey{std::move(*key), *path, true};
}

}  // namespace lp
