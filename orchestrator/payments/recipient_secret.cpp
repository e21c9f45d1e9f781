#include "recipient_secret.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lp::pm {
namespace {

constexpr const char* kSecretName = "recipient-secret";

std::string errno_text(int err) { return std::strerror(err); }

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, for callers that must see close()'s error (a write may surface there).
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Wipes the key bytes however the scope is left.
struct WipedKey {
  std::array<uint8_t, RecipientSecret::kSize> bytes{};
  ~WipedKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

Result<RecipientSecret> read_secret(const std::string& path, int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return Error{ErrorCode::Internal, "cannot stat " + path + ": " + errno_text(errno)};
  if (!S_ISREG(st.st_mode)) return Error{ErrorCode::BadKey, "the ticket secret " + path + " is not a regular file"};
  if ((st.st_mode & 077) != 0) {
    return Error{ErrorCode::BadKey, "the ticket secret " + path + " has mode " + octal_mode(st.st_mode) +
                                        ": others may read it (chmod 600 it, or delete it to make a new one, "
                                        "which invalidates the tickets already issued)"};
  }
  if (st.st_size != static_cast<off_t>(RecipientSecret::kSize)) {
    return Error{ErrorCode::BadKey, "the ticket secret " + path + " is " + std::to_string(st.st_size) + " bytes, not " +
                                        std::to_string(RecipientSecret::kSize)};
  }
  WipedKey key;
  size_t done = 0;
  while (done < key.bytes.size()) {
    ssize_t n = ::read(fd, key.bytes.data() + done, key.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrorCode::Internal, "cannot read " + path + ": " + errno_text(errno)};
    if (n == 0) return Error{ErrorCode::BadKey, "the ticket secret " + path + " shrank while being read"};
    done += static_cast<size_t>(n);
  }
  return RecipientSecret(key.bytes);
}

Result<void> fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || fsync(fd.get()) != 0)
    return Error{ErrorCode::Internal, "cannot fsync " + dir + ": " + errno_text(errno)};
  return {};
}

// Writes a fresh secret to a temporary file and links it into place. link() rather than rename():
// it fails when another node made the file first, and then that node's secret is the one to use.
// Returns false when the file already existed.
Result<bool> create_secret(const std::string& dir, const std::string& path) {
  WipedKey key;
  if (RAND_bytes(key.bytes.data(), static_cast<int>(key.bytes.size())) != 1)
    return Error{ErrorCode::Internal, "OpenSSL RAND_bytes failed making the ticket secret"};
  // A unique hidden name (mkostemp: mode 0600, O_EXCL), so racing starts never share one.
  std::string tmp = dir + "/." + kSecretName + ".tmp.XXXXXX";
  Fd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return Error{ErrorCode::Internal, "cannot create a file in " + dir + ": " + errno_text(errno)};
  int err = 0;  // the first failure's errno
  auto fail = [&err] {
    if (!err) err = errno ? errno : EIO;
  };
  if (fchmod(fd.get(), 0600) != 0) fail();  // whatever the umask
  for (size_t done = 0; !err && done < key.bytes.size();) {
    ssize_t n = ::write(fd.get(), key.bytes.data() + done, key.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      fail();
    else
      done += static_cast<size_t>(n);
  }
  if (!err && fsync(fd.get()) != 0) fail();
  if (fd.close() != 0) fail();
  bool created = false;
  if (!err) {
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      created = true;
    } else if (errno != EEXIST) {
      // A filesystem without hard links: rename, which could replace a racing node's secret.
      if (errno != EPERM && errno != ENOTSUP) fail();
      if (!err && ::rename(tmp.c_str(), path.c_str()) != 0) fail();
      created = !err;
    }
  }
  ::unlink(tmp.c_str());
  if (err) return Error{ErrorCode::Internal, "cannot write " + path + ": " + errno_text(err)};
  if (created) {
    if (auto synced = fsync_dir(dir); !synced) return synced.error();
  }
  return created;
}

}  // namespace

std::string payments_dir(const std::string& data_dir) { return data_dir + "/payments"; }

Result<void> make_private_dirs(const std::string& dir) {
  if (dir.empty()) return Error{ErrorCode::BadRequest, "an empty folder name"};
  // Each prefix in turn, so the ones we make get 0700 (std::filesystem would use 0777 & ~umask).
  for (size_t pos = dir.find('/', 1);; pos = dir.find('/', pos + 1)) {
    const std::string part = dir.substr(0, pos);
    if (!part.empty() && ::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return Error{ErrorCode::Internal, "cannot create " + part + ": " + errno_text(errno)};
    if (pos == std::string::npos) break;
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{ErrorCode::Internal, "cannot create " + dir + ": not a folder"};
  return {};
}

Result<RecipientSecret> load_or_create_recipient_secret(const std::string& data_dir) {
  const std::string dir = payments_dir(data_dir);
  const std::string path = dir + "/" + kSecretName;
  // Two tries: a node that loses the creation race reads the winner's file.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() >= 0) return read_secret(path, fd.get());
    if (errno != ENOENT) return Error{ErrorCode::Internal, "cannot open " + path + ": " + errno_text(errno)};
    if (auto made = make_private_dirs(dir); !made) return made.error();
    auto created = create_secret(dir, path);
    if (!created) return created.error();
  }
  return Error{ErrorCode::Internal, "cannot read " + path + " after creating it"};
}

}  // namespace lp::pm
