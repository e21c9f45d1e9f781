// Keystore files on disk: geth's names and modes, listing, choosing one, password files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "keystore_dir.h"
#include "test_identity.h"

namespace lp::eth {
namespace {

PrivateKey fresh_key() { return std::move(PrivateKey::generate().value()); }

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(KeystoreDir, FileNameIsGeths) {
  // A file name from go-ethereum's accounts/keystore/testdata/keystore.
  auto address = parse_address("7ef5a6135f1fd6a02593eedc869c6d41d934aef8").value();
  using namespace std::chrono;
  sys_time<nanoseconds> when = sys_days{2016y / 3 / 22} + 12h + 57min + 55s + 920751759ns;
  EXPECT_EQ(keystore_file_name(address, time_point_cast<system_clock::duration>(when)),
            "UTC--2016-03-22T12-57-55.920751759Z--7ef5a6135f1fd6a02593eedc869c6d41d934aef8");
}

TEST(KeystoreDir, WritesPrivateFilesThatLoadBack) {
  TempDir tmp;
  PrivateKey key = fresh_key();
  std::string dir = tmp.file("new/keystore");
  auto path = write_keystore_file(dir, key, "pw", kScryptLight);
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(mode_of(*path), 0600u);
  EXPECT_EQ(mode_of(dir), 0700u);
  g_autofree char* base = g_path_get_basename(path->c_str());
  EXPECT_TRUE(g_str_has_prefix(base, "UTC--")) << base;
  EXPECT_TRUE(g_str_has_suffix(base, ("Z--" + key.address().hex()).c_str())) << base;

  auto loaded = load_keystore_file(*path, "pw");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->address(), key.address());
  auto wrong = load_keystore_file(*path, "PW");
  EXPECT_TRUE(Fails(wrong, ErrorCode::Unauthorized, "wrong password"));
  EXPECT_TRUE(Fails(wrong, ErrorCode::Unauthorized, *path));
  EXPECT_TRUE(Fails(load_keystore_file(tmp.file("absent"), "pw"), ErrorCode::NotFound, "absent"));
}

TEST(KeystoreDir, ListsKeystoresAndSaysWhyOthersAreNot) {
  TempDir tmp;
  PrivateKey a = fresh_key(), b = fresh_key();
  ASSERT_TRUE(write_keystore_file(tmp.path(), a, "x", kScryptLight).ok());
  ASSERT_TRUE(write_keystore_file(tmp.path(), b, "x", kScryptLight).ok());
  tmp.write("garbage", "not a keystore");
  tmp.write(".hidden", "{}");
  tmp.write("backup~", "{}");
  ASSERT_EQ(g_mkdir(tmp.file("subdir").c_str(), 0700), 0);

  auto files = list_keystore_files(tmp.path());
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 3u);  // two keystores in creation order, then "garbage"
  EXPECT_EQ(files->at(0).address.value(), a.address());
  EXPECT_EQ(files->at(1).address.value(), b.address());
  EXPECT_EQ(files->at(2).path, tmp.file("garbage"));
  EXPECT_TRUE(Fails(files->at(2).address, ErrorCode::BadKey, "invalid JSON"));

  EXPECT_TRUE(Fails(list_keystore_files(tmp.file("absent")), ErrorCode::NotFound, "absent"));
}

TEST(KeystoreDir, ResolvesAFileOrADirectoryWithOneKeystore) {
  TempDir tmp;
  EXPECT_TRUE(Fails(resolve_keystore(tmp.path()), ErrorCode::NotFound, "no keystore file in"));
  EXPECT_TRUE(Fails(resolve_keystore(tmp.file("absent")), ErrorCode::NotFound, "absent"));
  tmp.write("README", "not a key");
  PrivateKey a = fresh_key(), b = fresh_key();
  auto first = write_keystore_file(tmp.path(), a, "x", kScryptLight).value();
  EXPECT_EQ(resolve_keystore(tmp.path()).value(), first);
  EXPECT_EQ(resolve_keystore(first).value(), first);
  auto second = write_keystore_file(tmp.path(), b, "x", kScryptLight).value();
  auto several = resolve_keystore(tmp.path());
  EXPECT_TRUE(Fails(several, ErrorCode::BadKey, "2 keystores in"));
  EXPECT_TRUE(Fails(several, ErrorCode::BadKey, "name one with --keystore FILE"));
  EXPECT_TRUE(Fails(several, ErrorCode::BadKey, b.address().checksummed() + "  " + second));
}

TEST(KeystoreDir, PasswordFilesLoseOneTrailingNewline) {
  TempDir tmp;
  struct Case {
    const char* contents;
    const char* password;
  } cases[] = {{"secret\n", "secret"},
               {"secret\r\n", "secret"},
               {"secret", "secret"},
               {"secret\n\n", "secret\n"},
               {"", ""},
               {"\n", ""},
               {" spaced \n", " spaced "}};
  for (const auto& c : cases) {
    tmp.write("pw", c.contents);
    auto pw = read_password_file(tmp.file("pw"));
    ASSERT_TRUE(pw.ok()) << pw.error().message;
    EXPECT_EQ(pw->get(), c.password) << c.contents;
  }
  EXPECT_TRUE(Fails(read_password_file(tmp.file("absent")), ErrorCode::NotFound, "password file"));
}

}  // namespace
}  // namespace lp::eth
