// Owning pointers for C libraries' objects (GLib, GObject, GStreamer, libsoup, OpenSSL,
// nghttp2, libsecp256k1): a std::unique_ptr that frees with the library's own function, so
// every owner is written the same way, `Owned<GBytes, g_bytes_unref>`, and no file needs a
// deleter struct of its own. (Scope-local values use GLib's g_autoptr instead.)
#pragma once

#include <memory>

namespace lp {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const noexcept {
    if (p) Free(p);
  }
};

template <typename T, auto Free>
using Owned = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace lp
