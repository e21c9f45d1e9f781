// A container whose bytes are wiped when it goes away or is moved from: passwords, derived keys,
// decrypted private keys. Moves copy, then wipe the source: a moved-from std::string would keep
// its short-string bytes. (Nothing can reach copies a std::string leaves behind when it grows.)
#pragma once

#include <openssl/crypto.h>

#include <utility>

namespace lp::eth {

template <typename T>
class Wiped {
 public:
  Wiped() = default;
  explicit Wiped(T value) : value_(std::move(value)) {}
  Wiped(Wiped&& other) : value_(other.value_) { other.wipe(); }
  Wiped& operator=(Wiped&& other) {
    if (this != &other) {
      wipe();
      value_ = other.value_;
      other.wipe();
    }
    return *this;
  }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() { wipe(); }

  T& get() { return value_; }
  const T& get() const { return value_; }

 private:
  void wipe() {
    if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size() * sizeof(*value_.data()));
  }
  T value_{};
};

}  // namespace lp::eth
