// `lpctl key ...` as an operator runs it: the real binary (path in $LPCTL), its output and
// exit codes (0 ok, 1 failure, 2 usage).
#include <glib.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "keystore_dir.h"
#include "test_identity.h"

namespace lp::eth {
namespace {

constexpr const char* kPassword = "s3cret-Pa55";

struct Outcome {
  int code = -1;
  std::string out, err;
};

Outcome lpctl(std::vector<std::string> args) {
  const char* exe = g_getenv("LPCTL");
  Outcome r;
  if (!exe) {
    ADD_FAILURE() << "LPCTL is not set";
    return r;
  }
  std::vector<char*> argv{const_cast<char*>(exe), const_cast<char*>("key")};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  g_autofree char* out = nullptr;
  g_autofree char* err = nullptr;
  int status = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_spawn_sync(nullptr, argv.data(), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err, &status, &error)) {
    ADD_FAILURE() << error->message;
    return r;
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = out ? out : "";
  r.err = err ? err : "";
  // Whatever happens, the password never shows.
  EXPECT_EQ(r.out.find(kPassword), std::string::npos);
  EXPECT_EQ(r.err.find(kPassword), std::string::npos);
  return r;
}

class LpctlKey : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp.write("pw", std::string(kPassword) + "\r\n");
    auto key = PrivateKey::from_hex(kWeb3Key);
    keystore = write_keystore_file(tmp.file("known"), *key, kPassword, kScryptLight).value();
  }
  TempDir tmp;
  std::string keystore;  // kWeb3Key's file, alone in tmp/known
  std::string pw() const { return tmp.file("pw"); }
};

TEST_F(LpctlKey, NewListShow) {
  std::string dir = tmp.file("ks");
  Outcome made = lpctl({"new", "--keystore-dir", dir, "--password-file", pw(), "--light-kdf"});
  ASSERT_EQ(made.code, 0) << made.err;
  std::string address = made.out.substr(0, made.out.find('\n'));
  ASSERT_TRUE(parse_address(address).ok()) << made.out;
  EXPECT_EQ(parse_address(address)->checksummed(), address);

  auto files = list_keystore_files(dir).value();
  ASSERT_EQ(files.size(), 1u);
  struct stat st {};
  ASSERT_EQ(stat(files[0].path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Outcome listed = lpctl({"list", "--keystore-dir", dir});
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_EQ(listed.out, address + "  " + files[0].path + "\n");

  for (const std::string& where : {dir, files[0].path}) {
    Outcome shown = lpctl({"show", "--keystore", where, "--password-file", pw()});
    EXPECT_EQ(shown.code, 0) << shown.err;
    EXPECT_EQ(shown.out, address + "\n");
  }
}

TEST_F(LpctlKey, ImportAnExistingKey) {
  tmp.write("key.hex", std::string(kWeb3Key) + "\n");
  const std::string dir = tmp.file("imported");
  Outcome made = lpctl({"import", "--private-key-file", tmp.file("key.hex"), "--keystore-dir", dir, "--password-file",
                        pw(), "--light-kdf"});
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_EQ(made.out, std::string(kWeb3Address) + "\n");
  EXPECT_EQ(made.out.find("4c0883a6"), std::string::npos);
  EXPECT_EQ(made.err.find("4c0883a6"), std::string::npos) << "the key never shows";
  Outcome shown = lpctl({"show", "--keystore", dir, "--password-file", pw()});
  EXPECT_EQ(shown.code, 0) << shown.err;
  EXPECT_EQ(shown.out, std::string(kWeb3Address) + "\n");
  // Not a key: refused, nothing written.
  tmp.write("bad.hex", "0x1234\n");
  Outcome bad = lpctl({"import", "--private-key-file", tmp.file("bad.hex"), "--keystore-dir", tmp.file("none"),
                       "--password-file", pw()});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("--private-key-file"), std::string::npos) << bad.err;
  EXPECT_FALSE(g_file_test(tmp.file("none").c_str(), G_FILE_TEST_EXISTS));
  Outcome missing = lpctl({"import", "--keystore-dir", dir, "--password-file", pw()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--private-key-file is required"), std::string::npos) << missing.err;
}

TEST_F(LpctlKey, SignMessageMatchesWeb3) {
  Outcome signature = lpctl({"sign-message", "Some data", "--keystore", keystore, "--password-file", pw()});
  ASSERT_EQ(signature.code, 0) << signature.err;
  EXPECT_EQ(signature.out, std::string(kSomeDataSig) + "\n");
  // --hex signs the bytes the hex spells: "Some data" again.
  Outcome hex = lpctl(
      {"sign-message", "--hex", "0x536f6d652064617461", "--keystore", tmp.file("known"), "--password-file", pw()});
  EXPECT_EQ(hex.out, signature.out) << hex.err;
}

TEST_F(LpctlKey, VerifyMessage) {
  Outcome ok = lpctl({"verify-message", "Some data", kSomeDataSig, kWeb3Address});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "valid\n");

  Outcome other_message = lpctl({"verify-message", "Some data!", kSomeDataSig, kWeb3Address});
  EXPECT_EQ(other_message.code, 1);
  EXPECT_NE(other_message.err.find("invalid: signature is by 0x"), std::string::npos) << other_message.err;

  std::string high_v = std::string(kSomeDataSig).substr(0, 130) + "1d";
  Outcome bad_v = lpctl({"verify-message", "Some data", high_v, kWeb3Address});
  EXPECT_EQ(bad_v.code, 1);
  EXPECT_NE(bad_v.err.find("v must be 27 or 28"), std::string::npos) << bad_v.err;

  Outcome short_sig = lpctl({"verify-message", "Some data", "0x1234", kWeb3Address});
  EXPECT_EQ(short_sig.code, 1);
  EXPECT_NE(short_sig.err.find("must be 65 bytes"), std::string::npos) << short_sig.err;

  Outcome bad_address =
      lpctl({"verify-message", "Some data", kSomeDataSig, "0x2C7536E3605D9C16a7a3D7b1898e529396a65c23"});
  EXPECT_EQ(bad_address.code, 1);
  EXPECT_NE(bad_address.err.find("EIP-55 checksum"), std::string::npos) << bad_address.err;
}

TEST_F(LpctlKey, Failures) {
  tmp.write("wrong", "not the password\n");
  Outcome wrong = lpctl({"show", "--keystore", keystore, "--password-file", tmp.file("wrong")});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("wrong password"), std::string::npos) << wrong.err;

  auto second = PrivateKey::generate();
  ASSERT_TRUE(write_keystore_file(tmp.file("known"), *second, "x", kScryptLight).ok());
  Outcome several = lpctl({"show", "--keystore", tmp.file("known"), "--password-file", pw()});
  EXPECT_EQ(several.code, 1);
  EXPECT_NE(several.err.find("name one with --keystore FILE"), std::string::npos) << several.err;

  Outcome missing = lpctl({"show", "--keystore", tmp.file("absent"), "--password-file", pw()});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("absent"), std::string::npos) << missing.err;
}

TEST_F(LpctlKey, UsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"new", "--keystore-dir", "x"},
           {"list"},
           {"show", "--keystore", "x"},
           {"sign-message", "--keystore", "x", "--password-file", "y"},
           {"verify-message", "a", "b"},
           {"verify-message", "--no-such-flag", "a", "b", "c"},
           {"verify-message", "--hex", "0xzz", kSomeDataSig, kWeb3Address},
       }) {
    Outcome r = lpctl(args);
    EXPECT_EQ(r.code, 2) << ::testing::PrintToString(args) << "\n" << r.err;
    EXPECT_NE(r.err.find("usage: lpctl key"), std::string::npos) << r.err;
  }
  Outcome help = lpctl({"help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("verify-message"), std::string::npos);
}

}  // namespace
}  // namespace lp::eth
