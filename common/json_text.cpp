#include "json_text.h"

#include <glib.h>

namespace lp {
namespace {

std::string byte_name(unsigned char c) {
  char out[8];
  if (c >= 0x21 && c < 0x7F) {
    g_snprintf(out, sizeof out, "\\%c", c);
  } else {
    g_snprintf(out, sizeof out, "\\x%02X", c);
  }
  return out;
}

// The 4 hex digits at `at`, or nullopt.
std::optional<unsigned> hex4(std::string_view text, size_t at) {
  if (at + 4 > text.size()) return std::nullopt;
  unsigned v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    if (!g_ascii_isxdigit(text[k])) return std::nullopt;
    v = v * 16 + static_cast<unsigned>(g_ascii_xdigit_value(text[k]));
  }
  return v;
}

// Offset of the first escape JSON does not define (or a lone UTF-16 surrogate), scanning
// strings only.
std::optional<size_t> first_bad_escape(std::string_view text) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      in_string = c == '"';
      continue;
    }
    if (c == '"') {
      in_string = false;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) return i;
      const char e = text[i + 1];
      if (e == 'u') {
        auto unit = hex4(text, i + 2);
        if (!unit) return i;
        // UTF-16 surrogates come in pairs; json-glib turns a lone one into bytes that are
        // not UTF-8 (found by fuzz_wire_error_body).
        if (*unit >= 0xDC00 && *unit <= 0xDFFF) return i;
        if (*unit >= 0xD800 && *unit <= 0xDBFF) {
          const bool pair = i + 7 < text.size() && text[i + 6] == '\\' && text[i + 7] == 'u';
          auto low = pair ? hex4(text, i + 8) : std::nullopt;
          if (!low || *low < 0xDC00 || *low > 0xDFFF) return i;
          i += 6;
        }
        i += 5;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        ++i;
      } else {
        return i;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> json_text_problem(std::string_view text) {
  const gchar* end = nullptr;
  if (!g_utf8_validate_len(text.data(), text.size(), &end)) {
    const auto at = static_cast<size_t>(end - text.data());
    char byte[8];
    g_snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[at]));
    return "not UTF-8 text (byte " + std::string(byte) + " at offset " + std::to_string(at) + ")";
  }
  if (auto at = first_bad_escape(text)) {
    const std::string what = *at + 1 < text.size() ? byte_name(static_cast<unsigned char>(text[*at + 1])) : "\\";
    return "invalid escape " + what + " at offset " + std::to_string(*at);
  }
  return std::nullopt;
}

bool json_nested_deeper_than(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace lp
