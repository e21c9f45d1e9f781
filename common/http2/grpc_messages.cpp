#include "http2/grpc_messages.h"

#include <glib.h>

namespace lp::grpc {

std::string frame(std::string_view message) {
  std::string out;
  out.reserve(5 + message.size());
  const auto n = static_cast<uint32_t>(message.size());
  out.push_back('\0');  // not compressed
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  out.append(message);
  return out;
}

h2::Headers request_headers(const std::string& path) {
  return {{":method", "POST"},
          {":path", path},
          {"content-type", "application/grpc+proto"},
          {"te", "trailers"},
          {"user-agent", "lpgst/" PACKAGE_VERSION}};
}

Result<void> MessageReader::feed(std::string_view bytes, const std::function<void(std::string&&)>& on_message) {
  buffer_.append(bytes);
  while (buffer_.size() >= 5) {
    const auto* b = reinterpret_cast<const unsigned char*>(buffer_.data());
    if (b[0] != 0) return Error{ErrorCode::Unsupported, "a compressed gRPC message (none was negotiated)"};
    const size_t n = (size_t{b[1]} << 24) | (size_t{b[2]} << 16) | (size_t{b[3]} << 8) | size_t{b[4]};
    if (n > max_)
      return Error{ErrorCode::TooLarge,
                   "a gRPC message of " + std::to_string(n) + " bytes (the limit is " + std::to_string(max_) + ")"};
    if (buffer_.size() < 5 + n) break;
    std::string message = buffer_.substr(5, n);
    buffer_.erase(0, 5 + n);
    on_message(std::move(message));
  }
  return {};
}

std::optional<Status> status_from(const h2::Headers& headers) {
  bool found = false;
  Status status;
  for (const auto& [name, value] : headers) {
    if (name == "grpc-status") {
      found = true;
      char* end = nullptr;
      const gint64 code = g_ascii_strtoll(value.c_str(), &end, 10);
      status.code =
          (end && *end == '\0' && !value.empty() && code >= 0 && code <= 16) ? static_cast<int>(code) : kUnknown;
    } else if (name == "grpc-message") {
      status.message = percent_decode(value);
    }
  }
  if (!found) return std::nullopt;
  return status;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && g_ascii_isxdigit(text[i + 1]) && g_ascii_isxdigit(text[i + 2])) {
      out.push_back(static_cast<char>(g_ascii_xdigit_value(text[i + 1]) * 16 + g_ascii_xdigit_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace lp::grpc
