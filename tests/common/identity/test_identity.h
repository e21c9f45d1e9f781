// Helpers shared by the identity tests: error expectations and a scratch directory.
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <string>

#include "error.h"

namespace lp::eth {

// The web3.js documentation's example key (public: never use it for anything real), its
// address (web3.eth.accounts.privateKeyToAccount) and its personal_sign of "Some data"
// (web3.eth.accounts.sign, docs.web3js.org/api/web3-eth-accounts/function/sign).
inline constexpr const char* kWeb3Key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
inline constexpr const char* kWeb3Address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
inline constexpr const char* kSomeDataSig =
    "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2"
    "da167c747ef045e5d18a5f5d4300f8e1a0291c";

// `r` failed with `code` and a message containing `part`.
template <typename T>
::testing::AssertionResult Fails(const Result<T>& r, ErrorCode code, const std::string& part) {
  if (r.ok()) return ::testing::AssertionFailure() << "succeeded, expected: " << part;
  if (r.error().code != code || r.error().message.find(part) == std::string::npos) {
    return ::testing::AssertionFailure() << error_code_name(r.error().code) << ": " << r.error().message
                                         << "\n  expected " << error_code_name(code) << " containing: " << part;
  }
  return ::testing::AssertionSuccess();
}

// A fresh directory, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    g_autoptr(GError) err = nullptr;
    g_autofree char* dir = g_dir_make_tmp("lpgst-identity-XXXXXX", &err);
    path_ = dir ? dir : "";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { remove_tree(path_); }

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& contents) const {
    ASSERT_TRUE(
        g_file_set_contents(file(name).c_str(), contents.data(), static_cast<gssize>(contents.size()), nullptr));
  }

 private:
  static void remove_tree(const std::string& path) {
    if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) {
      g_autoptr(GDir) d = g_dir_open(path.c_str(), 0, nullptr);
      while (const char* name = d ? g_dir_read_name(d) : nullptr) remove_tree(path + "/" + name);
      g_rmdir(path.c_str());
    } else if (!path.empty()) {
      g_unlink(path.c_str());
    }
  }
  std::string path_;
};

}  // namespace lp::eth
