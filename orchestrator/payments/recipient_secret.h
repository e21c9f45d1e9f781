// The recipientRand HMAC secret kept under --data-dir (issue 17): go-livepeer makes a fresh one per
// start, so every ticket issued before a restart fails its recipientRandHash check after it and
// its winners are lost. lpgst keeps it in <data_dir>/payments/recipient-secret, 32 raw bytes, mode
// 0600, in a folder of mode 0700.
#pragma once

#include <string>

#include "error.h"
#include "recipient_rand.h"

namespace lp::pm {

// <data_dir>/payments: where the secret and the winning-ticket store live.
std::string payments_dir(const std::string& data_dir);

// Makes `dir` and any missing parents with mode 0700 (existing folders are left as they are).
Result<void> make_private_dirs(const std::string& dir);

// Reads <data_dir>/payments/recipient-secret, or makes it from OpenSSL's CSPRNG when it does not
// exist (written to a temporary file, fsynced, then linked into place, so a crash never leaves half
// a secret and two nodes starting at once end up with the same one). A file that is not exactly 32
// bytes or that group or others may read or write is refused (ErrorCode::BadKey) with the path.
Result<RecipientSecret> load_or_create_recipient_secret(const std::string& data_dir);

}  // namespace lp::pm
