// Base64 as go-livepeer's HTTP headers carry it (Livepeer-Payment, Livepeer-Segment): Go's
// base64.StdEncoding, the padded standard alphabet. GLib's decoder takes anything, and the
// errors here must name the byte as Go's CorruptInputError does.
#pragma once

#include <string>
#include <string_view>

#include "error.h"

namespace lp {

// Decodes as Go's StdEncoding.DecodeString (\r and \n skipped, padding required); a BadRequest
// error reads "base64 decode error: illegal base64 data at input byte N".
Result<std::string> go_base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);  // standard alphabet, padded

}  // namespace lp
