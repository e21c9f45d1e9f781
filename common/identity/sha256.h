// SHA-256 through OpenSSL (SHA-NI where the CPU has it): segment bodies and renditions are
// hashed on every request, where GLib's GChecksum would cost 4x the CPU.
#pragma once

#include <glib.h>

#include <cstddef>
#include <string>

namespace lp {

// 64 lower-case hex digits.
std::string sha256_hex(const void* data, size_t size);
std::string sha256_hex(GBytes* bytes);

}  // namespace lp
