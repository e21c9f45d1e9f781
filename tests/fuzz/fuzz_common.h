// Shared by the libFuzzer targets (docs/fuzzing.md): GLib criticals and warnings abort, as
// G_DEBUG=fatal-criticals makes them in the test suite, so a parser that hands json-glib or
// GLib something it refuses is a finding too.
#pragma once

#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

namespace lp::fuzz {

inline void init_glib() {
  g_log_set_always_fatal(static_cast<GLogLevelFlags>(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_ERROR));
}

inline std::string_view text(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

// A property the target checks on top of "no crash": reported, then abort() so libFuzzer
// keeps the input.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

}  // namespace lp::fuzz
