// lpnode: the long-lived roles. --orchestrator serves the public and operator APIs (and, with
// --transcoder, transcodes in-process); --transcoder alone works for the orchestrator at
// --orch-addr. SIGTERM or SIGINT drains: no new work, in-flight segments finish, exit 0.
#include <glib-unix.h>
#include <gst/gst.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "gateway.h"
#include "gpu_job_placement.h"
#include "job_pipeline.h"
#include "node_capabilities.h"
#include "node_identity.h"
#include "node_options.h"
#include "node_payments.h"
#include "http/tls_identity.h"
#include "livepeer/livepeer_capabilities.h"
#include "livepeer/livepeer_transcoder.h"
#include "orchestrator.h"
#include "orchestrator_protocol.h"
#include "transcoder_client.h"
#include "transcoder_status_server.h"

namespace {

constexpr std::chrono::seconds kDrainLimit{30};

// One line per message on stderr: "21:04:05.123 lpnode message: text". Debug lines only at -v 4+.
int g_verbosity = 0;

GLogWriterOutput write_log(GLogLevelFlags level, const GLogField* fields, gsize n_fields, gpointer) {
  if ((level & G_LOG_LEVEL_DEBUG) && g_verbosity < 4) return G_LOG_WRITER_HANDLED;
  const char* text = "";
  const char* domain = nullptr;
  for (gsize i = 0; i < n_fields; ++i) {
    if (g_strcmp0(fields[i].key, "MESSAGE") == 0) text = static_cast<const char*>(fields[i].value);
    if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0) domain = static_cast<const char*>(fields[i].value);
  }
  const char* what = (level & G_LOG_LEVEL_ERROR)      ? "error"
                     : (level & G_LOG_LEVEL_CRITICAL) ? "critical"
                     : (level & G_LOG_LEVEL_WARNING)  ? "warning"
                     : (level & G_LOG_LEVEL_DEBUG)    ? "debug"
                                                      : "info";
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char* stamp = g_date_time_format(now, "%H:%M:%S");
  std::fprintf(stderr, "%s.%03d %s%s%s: %s\n", stamp, g_date_time_get_microsecond(now) / 1000, what, domain ? " " : "",
               domain ? domain : "", text);
  std::fflush(stderr);
  return G_LOG_WRITER_HANDLED;
}

struct Node {
  GMainLoop* loop = nullptr;
  std::unique_ptr<lp::Orchestrator> orchestrator;
  std::unique_ptr<lp::TranscoderClient> transcoder;
  std::unique_ptr<lp::livepeer::LivepeerTranscoder> livepeer;  // a transcoder for go-livepeer
  std::unique_ptr<lp::TranscoderStatusServer> status_server;   // a standalone transcoder's --cli-addr
  std::unique_ptr<lp::Gateway> gateway;
  int exit_code = 0;
  bool draining = false;
};

gboolean on_signal(gpointer data) {
  auto* node = static_cast<Node*>(data);
  if (node->draining) {
    g_message("second signal: stopping now");
    g_main_loop_quit(node->loop);
    return G_SOURCE_CONTINUE;
  }
  node->draining = true;
  auto done = [node] { g_main_loop_quit(node->loop); };
  if (node->orchestrator) {
    node->orchestrator->drain(done);
  } else if (node->transcoder) {
    node->transcoder->drain(kDrainLimit, done);
  } else if (node->livepeer) {
    node->livepeer->drain(kDrainLimit, done);
  } else if (node->gateway) {
    node->gateway.reset();  // ends every stream (their playlists get ENDLIST)
    done();
  } else {
    done();
  }
  return G_SOURCE_CONTINUE;
}

int local_capacity(const lp::NodeOptions& o) {
  if (!o.max_sessions_auto) return o.max_sessions;
  // auto in combined mode: one ladder per two cores (each ladder's encoders are threaded).
  return std::max(1u, std::thread::hardware_concurrency() / 2);
}

int run_orchestrator(const lp::NodeOptions& o, Node& node) {
  lp::OrchestratorConfig config;
  config.http_addr = o.http_addr;
  config.cli_addr = o.cli_addr;
  config.service_addr = o.service_addr;
  config.secret = o.orch_secret;
  config.max_sessions = o.max_sessions;
  config.max_sessions_auto = o.max_sessions_auto;
  config.local_capacity = o.transcoder ? local_capacity(o) : 0;
  config.pipeline_template = o.pipeline_template;
  config.require_client_signature = o.require_client_signature;
  config.drain_timeout = kDrainLimit;
  config.default_profiles = o.transcoding_options;
  config.price = {o.price_per_unit, o.pixels_per_unit};
  config.http_limits = o.http_limits;
  config.max_renditions = o.max_renditions;
  config.result_ttl = std::chrono::seconds(o.result_ttl_s);
  config.max_frame_pixels = o.max_frame_pixels;
  config.max_pixels_per_second = o.max_pixels_per_second;
  const std::string data_dir = lp::node_data_dir(o);
  auto token_key = lp::load_or_create_token_key(data_dir);
  if (!token_key) {
    std::fprintf(stderr, "lpnode: %s\n", token_key.error().message.c_str());
    return 1;
  }
  config.token_key = *token_key;
  if (!o.http_plain) {
    auto tls =
        o.tls_cert.empty() ? lp::TlsIdentity::load_or_create(data_dir) : lp::TlsIdentity::load(o.tls_cert, o.tls_key);
    if (!tls) {
      std::fprintf(stderr, "lpnode: --tls-cert: %s\n", tls.error().message.c_str());
      return 1;
    }
    config.tls = *tls;
  }
  // A bad template is told before the (slow, scrypt) key is opened.
  if (auto e =
          lp::check_pipeline_template(o.pipeline_template.empty() ? lp::kDefaultPipelineTemplate : o.pipeline_template);
      !e.ok()) {
    std::fprintf(stderr, "lpnode: %s\n", e.error().message.c_str());
    return 1;
  }
  auto key = lp::load_node_key(o);
  if (!key) {
    std::fprintf(stderr, "lpnode: the node's key: %s\n", key.error().message.c_str());
    return 1;
  }
  if (key->created) g_message("created a new node key in %s", key->keystore_path.c_str());
  const std::string signer = key->key.address().checksummed();
  auto payment_config = lp::node_payment_config(o, key->key, data_dir);
  if (!payment_config) {
    std::fprintf(stderr, "lpnode: %s\n", payment_config.error().message.c_str());
    return 1;
  }
  if (*payment_config) {
    // Reads the contracts from the Controller: an unreachable chain node stops the start, as
    // go-livepeer's does.
    auto payments = lp::pm::PaymentService::start(std::move(**payment_config));
    if (!payments) {
      std::fprintf(stderr, "lpnode: -network %s: %s\n", o.network.c_str(), payments.error().message.c_str());
      return 1;
    }
    config.payments = std::move(*payments);
    std::printf("lpnode: payments on %s via %s: recipient %s, price %lld wei per %lld pixels, ticket EV %s wei\n",
                o.network.c_str(), o.eth_url.c_str(), signer.c_str(), static_cast<long long>(o.price_per_unit),
                static_cast<long long>(o.pixels_per_unit), config.payments->ticket_ev().to_dec().c_str());
  }
  config.key = std::move(key->key);
  const std::string tls_sha256 = config.tls ? config.tls->sha256() : "";
  auto orchestrator = lp::Orchestrator::start(std::move(config));
  if (!orchestrator) {
    std::fprintf(stderr, "lpnode: %s\n", orchestrator.error().message.c_str());
    return 1;
  }
  node.orchestrator = std::move(*orchestrator);
  std::printf("lpnode: orchestrator on %s, operator API on http://%s, signing as %s%s\n",
              node.orchestrator->http_url().c_str(), node.orchestrator->cli_address().c_str(), signer.c_str(),
              o.transcoder ? " (transcoding in-process)" : "");
  if (tls_sha256.empty()) {
    std::printf("lpnode: public port is plain HTTP (no TLS): keep it on loopback or a private network\n");
  } else {
    std::printf("lpnode: TLS certificate sha256 %s (transcoders may pin it: --orch-cert-sha256)\n", tls_sha256.c_str());
  }
  if (o.service_addr.empty() && (o.http_addr.starts_with("0.0.0.0:") || o.http_addr.starts_with("[::]:")))
    std::printf("lpnode: no --service-addr: /v1/info signs %s; set --service-addr to the public host:port\n",
                (std::string(g_get_host_name()) + o.http_addr.substr(o.http_addr.rfind(':'))).c_str());
  std::fflush(stdout);
  return 0;
}

int run_gateway(const lp::NodeOptions& o, Node& node) {
  lp::GatewayConfig config;
  config.rtmp_addr = o.rtmp_addr;
  config.http_addr = o.http_addr;
  config.orchestrators = o.orch_addrs;
  config.profiles = o.transcoding_options;
  config.hls_dir = lp::node_data_dir(o) + "/hls";
  config.stream_timeout = std::chrono::seconds(o.stream_timeout_s);
  config.max_streams = static_cast<size_t>(o.max_streams);
  config.ingest_timeout = std::chrono::milliseconds(o.ingest_timeout_ms);
  config.stream_buffer_bytes = static_cast<size_t>(o.stream_buffer_mb) << 20;
  config.http_limits = o.http_limits;
  auto gateway = lp::Gateway::start(std::move(config));
  if (!gateway) {
    std::fprintf(stderr, "lpnode: %s\n", gateway.error().message.c_str());
    return 1;
  }
  node.gateway = std::move(*gateway);
  const std::string http = node.gateway->http_address();
  std::printf(
      "lpnode: gateway: RTMP on rtmp://%s:%d/live/<key>, MPEG-TS PUT to http://%s/live/<key>, "
      "HLS at http://%s/hls/<key>/index.m3u8\n",
      o.rtmp_addr.substr(0, o.rtmp_addr.rfind(':')).c_str(), node.gateway->rtmp_port(), http.c_str(), http.c_str());
  std::fflush(stdout);
  return 0;
}

// --orch-protocol: as given, or asked of the orchestrator (retrying until it answers: a
// transcoder may start before its orchestrator).
lp::OrchestratorProtocol resolve_protocol(const lp::NodeOptions& o) {
  if (o.orch_protocol == "lpgst") return lp::OrchestratorProtocol::Lpgst;
  if (o.orch_protocol == "livepeer") return lp::OrchestratorProtocol::Livepeer;
  auto delay = std::chrono::milliseconds(250);
  for (int attempt = 1;; ++attempt) {
    auto found = lp::probe_orchestrator_protocol(o.orch_addr, o.orch_cert_sha256, std::chrono::seconds(5));
    if (found) return *found;
    if (attempt == 1 || attempt % 10 == 0)
      g_message("cannot reach the orchestrator at %s to learn its protocol: %s; retrying", o.orch_addr.c_str(),
                found.error().message.c_str());
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(10000));
  }
}

int run_livepeer_transcoder(const lp::NodeOptions& o, Node& node, int capacity, const lp::wire::Capabilities& caps,
                            std::shared_ptr<lp::JobPlacement> placement) {
  lp::livepeer::LivepeerTranscoderConfig config;
  config.orch_addr = o.orch_addr;
  config.cert_pin = o.orch_cert_sha256;
  config.secret = o.orch_secret;
  config.capacity = capacity;
  const auto bits = lp::livepeer::transcoder_capabilities(caps);
  config.capabilities = lp::livepeer::to_net_capabilities(bits, lp::livepeer::kAnnouncedVersion);
  config.placement = std::move(placement);
  std::string names;
  for (int b : bits) names += (names.empty() ? "" : " ") + lp::livepeer::capability_name(b);
  g_message("go-livepeer capabilities: %s (version %s)", names.c_str(), lp::livepeer::kAnnouncedVersion);
  node.livepeer =
      std::make_unique<lp::livepeer::LivepeerTranscoder>(std::move(config), [&node](const std::string& why) {
        std::fprintf(stderr, "lpnode: %s\n", why.c_str());
        node.exit_code = 1;
        g_main_loop_quit(node.loop);
      });
  if (auto e = node.livepeer->start(); !e.ok()) {
    std::fprintf(stderr, "lpnode: %s\n", e.error().message.c_str());
    return 2;
  }
  return 0;
}

int run_transcoder(const lp::NodeOptions& o, Node& node) {
  lp::TranscoderClientConfig config;
  config.orch_addr = o.orch_addr;
  config.orch_cert_sha256 = o.orch_cert_sha256;
  config.secret = o.orch_secret;
  config.capacity = o.max_sessions;
  config.capabilities = lp::node_capabilities();
  if (!o.nvidia.empty()) {
    // The self-test runs before registering: the orchestrator only ever hears of GPUs that work.
    auto gpus = lp::setup_gpu_transcoder(o.nvidia, o.max_sessions);
    if (!gpus) {
      std::fprintf(stderr, "lpnode: %s\n", gpus.error().message.c_str());
      return 1;
    }
    for (const auto& line : gpus->log) g_message("%s", line.c_str());
    config.capacity = gpus->capacity;
    config.capabilities.hardware = gpus->devices;
    config.placement = gpus->placement;
  }
  const int capacity = config.capacity;
  const auto protocol = resolve_protocol(o);
  g_message("the orchestrator at %s speaks the %s protocol", o.orch_addr.c_str(), lp::protocol_name(protocol));
  if (protocol == lp::OrchestratorProtocol::Livepeer) {
    if (int rc = run_livepeer_transcoder(o, node, capacity, config.capabilities, config.placement)) return rc;
  } else {
    node.transcoder = std::make_unique<lp::TranscoderClient>(std::move(config), [&node](const std::string& why) {
      std::fprintf(stderr, "lpnode: %s\n", why.c_str());
      node.exit_code = 1;
      g_main_loop_quit(node.loop);
    });
    node.transcoder->start();
  }
  if (o.cli_addr_given) {
    auto server = lp::TranscoderStatusServer::start(o.cli_addr, [&node, &o, capacity, protocol] {
      lp::TranscoderStatus s;
      s.orchestrator = o.orch_addr;
      s.protocol = lp::protocol_name(protocol);
      s.capacity = capacity;
      if (node.livepeer) {
        const auto st = node.livepeer->state();
        s.connected = st.registered;
        s.running = static_cast<int64_t>(st.running);
        s.segments_done = st.segments_done;
        s.segments_failed = st.segments_failed;
        s.registrations = st.registrations;
        s.last_error = st.last_error;
      } else if (node.transcoder) {
        s.connected = node.transcoder->connected();
        s.running = static_cast<int64_t>(node.transcoder->running());
      }
      return s;
    });
    if (!server) {
      std::fprintf(stderr, "lpnode: %s\n", server.error().message.c_str());
      return 1;
    }
    node.status_server = std::move(*server);
  }
  std::printf("lpnode: transcoder for %s (%s protocol), capacity %d%s%s\n", o.orch_addr.c_str(),
              lp::protocol_name(protocol), capacity, o.nvidia.empty() ? "" : " (GPUs)",
              node.status_server ? (", status on http://" + node.status_server->address()).c_str() : "");
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = lp::parse_node_options(args);
  if (!options) {
    std::fprintf(stderr, "lpnode: %s\n", options.error().message.c_str());
    return 2;
  }
  const lp::NodeOptions& o = *options;
  if (o.help) {
    std::fputs(lp::node_usage().c_str(), stdout);
    return 0;
  }
  if (o.version) {
    std::printf("lpnode %s\n", PACKAGE_VERSION);
    return 0;
  }
  if (!o.nvidia.empty() && (o.orchestrator || o.gateway)) {
    std::fprintf(stderr,
                 "lpnode: --nvidia is for standalone transcoders (lpnode --transcoder --orch-addr ...); "
                 "attach one to this node instead\n");
    return 2;
  }
  if (o.transcoder && !o.orchestrator && (!o.eth_keystore_path.empty() || !o.eth_password.empty())) {
    std::fprintf(stderr,
                 "lpnode: a transcoder holds no key: drop --eth-keystore-path/--eth-password "
                 "(keys belong on the orchestrator)\n");
    return 2;
  }
  g_verbosity = o.verbosity;
  g_log_set_writer_func(write_log, nullptr, nullptr);
  gst_init(nullptr, nullptr);

  Node node;
  node.loop = g_main_loop_new(nullptr, FALSE);
  const int started = o.gateway        ? run_gateway(o, node)
                      : o.orchestrator ? run_orchestrator(o, node)
                                       : run_transcoder(o, node);
  if (started != 0) {
    g_main_loop_unref(node.loop);
    return started;
  }
  g_unix_signal_add(SIGTERM, on_signal, &node);
  g_unix_signal_add(SIGINT, on_signal, &node);
  g_main_loop_run(node.loop);
  node.gateway.reset();
  node.status_server.reset();
  node.transcoder.reset();
  node.livepeer.reset();
  node.orchestrator.reset();
  g_main_loop_unref(node.loop);
  if (node.draining && node.exit_code == 0) g_message("drained; exiting");
  return node.exit_code;
}
