#include "wire/transcoder_channel.h"

#include <limits>

#include "wire/auth_token.h"
#include "wire/json_fields.h"

namespace lp::wire::json {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int kMaxCapacity = 100000;
constexpr int64_t kMaxHeartbeatMs = 60'000;
constexpr int64_t kMaxTimeoutMs = 86'400'000;  // a day: far above any real segment

template <typename Io, typename Self>
void map_hello(Io& io, Self& m) {
  io.string("version", m.version);
  io.integer("capacity", m.capacity, 1, kMaxCapacity);
  io.object("capabilities", m.capabilities);
}

template <typename Io, typename Self>
void map_welcome(Io& io, Self& m) {
  io.string("transcoder_id", m.transcoder_id);
  io.integer("heartbeat_interval_ms", m.heartbeat_interval_ms, 1, kMaxHeartbeatMs);
}

template <typename Io, typename Self>
void map_job(Io& io, Self& m) {
  io.string("job_id", m.job_id);
  io.string("stream_id", m.stream_id);
  io.integer("seq", m.seq, 0, kInt64Max);
  io.string("source_url", m.source_url);
  io.string("upload_url", m.upload_url);
  io.profiles("profiles", m.profiles);
  io.string("pipeline", m.pipeline);
  io.string_map("options", m.options, Need::Optional);
  io.integer("timeout_ms", m.timeout_ms, 1, kMaxTimeoutMs);
}

template <typename Io, typename Self>
void map_job_result(Io& io, Self& m) {
  io.string("job_id", m.job_id);
  io.objects("renditions", m.renditions, Need::Required, true);
}

template <typename Io, typename Self>
void map_job_failure(Io& io, Self& m) {
  io.string("job_id", m.job_id);
  io.object("error", m.error);
}

template <typename Io, typename Self>
void map_cancel(Io& io, Self& m) {
  io.string("job_id", m.job_id);
}

template <typename Io, typename Self>
void map_seq(Io& io, Self& m) {
  io.integer("seq", m.seq, 0, kInt64Max);
}

template <typename Io, typename Self>
void map_pong(Io& io, Self& m) {
  io.integer("seq", m.seq, 0, kInt64Max);
  io.objects("hardware", m.hardware, Need::Optional);
}

}  // namespace

void describe(Reader& io, Hello& m) { map_hello(io, m); }
void describe(Writer& io, const Hello& m) { map_hello(io, m); }
void describe(Reader& io, Welcome& m) { map_welcome(io, m); }
void describe(Writer& io, const Welcome& m) { map_welcome(io, m); }
void describe(Reader& io, Job& m) { map_job(io, m); }
void describe(Writer& io, const Job& m) { map_job(io, m); }
void describe(Reader& io, JobResult& m) { map_job_result(io, m); }
void describe(Writer& io, const JobResult& m) { map_job_result(io, m); }
void describe(Reader& io, JobFailure& m) { map_job_failure(io, m); }
void describe(Writer& io, const JobFailure& m) { map_job_failure(io, m); }
void describe(Reader& io, Cancel& m) { map_cancel(io, m); }
void describe(Writer& io, const Cancel& m) { map_cancel(io, m); }
void describe(Reader& io, Ping& m) { map_seq(io, m); }
void describe(Writer& io, const Ping& m) { map_seq(io, m); }
void describe(Reader& io, Pong& m) { map_pong(io, m); }
void describe(Writer& io, const Pong& m) { map_pong(io, m); }
void describe(Reader&, Draining&) {}
void describe(Writer&, const Draining&) {}

}  // namespace lp::wire::json

namespace lp::wire {
namespace {

// The alternative of ChannelMessage whose kType is `type`, read from `object`.
template <size_t I = 0>
Result<ChannelMessage> read_typed(const std::string& type, JsonObject* object) {
  if constexpr (I == std::variant_size_v<ChannelMessage>) {
    return Error{ErrorCode::Unsupported, "type: unknown message type \"" + type + "\""};
  } else {
    using T = std::variant_alternative_t<I, ChannelMessage>;
    if (type != T::kType) return read_typed<I + 1>(type, object);
    auto m = json::parse<T>(object);
    if (!m) return m.error();
    return ChannelMessage{std::move(*m)};
  }
}

}  // namespace

std::string bearer_value(std::string_view secret) { return "Bearer " + std::string(secret); }

bool bearer_matches(std::string_view header_value, std::string_view secret) {
  constexpr std::string_view kScheme = "Bearer ";
  if (secret.empty() || header_value.substr(0, kScheme.size()) != kScheme) return false;
  return constant_time_equal(header_value.substr(kScheme.size()), secret);
}

std::string to_json(const Hello& m) { return json::write(m, m.kType); }
std::string to_json(const Welcome& m) { return json::write(m, m.kType); }
std::string to_json(const Job& m) { return json::write(m, m.kType); }
std::string to_json(const JobResult& m) { return json::write(m, m.kType); }
std::string to_json(const JobFailure& m) { return json::write(m, m.kType); }
std::string to_json(const Cancel& m) { return json::write(m, m.kType); }
std::string to_json(const Ping& m) { return json::write(m, m.kType); }
std::string to_json(const Pong& m) { return json::write(m, m.kType); }
std::string to_json(const Draining& m) { return json::write(m, m.kType); }

std::string to_json(const ChannelMessage& m) {
  return std::visit([](const auto& message) { return to_json(message); }, m);
}

const char* message_type(const ChannelMessage& m) {
  return std::visit([](const auto& message) { return message.kType; }, m);
}

Result<ChannelMessage> parse_channel_message(std::string_view text) {
  g_autoptr(JsonParser) parser = json_parser_new();
  auto object = json::load_object(parser, text);
  if (!object) return object.error();
  // "type" first: which message decides everything else about it.
  json::Reader reader(*object, "");
  std::string type;
  reader.string("type", type);
  if (reader.error()) return *reader.error();
  return read_typed(type, *object);
}

}  // namespace lp::wire
