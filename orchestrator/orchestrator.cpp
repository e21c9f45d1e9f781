// The orchestrator's assembly (servers, dispatcher, combined-mode worker), its operator API
// (GET /status, /metrics, /) and draining.
#include <json-glib/json-glib.h>
#include <malloc.h>

#include "dashboard.h"
#include "http/http_listen.h"
#include "http/tls_identity.h"
#include "http/http_reply.h"
#include "job_pipeline.h"
#include "livepeer/livepeer_capabilities.h"
#include "main_context.h"
#include "node_capabilities.h"
#include "orchestrator_impl.h"
#include "payment_report.h"
#include "wire/json_fields.h"

namespace lp {
namespace {

// As the wire spells them (the same object the transcoder's hello and pongs carry).
void add_hardware(JsonBuilder* b, const std::vector<wire::HardwareDevice>& devices) {
  json_builder_set_member_name(b, "hardware");
  json_builder_begin_array(b);
  for (const auto& d : devices) {
    json_builder_begin_object(b);
    wire::json::Writer io(b);
    wire::json::describe(io, d);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

void member(JsonBuilder* b, const char* name, int64_t v) {
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

void member(JsonBuilder* b, const char* name, const std::string& v) {
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, v.c_str());
}

}  // namespace

Orchestrator::Impl::Impl(OrchestratorConfig c)
    : config(std::move(c)),
      dispatcher(DispatcherConfig{3, config.min_job_deadline, 4, config.max_renditions, config.max_frame_pixels,
                                  config.max_pixels_per_second},
                 metrics),
      results(config.result_ttl, config.max_result_bytes),
      token_secret(config.token_key.empty() ? random_token() + random_token() : config.token_key) {
  dispatcher.set_logger([](const std::string& line) { g_message("%s", line.c_str()); });
  if (config.payments) chain_calls = std::make_unique<pm::ChainCallQueue>();
}

Orchestrator::Impl::~Impl() {
  *alive = false;
  if (fetch_session) {
    soup_session_abort(fetch_session);
    g_object_unref(fetch_session);
  }
  remove_source(drain_timer);
  remove_source(client_check);
  livepeer_transcoders.reset();  // ends registrations while the dispatcher still exists
  channel.reset();               // closes transcoder channels while the dispatcher still exists
}

Orchestrator::Orchestrator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Orchestrator::~Orchestrator() = default;

Result<std::unique_ptr<Orchestrator>> Orchestrator::start(OrchestratorConfig config) {
  if (auto e = check_pipeline_template(config.pipeline_template.empty() ? kDefaultPipelineTemplate
                                                                        : config.pipeline_template);
      !e.ok())
    return e.error();
  auto impl = std::make_unique<Impl>(std::move(config));
  ListenOptions public_options{
      impl->config.http_limits, impl->config.tls ? impl->config.tls->certificate() : nullptr, {}};
  // Rendition uploads are checked against a live job before their body is read (api_server),
  // so they are bounded by the jobs in flight, not by --http-max-bodies.
  public_options.limits.uncounted_body_prefix = "/v1/jobs/";
  if (impl->config.tls) {
    impl->h2_port = std::make_unique<h2::Port>();
    public_options.h2 = impl->h2_port->acceptor();
  }
  auto pub = listen_http(impl->config.http_addr, "--http-addr", public_options);
  if (!pub) return pub.error();
  impl->public_server = std::move(*pub);
  if (impl->h2_port) {
    impl->h2_port->serve_http_with(impl->public_server.get());
    impl->add_livepeer_methods();
  }
  ListenOptions operator_options{impl->config.http_limits, nullptr, {}};
  operator_options.limits.ip_hosts_only = true;
  auto op = listen_http(impl->config.cli_addr, "--cli-addr", operator_options);
  if (!op) return op.error();
  impl->operator_server = std::move(*op);
  impl->add_public_handlers();
  impl->add_livepeer_segment_handlers();
  impl->add_operator_handlers();
  impl->client_check = add_timeout_repeat(std::chrono::milliseconds(250), [me = impl.get()] {
    me->check_clients();
    me->expire_results();
    me->livepeer_sessions.expire(std::chrono::steady_clock::now());  // tells transcoders of ended sessions
    return true;
  });
  ChannelSettings settings{impl->config.pipeline_template, impl->config.transcode_options, impl->config.heartbeat};
  impl->channel =
      std::make_unique<TranscoderChannelServer>(impl->public_server.get(), impl->config.secret, impl->dispatcher,
                                                impl->media, settings, impl->config.tls ? "https://" : "http://");
  if (impl->config.local_capacity > 0) {
    impl->local = std::make_shared<LocalTranscoder>(impl->config.local_capacity, node_capabilities(),
                                                    impl->config.pipeline_template, impl->config.transcode_options);
    impl->dispatcher.add_worker(impl->local);
  }
  return std::unique_ptr<Orchestrator>(new Orchestrator(std::move(impl)));
}

std::string Orchestrator::http_address() const { return bound_address(impl_->public_server.get()); }
std::string Orchestrator::cli_address() const { return bound_address(impl_->operator_server.get()); }
std::string Orchestrator::http_url() const {
  return std::string(impl_->config.tls ? "https://" : "http://") + http_address();
}

void Orchestrator::drain(std::function<void()> done) {
  Impl& impl = *impl_;
  impl.draining = true;
  impl.drained = std::move(done);
  const gint64 give_up = g_get_monotonic_time() + std::chrono::microseconds(impl.config.drain_timeout).count();
  g_message("draining: %d segment(s) in flight, waiting up to %lld s", impl.dispatcher.in_flight(),
            static_cast<long long>(impl.config.drain_timeout.count()));
  auto check = [&impl, give_up] {
    const bool busy = impl.dispatcher.in_flight() > 0 || !impl.open_answers.empty();
    if (busy && g_get_monotonic_time() < give_up) return true;
    if (impl.dispatcher.in_flight() > 0)
      g_warning("drain timeout: %d segment(s) still in flight are abandoned", impl.dispatcher.in_flight());
    impl.drain_timer = 0;
    if (auto fn = std::move(impl.drained)) fn();
    return false;
  };
  impl.drain_timer = add_timeout_repeat(std::chrono::milliseconds(50), check);
}

// Results past their ttl go even when no new segment comes, and once a good part of the store
// has gone the heap is handed back to the system (glibc keeps freed memory otherwise, and an
// idle node would show its busiest five minutes' RSS for good).
void Orchestrator::Impl::expire_results() {
  const gint64 now = g_get_monotonic_time();
  if (now - last_expiry_us < G_USEC_PER_SEC) return;
  last_expiry_us = now;
  const size_t before = results.bytes();
  results.expire();
  std::erase_if(stream_files, [this](const auto& f) { return !results.get(f.second.first, f.second.second).bytes; });
  freed_since_trim += before - results.bytes();
  if (freed_since_trim >= (size_t{16} << 20) || (freed_since_trim > 0 && results.count() == 0)) {
    malloc_trim(0);
    freed_since_trim = 0;
  }
}

void Orchestrator::Impl::add_operator_handlers() {
  SoupServer* s = operator_server.get();
  refuse_unexpected_bodies(s, {"/status", "/metrics", "/"});
  soup_server_add_handler(
      s, "/status",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        reply_json(m, 200, static_cast<Impl*>(self)->status_json());
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/metrics",
      [](SoupServer*, SoupServerMessage* m, const char*, GHashTable*, gpointer self) {
        auto* impl = static_cast<Impl*>(self);
        std::vector<OrchestratorMetrics::Gpu> gpus;
        for (const auto& w : impl->dispatcher.workers())
          for (const auto& d : w.capabilities.hardware)
            if (!d.path.empty() || !d.error.empty())
              gpus.push_back({w.id, d.index, d.name, d.path, d.capacity, d.sessions, d.load_percent, d.error.empty()});
        impl->metrics.set_gpus(std::move(gpus));
        std::map<std::string, int> protocols;
        for (const auto& w : impl->dispatcher.workers()) ++protocols[w.protocol];
        impl->metrics.set_protocols(std::move(protocols));
        impl->metrics.set_gateway_sessions(static_cast<int>(impl->livepeer_sessions.size()));
        std::string text = impl->metrics.render();
        if (impl->config.payments) text += render_payment_metrics(impl->config.payments->status());
        reply_text(m, 200, "text/plain; version=0.0.4; charset=utf-8", text);
      },
      this, nullptr);
  soup_server_add_handler(
      s, "/",
      [](SoupServer*, SoupServerMessage* m, const char* path, GHashTable*, gpointer) {
        if (std::string_view(path) != "/")
          return reply_error(m, Error{ErrorCode::NotFound, "no such page: /status, /metrics or /"});
        reply_text(m, 200, "text/html; charset=utf-8", dashboard_html());
      },
      this, nullptr);
}

std::string Orchestrator::Impl::status_json() const {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  member(b, "version", std::string(PACKAGE_VERSION));

  json_builder_set_member_name(b, "orchestrator");
  json_builder_begin_object(b);
  member(b, "http_addr", bound_address(public_server.get()));
  member(b, "service_addr", config.service_addr);
  json_builder_set_member_name(b, "tls");
  json_builder_add_boolean_value(b, config.tls != nullptr);
  member(b, "tls_cert_sha256", config.tls ? config.tls->sha256() : std::string());
  member(b, "connections", static_cast<int64_t>(open_connections(public_server.get())));
  member(b, "max_sessions", max_sessions());
  json_builder_set_member_name(b, "max_sessions_auto");
  json_builder_add_boolean_value(b, config.max_sessions_auto);
  member(b, "sessions_in_use", dispatcher.in_flight());
  json_builder_set_member_name(b, "draining");
  json_builder_add_boolean_value(b, draining);
  member(b, "pipeline_template",
         config.pipeline_template.empty() ? std::string(kDefaultPipelineTemplate) : config.pipeline_template);
  member(b, "signer", config.key ? config.key->address().checksummed() : std::string());
  json_builder_end_object(b);
  if (config.payments) add_payment_status(b, config.payments->status(), *config.payments);

  json_builder_set_member_name(b, "transcoders");
  json_builder_begin_array(b);
  for (const auto& w : dispatcher.workers()) {
    json_builder_begin_object(b);
    member(b, "id", w.id);
    member(b, "address", w.address);
    json_builder_set_member_name(b, "local");
    json_builder_add_boolean_value(b, w.local);
    member(b, "protocol", w.protocol);
    member(b, "capacity", w.capacity);
    member(b, "load", w.load);
    member(b, "segments", static_cast<int64_t>(w.segments_done));
    json_builder_set_member_name(b, "codecs");
    json_builder_begin_array(b);
    for (const auto& c : w.capabilities.codecs) json_builder_add_string_value(b, c.c_str());
    json_builder_end_array(b);
    add_hardware(b, w.capabilities.hardware);
    if (w.protocol == "livepeer") {
      json_builder_set_member_name(b, "livepeer_capabilities");
      json_builder_begin_array(b);
      for (int c : w.livepeer_capabilities) json_builder_add_string_value(b, livepeer::capability_name(c).c_str());
      json_builder_end_array(b);
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  // Sessions: streams seen in the last 10 minutes, with the job they ran last.
  const gint64 now = g_get_monotonic_time();
  json_builder_set_member_name(b, "sessions");
  json_builder_begin_array(b);
  for (const auto& s : dispatcher.streams()) {
    if (now - s.last_us > 600 * G_USEC_PER_SEC) continue;
    json_builder_begin_object(b);
    member(b, "stream_id", s.stream_id);
    member(b, "transcoder", s.worker_id);
    member(b, "segments", static_cast<int64_t>(s.segments));
    member(b, "pipeline", s.pipeline);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  // go-livepeer gateways' sessions (auth-token session ids), what -maxSessions counts.
  json_builder_set_member_name(b, "gateway_sessions");
  json_builder_begin_array(b);
  const auto steady = std::chrono::steady_clock::now();
  for (const auto& [id, last] : livepeer_sessions.list()) {
    json_builder_begin_object(b);
    member(b, "session_id", id);
    member(b, "idle_seconds",
           static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(steady - last).count()));
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  const auto t = metrics.totals();
  json_builder_set_member_name(b, "totals");
  json_builder_begin_object(b);
  member(b, "segments_received", static_cast<int64_t>(t.received));
  member(b, "segments_transcoded", static_cast<int64_t>(t.transcoded));
  member(b, "segments_failed", static_cast<int64_t>(t.failed));
  member(b, "segments_redispatched", static_cast<int64_t>(t.redispatched));
  member(b, "results_stored", static_cast<int64_t>(results.count()));
  member(b, "result_bytes", static_cast<int64_t>(results.bytes()));
  json_builder_end_object(b);

  json_builder_end_object(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  g_autofree char* text = json_generator_to_data(gen, nullptr);
  return text;
}

}  // namespace lp
