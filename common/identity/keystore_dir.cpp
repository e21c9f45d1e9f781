#include "keystore_dir.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace lp::eth {
namespace {

constexpr goffset kMaxKeystoreSize = 64 * 1024;  // real ones are under 1 KiB

std::string errno_text(int err) { return g_strerror(err); }

// The file's bytes, refusing what is clearly not a key or password file.
Result<Wiped<std::string>> read_small_file(const std::string& path, const char* what) {
  GStatBuf st;
  if (g_stat(path.c_str(), &st) != 0) {
    int err = errno;
    return Error{err == ENOENT ? ErrorCode::NotFound : ErrorCode::Internal,
                 std::string("cannot read ") + what + " " + path + ": " + errno_text(err)};
  }
  if (!S_ISREG(st.st_mode)) return Error{ErrorCode::BadKey, path + " is not a regular file"};
  if (st.st_size > kMaxKeystoreSize) {
    return Error{ErrorCode::TooLarge,
                 path + " is too large for a " + what + " (" + std::to_string(st.st_size) + " bytes)"};
  }
  g_autofree char* data = nullptr;
  gsize len = 0;
  g_autoptr(GError) err = nullptr;
  if (!g_file_get_contents(path.c_str(), &data, &len, &err))
    return Error{ErrorCode::Internal, std::string("cannot read ") + what + ": " + err->message};
  Wiped<std::string> out(std::string(data, len));
  OPENSSL_cleanse(data, len);
  return out;
}

// Writes `contents` to `path` through a temporary file and a rename, so a crash never leaves
// half a key behind; mode 0600 whatever the umask.
Result<std::string> write_private_file(const std::string& path, const std::string& contents) {
  g_autofree char* dir = g_path_get_dirname(path.c_str());
  g_autofree char* base = g_path_get_basename(path.c_str());
  std::string tmp = std::string(dir) + "/." + base + ".tmp";  // hidden: listings skip it
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{ErrorCode::Internal, "cannot create " + tmp + ": " + errno_text(errno)};
  int err = 0;  // the first failure's errno
  auto fail = [&err] {
    if (!err) err = errno ? errno : EIO;
  };
  if (fchmod(fd, 0600) != 0) fail();
  for (size_t done = 0; !err && done < contents.size();) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      fail();
    else
      done += static_cast<size_t>(n);
  }
  if (!err && fsync(fd) != 0) fail();
  if (close(fd) != 0) fail();
  if (!err && rename(tmp.c_str(), path.c_str()) != 0) fail();
  if (err) {
    unlink(tmp.c_str());
    return Error{ErrorCode::Internal, "cannot write " + path + ": " + errno_text(err)};
  }
  return path;
}

bool is_dir(const std::string& path) { return g_file_test(path.c_str(), G_FILE_TEST_IS_DIR); }

}  // namespace

std::string keystore_file_name(const Address& address, std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto since_epoch = when.time_since_epoch();
  auto secs = duration_cast<seconds>(since_epoch);
  auto nanos = duration_cast<nanoseconds>(since_epoch - secs).count();
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d-%02d-%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(nanos));
  return std::string("UTC--") + stamp + "--" + address.hex();
}

Result<std::string> write_keystore_file(const std::string& dir, const PrivateKey& key, std::string_view password,
                                        const ScryptParams& params) {
  if (g_mkdir_with_parents(dir.c_str(), 0700) != 0)
    return Error{ErrorCode::Internal, "cannot create " + dir + ": " + errno_text(errno)};
  auto json = encrypt_keystore(key, password, params);
  if (!json) return json.error();
  g_autofree char* path = g_build_filename(
      dir.c_str(), keystore_file_name(key.address(), std::chrono::system_clock::now()).c_str(), nullptr);
  return write_private_file(path, *json);
}

Result<PrivateKey> load_keystore_file(const std::string& path, std::string_view password) {
  auto json = read_small_file(path, "keystore");
  if (!json) return json.error();
  auto key = decrypt_keystore(json->get(), password);
  if (!key) return Error{key.error().code, path + ": " + key.error().message};
  return key;
}

Result<std::vector<KeystoreFile>> list_keystore_files(const std::string& dir) {
  g_autoptr(GError) err = nullptr;
  g_autoptr(GDir) d = g_dir_open(dir.c_str(), 0, &err);
  if (!d) {
    bool missing = g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    return Error{missing ? ErrorCode::NotFound : ErrorCode::Internal,
                 "cannot open keystore directory: " + std::string(err->message)};
  }
  std::vector<std::string> names;
  while (const char* name = g_dir_read_name(d)) {
    std::string n = name;
    if (n.starts_with(".") || n.ends_with("~")) continue;
    g_autofree char* path = g_build_filename(dir.c_str(), name, nullptr);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) names.push_back(path);
  }
  std::sort(names.begin(), names.end());
  std::vector<KeystoreFile> files;
  for (const auto& path : names) {
    auto json = read_small_file(path, "keystore");
    files.push_back({path, json ? keystore_address(json->get()) : Result<Address>(json.error())});
  }
  return files;
}

Result<std::string> resolve_keystore(const std::string& file_or_dir) {
  if (!is_dir(file_or_dir)) {
    if (!g_file_test(file_or_dir.c_str(), G_FILE_TEST_EXISTS))
      return Error{ErrorCode::NotFound, "no such keystore file or directory: " + file_or_dir};
    return file_or_dir;
  }
  auto files = list_keystore_files(file_or_dir);
  if (!files) return files.error();
  std::vector<const KeystoreFile*> keys;
  for (const auto& f : *files)
    if (f.address) keys.push_back(&f);
  if (keys.empty()) return Error{ErrorCode::NotFound, "no keystore file in " + file_or_dir};
  if (keys.size() > 1) {
    std::string msg = std::to_string(keys.size()) + " keystores in " + file_or_dir + "; name one with --keystore FILE:";
    for (const auto* f : keys) msg += "\n  " + f->address->checksummed() + "  " + f->path;
    return Error{ErrorCode::BadKey, msg};
  }
  return keys.front()->path;
}

Result<Wiped<std::string>> read_password_file(const std::string& path) {
  auto text = read_small_file(path, "password file");
  if (!text) return text.error();
  std::string& pw = text->get();
  size_t keep = pw.size();
  if (pw.ends_with("\r\n"))
    keep -= 2;
  else if (pw.ends_with("\n"))
    keep -= 1;
  Wiped<std::string> out(pw.substr(0, keep));
  return out;
}

}  // namespace lp::eth
