// What JSON text must be before json-glib reads it (RFC 8259 section 7 and 8.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lp {

// Why `text` is not acceptable JSON text, or nullopt: bytes that are not UTF-8 ("not UTF-8
// text (byte 0xF0 at offset 12)") or a backslash escape JSON does not have ("invalid escape
// \2 at offset 9"), a \u surrogate without its pair included. json-glib takes both (it reads "\216" as the octal byte
// 0x8E) and then writes strings that it cannot read back, so callers refuse such text before parsing it.
std::optional<std::string> json_text_problem(std::string_view text);

// Whether arrays and objects in `text` nest deeper than `max_depth`. json-glib recurses without
// a limit, so a hostile peer's 100k "[" would overflow the stack: callers check first.
bool json_nested_deeper_than(std::string_view text, int max_depth);

}  // namespace lp
