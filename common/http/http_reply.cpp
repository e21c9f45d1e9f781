#include "http_reply.h"

#include <vector>

#include "wire/error_body.h"

namespace lp {

void reply_text(SoupServerMessage* msg, int status, const char* content_type, const std::string& text) {
  soup_server_message_set_status(msg, static_cast<guint>(status), nullptr);
  soup_server_message_set_response(msg, content_type, SOUP_MEMORY_COPY, text.data(), text.size());
}

void reply_json(SoupServerMessage* msg, int status, const std::string& json) {
  reply_text(msg, status, "application/json", json);
}

void reply_bytes(SoupServerMessage* msg, int status, const char* content_type, GBytes* bytes) {
  soup_server_message_set_status(msg, static_cast<guint>(status), nullptr);
  SoupMessageHeaders* h = soup_server_message_get_response_headers(msg);
  soup_message_headers_set_content_type(h, content_type, nullptr);
  soup_message_body_append_bytes(soup_server_message_get_response_body(msg), bytes);
}

void reply_error(SoupServerMessage* msg, const Error& error) {
  const int status = wire::http_status(error.code);
  if (error.code == ErrorCode::Busy || error.code == ErrorCode::NoTranscoder)
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "1");
  reply_json(msg, status, wire::to_json(wire::error_body(error)));
}

std::map<std::string, std::string> request_headers(SoupServerMessage* msg) {
  std::map<std::string, std::string> out;
  SoupMessageHeadersIter iter;
  soup_message_headers_iter_init(&iter, soup_server_message_get_request_headers(msg));
  const char* name = nullptr;
  const char* value = nullptr;
  while (soup_message_headers_iter_next(&iter, &name, &value)) out[name] = value;
  return out;
}

std::string request_header(SoupServerMessage* msg, const char* name) {
  const char* v = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), name);
  return v ? v : "";
}

gint64 content_length(SoupServerMessage* msg) {
  return soup_message_headers_get_content_length(soup_server_message_get_request_headers(msg));
}

std::string peer_address(SoupServerMessage* msg) {
  const char* host = soup_server_message_get_remote_host(msg);
  GSocketAddress* addr = soup_server_message_get_remote_address(msg);
  guint16 port = G_IS_INET_SOCKET_ADDRESS(addr) ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(addr)) : 0;
  return std::string(host ? host : "?") + ":" + std::to_string(port);
}

std::vector<std::string> path_parts(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace lp
