// Keystore files on disk the way geth keeps them: a directory of v3 JSON files named
// UTC--<time>--<address>, mode 0600; and password files as geth reads them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "keystore.h"
#include "secret.h"

namespace lp::eth {

// "UTC--2016-03-22T12-57-55.920751759Z--7ef5a6135f1fd6a02593eedc869c6d41d934aef8".
std::string keystore_file_name(const Address& address, std::chrono::system_clock::time_point when);

// Encrypts `key` into a new file in `dir` (created 0700 if missing), written atomically with
// mode 0600. Returns the file's path.
Result<std::string> write_keystore_file(const std::string& dir, const PrivateKey& key, std::string_view password,
                                        const ScryptParams& params = kScryptStandard);

// Reads and decrypts one file.
Result<PrivateKey> load_keystore_file(const std::string& path, std::string_view password);

struct KeystoreFile {
  std::string path;
  Result<Address> address;  // an error says why the file is not a usable keystore
};

// The regular files of `dir`, by name (geth's names sort by creation time), skipping hidden
// and backup (~) files as geth does.
Result<std::vector<KeystoreFile>> list_keystore_files(const std::string& dir);

// A file is taken as is; a directory must hold exactly one keystore.
Result<std::string> resolve_keystore(const std::string& file_or_dir);

// The password in a file, less one trailing "\n" or "\r\n" (as geth reads password files).
Result<Wiped<std::string>> read_password_file(const std::string& path);

}  // namespace lp::eth
