// The recipientRand secret under --data-dir: made once with mode 0600 in a 0700 folder, the same one
// read back on later starts (so tickets issued before a restart still validate), and a file others
// may read or of the wrong size refused.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "recipient_secret.h"

namespace lp::pm {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lp-secret-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string secret_path(const std::string& data_dir) { return data_dir + "/payments/recipient-secret"; }

// The secret's fingerprint: its HMAC of fixed inputs (the key itself is not exposed).
RecipientRand fingerprint(const RecipientSecret& secret) {
  RandInputs in;
  in.face_value = 12345;
  return secret.rand(in);
}

TEST(RecipientSecretFile, CreatedPrivateInAPrivateFolder) {
  TempDir tmp;
  const std::string data_dir = tmp.path() + "/node/data";  // neither folder exists yet
  const mode_t old_umask = umask(0);                       // the modes must not depend on it
  auto secret = load_or_create_recipient_secret(data_dir);
  umask(old_umask);
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(fs::file_size(secret_path(data_dir)), RecipientSecret::kSize);
  EXPECT_EQ(mode_of(secret_path(data_dir)), 0600u);
  EXPECT_EQ(mode_of(data_dir + "/payments"), 0700u);
  // No temporary file is left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(data_dir + "/payments")) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(RecipientSecretFile, ReusedOnLaterStarts) {
  TempDir tmp;
  auto first = load_or_create_recipient_secret(tmp.path());
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = load_or_create_recipient_secret(tmp.path());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(fingerprint(*first), fingerprint(*second));

  TempDir other;  // another node: another secret
  auto third = load_or_create_recipient_secret(other.path());
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_NE(fingerprint(*first), fingerprint(*third));
}

TEST(RecipientSecretFile, NodesStartingTogetherShareOne) {
  TempDir tmp;
  std::vector<RecipientRand> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto s = load_or_create_recipient_secret(tmp.path());
      if (s.ok())
        seen[i] = fingerprint(*s);
      else
        ADD_FAILURE() << s.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& f : seen) EXPECT_EQ(f, seen[0]);
  EXPECT_NE(seen[0], RecipientRand{});
}

TEST(RecipientSecretFile, RefusedWhenOthersMayReadIt) {
  TempDir tmp;
  ASSERT_TRUE(load_or_create_recipient_secret(tmp.path()).ok());
  const std::string path = secret_path(tmp.path());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto secret = load_or_create_recipient_secret(tmp.path());
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code, ErrorCode::BadKey);
  EXPECT_NE(secret.error().message.find(path), std::string::npos) << secret.error().message;
  EXPECT_NE(secret.error().message.find("0644"), std::string::npos) << secret.error().message;
  // Left as it is: the operator decides.
  EXPECT_EQ(mode_of(path), 0644u);
  EXPECT_EQ(fs::file_size(path), RecipientSecret::kSize);

  ASSERT_EQ(chmod(path.c_str(), 0640), 0);  // group alone is refused too
  EXPECT_FALSE(load_or_create_recipient_secret(tmp.path()).ok());
}

TEST(RecipientSecretFile, RefusedWhenTruncatedOrEmpty) {
  TempDir tmp;
  ASSERT_TRUE(load_or_create_recipient_secret(tmp.path()).ok());
  const std::string path = secret_path(tmp.path());
  fs::resize_file(path, 16);
  auto secret = load_or_create_recipient_secret(tmp.path());
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code, ErrorCode::BadKey);
  EXPECT_NE(secret.error().message.find(path), std::string::npos) << secret.error().message;
  EXPECT_NE(secret.error().message.find("16 bytes"), std::string::npos) << secret.error().message;

  fs::resize_file(path, 0);  // never silently replaced: that would void every issued ticket
  EXPECT_FALSE(load_or_create_recipient_secret(tmp.path()).ok());
  EXPECT_EQ(fs::file_size(path), 0u);

  fs::resize_file(path, 33);
  EXPECT_FALSE(load_or_create_recipient_secret(tmp.path()).ok());
}

TEST(RecipientSecretFile, RefusedWhenNotAFile) {
  TempDir tmp;
  fs::create_directories(secret_path(tmp.path()));
  chmod(secret_path(tmp.path()).c_str(), 0700);
  auto secret = load_or_create_recipient_secret(tmp.path());
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.error().message.find(secret_path(tmp.path())), std::string::npos) << secret.error().message;
}

}  // namespace
}  // namespace lp::pm
