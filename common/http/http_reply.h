// Answers on a SoupServerMessage in the protocol's shapes: JSON, bytes, and errors as
// status + {"error":{"code","message"}} with Retry-After where the code calls for it.
#pragma once

#include <libsoup/soup.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace lp {

void reply_json(SoupServerMessage* msg, int status, const std::string& json);
void reply_text(SoupServerMessage* msg, int status, const char* content_type, const std::string& text);
void reply_bytes(SoupServerMessage* msg, int status, const char* content_type, GBytes* bytes);
void reply_error(SoupServerMessage* msg, const Error& error);

// The request's headers as the wire layer reads them (names as sent).
std::map<std::string, std::string> request_headers(SoupServerMessage* msg);
std::string request_header(SoupServerMessage* msg, const char* name);
// The request's Content-Length (0 when none is given).
gint64 content_length(SoupServerMessage* msg);

// "host:port" of the peer, for logs and /status.
std::string peer_address(SoupServerMessage* msg);

// Splits "/a/b/c" into {"a","b","c"}.
std::vector<std::string> path_parts(std::string_view path);

}  // namespace lp
