// The JSON reader and writer that message types describe themselves to (json_fields.h),
// declared for headers that expose a describe() pair.
#pragma once

namespace lp::wire::json {
class Reader;
class Writer;
}  // namespace lp::wire::json
