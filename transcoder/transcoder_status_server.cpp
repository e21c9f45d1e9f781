#include "transcoder_status_server.h"

#include <json-glib/json-glib.h>

#include <memory>

#include "http/http_reply.h"

namespace lp {

std::string transcoder_status_json(const TranscoderStatus& s) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "role");
  json_builder_add_string_value(b, "transcoder");
  json_builder_set_member_name(b, "version");
  json_builder_add_string_value(b, PACKAGE_VERSION);
  json_builder_set_member_name(b, "orchestrator");
  json_builder_add_string_value(b, s.orchestrator.c_str());
  json_builder_set_member_name(b, "protocol");
  json_builder_add_string_value(b, s.protocol.c_str());
  json_builder_set_member_name(b, "connected");
  json_builder_add_boolean_value(b, s.connected);
  json_builder_set_member_name(b, "capacity");
  json_builder_add_int_value(b, s.capacity);
  json_builder_set_member_name(b, "running");
  json_builder_add_int_value(b, s.running);
  json_builder_set_member_name(b, "segments_done");
  json_builder_add_int_value(b, s.segments_done);
  json_builder_set_member_name(b, "segments_failed");
  json_builder_add_int_value(b, s.segments_failed);
  json_builder_set_member_name(b, "registrations");
  json_builder_add_int_value(b, s.registrations);
  json_builder_set_member_name(b, "last_error");
  json_builder_add_string_value(b, s.last_error.c_str());
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, root);
  g_autofree char* text = json_generator_to_data(gen, nullptr);
  return text;
}

std::string transcoder_metrics_text(const TranscoderStatus& s) {
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, const std::string& sample) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + sample + "\n";
  };
  std::string protocol = s.protocol;
  metric("lpgst_transcoder_connected", "gauge", "1 while registered with its orchestrator",
         "lpgst_transcoder_connected{protocol=\"" + protocol + "\"} " + (s.connected ? "1" : "0"));
  metric("lpgst_transcoder_capacity", "gauge", "Sessions this transcoder announced",
         "lpgst_transcoder_capacity " + std::to_string(s.capacity));
  metric("lpgst_transcoder_running_segments", "gauge", "Segments being transcoded now",
         "lpgst_transcoder_running_segments " + std::to_string(s.running));
  metric("lpgst_transcoder_segments_total", "counter", "Segments finished, by outcome",
         "lpgst_transcoder_segments_total{outcome=\"ok\"} " + std::to_string(s.segments_done) +
             "\nlpgst_transcoder_segments_total{outcome=\"failed\"} " + std::to_string(s.segments_failed));
  metric("lpgst_transcoder_registrations_total", "counter", "Successful registrations with the orchestrator",
         "lpgst_transcoder_registrations_total " + std::to_string(s.registrations));
  return out;
}

Result<std::unique_ptr<TranscoderStatusServer>> TranscoderStatusServer::start(
    const std::string& addr, std::function<TranscoderStatus()> snapshot) {
  auto server = listen_http(addr, "--cli-addr");
  if (!server) return server.error();
  std::unique_ptr<TranscoderStatusServer> me(new TranscoderStatusServer());
  me->server_ = std::move(*server);
  me->snapshot_ = std::move(snapshot);
  auto handler = +[](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer data) {
    auto* self = static_cast<TranscoderStatusServer*>(data);
    if (soup_server_message_get_method(m) != SOUP_METHOD_GET) {
      soup_server_message_set_status(m, SOUP_STATUS_METHOD_NOT_ALLOWED, nullptr);
      return;
    }
    const TranscoderStatus status = self->snapshot_();
    const bool metrics = g_str_equal(path, "/metrics");
    const std::string body = metrics ? transcoder_metrics_text(status) : transcoder_status_json(status);
    reply_text(m, 200, metrics ? "text/plain; version=0.0.4" : "application/json", body);
  };
  soup_server_add_handler(me->server_.get(), "/status", handler, me.get(), nullptr);
  soup_server_add_handler(me->server_.get(), "/metrics", handler, me.get(), nullptr);
  refuse_unexpected_bodies(me->server_.get(), {"/status", "/metrics"});
  return me;
}

std::string TranscoderStatusServer::address() const { return bound_address(server_.get()); }

}  // namespace lp
