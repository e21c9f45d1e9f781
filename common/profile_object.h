// One rendition profile as a JSON object, in go-livepeer's -transcodingOptions vocabulary:
// each member read by its own function, found by name in one table (kProfileFields), so a
// field is added in one place. profile.cpp builds the public parsers on this.
#pragma once

#include <json-glib/json-glib.h>

#include <string>
#include <string_view>

#include "error.h"
#include "profile.h"

namespace lp::profile_json {

// An InvalidProfile error.
Error invalid(std::string message);
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);  // ASCII, case-insensitive
// The node as the user wrote it (re-serialised), for "got ..." in messages.
std::string node_text(JsonNode* node);

// One profile object. `prefix` ("" or "profiles[1].") goes before every field name in errors.
Result<Profile> read_object(JsonObject* object, const std::string& prefix);

}  // namespace lp::profile_json
