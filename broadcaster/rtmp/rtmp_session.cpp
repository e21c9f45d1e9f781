#include "rtmp_session.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "rtmp_bytes.h"
#include "rtmp_flv.h"

namespace lp::rtmp {
namespace {

// Message stream ids we hand out per connection: a publisher needs one.
constexpr size_t kMaxStreams = 8;
constexpr uint32_t kControlCsid = 2;  // protocol control messages (spec 5.4)
constexpr uint32_t kCommandCsid = 3;  // commands on the connection's stream 0
constexpr uint32_t kStreamCsid = 5;   // commands on a created stream (onStatus)
constexpr uint8_t kPeerBandwidthDynamic = 2;
// Until a publish is accepted only commands arrive, and they are small: a peer that has not
// been let in cannot make us hold megabytes.
ChunkReader::Limits setup_limits(const RtmpServerOptions& options) {
  return ChunkReader::Limits{std::min<uint32_t>(options.max_message_size, 64 * 1024), 16, 256 * 1024};
}

ChunkReader::Limits publishing_limits(const RtmpServerOptions& options) {
  // One whole video message plus the audio interleaved with it.
  return ChunkReader::Limits{options.max_message_size, 64, size_t{options.max_message_size} + (1u << 20)};
}

// "live?token=x" -> {"live", "token=x"}.
std::pair<std::string, std::string> split_query(const std::string& s) {
  const size_t q = s.find('?');
  if (q == std::string::npos) return {s, ""};
  return {s.substr(0, q), s.substr(q + 1)};
}

// "rtmp://host:1935/live/x" -> "live/x".
std::string app_from_tc_url(const std::string& tc_url) {
  const size_t scheme = tc_url.find("://");
  const size_t path = tc_url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? std::string() : tc_url.substr(path + 1);
}

std::optional<uint32_t> as_stream_id(const Amf0Value& v) {
  if (!v.is_number() || !std::isfinite(v.number) || v.number < 0 || v.number > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(v.number);
}

Amf0Property prop(const char* key, Amf0Value value) { return Amf0Property{key, std::move(value)}; }

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 64) out += "...";
  return out;
}

std::string redacted(std::string_view stream_key) {
  return printable(stream_key.substr(0, std::min<size_t>(4, stream_key.size() / 2))) + "***";
}

Session::Session(SessionHost& host, const RtmpServerOptions& options, std::string peer, uint64_t bytes_before)
    : host_(host), options_(options), peer_(std::move(peer)), reader_(setup_limits(options)), bytes_in_(bytes_before) {}

Session::~Session() { end_publish("connection closed"); }

std::optional<Session::Closing> Session::feed(std::string_view bytes) {
  if (closing_) return closing_;
  bytes_in_ += bytes.size();
  auto error = reader_.feed(bytes, [this](Message&& m) {
    handle(std::move(m));
    return !closing_;
  });
  if (!error.ok()) fail(std::move(error.error().message));
  if (!closing_ && bytes_in_ - acked_ >= options_.window_ack_size) {
    send_control(kAcknowledgement, static_cast<uint32_t>(bytes_in_));  // the sequence number wraps
    acked_ = bytes_in_;
  }
  return closing_;
}

std::string Session::take_output() { return std::exchange(output_, std::string()); }

void Session::stop(const std::string& why) {
  if (!closing_) closing_ = Closing{why, false};
  end_publish(why);
}

void Session::fail(std::string why, bool flush_first) {
  if (!closing_) closing_ = Closing{std::move(why), flush_first};
}

void Session::handle(Message&& m) {
  switch (m.type) {
    case kSetChunkSize:
    case kAbort:
    case kAcknowledgement:
    case kUserControl:
    case kWindowAckSize:
    case kSetPeerBandwidth: return handle_control(m);
    case kAudio:
    case kVideo:
    case kDataAmf0: return handle_media(m.type, m.stream_id, m.timestamp, m.payload);
    case kDataAmf3:
      // An AMF3 data message is a format byte (0) and then AMF0 values, as publishers send it.
      if (!m.payload.empty() && m.payload[0] == 0) {
        handle_media(kDataAmf0, m.stream_id, m.timestamp, std::string_view(m.payload).substr(1));
      }
      return;
    case kCommandAmf0: return handle_command(m, m.payload);
    case kCommandAmf3:
      if (m.payload.empty() || m.payload[0] != 0) return fail("an AMF3-encoded command (not supported)");
      return handle_command(m, std::string_view(m.payload).substr(1));
    case kAggregate: return handle_aggregate(m);
    default: return;  // shared objects, bandwidth probes: nothing a publisher needs from us
  }
}

void Session::handle_control(const Message& m) {
  const std::string_view p = m.payload;
  switch (m.type) {
    case kSetChunkSize: {
      if (p.size() < 4) return fail("a short Set Chunk Size message");
      const uint32_t size = read_be32(p);
      if (size == 0 || size > options_.max_message_size) {
        return fail("Set Chunk Size " + std::to_string(size) + " is out of range (1.." +
                    std::to_string(options_.max_message_size) + ")");
      }
      reader_.set_chunk_size(size);
      return;
    }
    case kAbort:
      if (p.size() >= 4) reader_.abort(read_be32(p));
      return;
    case kUserControl:
      if (p.size() >= 6 && read_be16(p) == kPingRequest) send_user_control(kPingResponse, read_be32(p.substr(2)));
      return;
    default: return;  // the peer's acknowledgements and window sizes concern what we send: very little
  }
}

void Session::handle_media(uint8_t type, uint32_t stream_id, uint32_t timestamp, std::string_view body) {
  if (!publishing_ || stream_id != publish_stream_) return;  // before publish, or not the published stream
  if (type == kDataAmf0) {
    auto script = script_tag_body(body);
    if (!script) return;
    body = *script;
  }
  if (!header_sent_) {
    header_sent_ = true;
    emit(flv_file_header().get());
  }
  emit(flv_tag(type, timestamp, body).get());
}

// An aggregate message's body is a run of FLV tags whose timestamps are relative to the first.
void Session::handle_aggregate(const Message& m) {
  std::string_view p = m.payload;
  std::optional<uint32_t> first;
  while (!p.empty() && !closing_) {
    if (p.size() < 11) return fail("a truncated aggregate message");
    const uint8_t type = byte_at(p, 0);
    const uint32_t size = read_be24(p.substr(1));
    const uint32_t ts = read_be24(p.substr(4)) | (uint32_t{byte_at(p, 7)} << 24);
    if (p.size() - 11 < size + size_t{4}) return fail("a truncated aggregate message");
    if (!first) first = ts;
    if (type == kAudio || type == kVideo || type == kDataAmf0) {
      handle_media(type, m.stream_id, m.timestamp + (ts - *first), p.substr(11, size));
    }
    p.remove_prefix(11 + size + 4);
  }
}

void Session::handle_command(const Message& m, std::string_view amf0) {
  auto decoded = amf0_decode_all(amf0);
  if (!decoded) return fail("a malformed command: " + decoded.error().message);
  const std::vector<Amf0Value>& v = *decoded;
  if (v.empty() || !v[0].is_string()) return fail("a command without a name");
  const std::string& name = v[0].string;
  const double txn = v.size() > 1 && v[1].is_number() ? v[1].number : 0;

  if (name == "connect") return on_connect(txn, v.size() > 2 ? &v[2] : nullptr);
  if (!connected_) return fail("'" + printable(name) + "' before connect");

  if (name == "releaseStream" || name == "FCPublish") {
    if (name == "FCPublish") {
      const std::string stream = v.size() > 3 && v[3].is_string() ? v[3].string : "";
      send_command(0, {amf0_string("onFCPublish"), amf0_number(0), amf0_null(),
                       amf0_object({prop("code", amf0_string("NetStream.Publish.Start")),
                                    prop("description", amf0_string(stream))})});
    }
    if (txn != 0) send_command(0, {amf0_string("_result"), amf0_number(txn), amf0_null(), amf0_undefined()});
  } else if (name == "createStream") {
    if (streams_.size() >= kMaxStreams) return fail("more than " + std::to_string(kMaxStreams) + " createStream");
    const uint32_t id = ++last_stream_id_;
    streams_.insert(id);
    send_command(0, {amf0_string("_result"), amf0_number(txn), amf0_null(), amf0_number(id)});
  } else if (name == "publish") {
    on_publish(m.stream_id, v);
  } else if (name == "FCUnpublish" || name == "closeStream" || name == "deleteStream") {
    on_unpublish(name, m.stream_id, v);
  } else if (name == "play" || name == "play2") {
    send_status(m.stream_id, "error", "NetStream.Play.Failed", "this server only takes publishers");
    fail("asked to play (this server only takes publishers)", true);
  } else if (txn != 0 && name != "_result" && name != "_error") {
    send_command(
        0, {amf0_string("_error"), amf0_number(txn), amf0_null(),
            amf0_object({prop("level", amf0_string("error")), prop("code", amf0_string("NetConnection.Call.Failed")),
                         prop("description", amf0_string("unknown command " + printable(name)))})});
  }
}

void Session::on_connect(double txn, const Amf0Value* command_object) {
  if (connected_) return fail("a second connect");
  if (!command_object || command_object->type != Amf0Value::Type::Object) {
    return fail("connect without a command object");
  }
  connected_ = true;
  tc_url_ = command_object->string_field("tcUrl");
  std::string app = command_object->string_field("app");
  if (app.empty()) app = app_from_tc_url(tc_url_);
  std::tie(app_, app_query_) = split_query(app);
  while (!app_.empty() && app_.back() == '/') app_.pop_back();

  // What a server says first (spec 7.2.1.1): window, peer bandwidth, our chunk size, result.
  send_control(kWindowAckSize, options_.window_ack_size);
  std::string bandwidth;
  put_be32(bandwidth, options_.window_ack_size);
  put_u8(bandwidth, kPeerBandwidthDynamic);
  send(kControlCsid, kSetPeerBandwidth, 0, std::move(bandwidth));
  send_control(kSetChunkSize, options_.chunk_size);
  writer_.set_chunk_size(options_.chunk_size);
  send_command(
      0, {amf0_string("_result"), amf0_number(txn),
          amf0_object({prop("fmsVer", amf0_string("FMS/3,0,1,123")), prop("capabilities", amf0_number(31))}),
          amf0_object({prop("level", amf0_string("status")), prop("code", amf0_string("NetConnection.Connect.Success")),
                       prop("description", amf0_string("Connection succeeded.")),
                       prop("objectEncoding", amf0_number(0))})});
}

void Session::on_publish(uint32_t stream_id, const std::vector<Amf0Value>& v) {
  if (!streams_.contains(stream_id)) {
    return fail("publish on message stream " + std::to_string(stream_id) + ", which createStream did not make");
  }
  auto refuse = [&](const std::string& code, const std::string& description) {
    send_status(stream_id, "error", code, description);
    fail("publish refused: " + description, true);
  };
  if (publishing_) return refuse("NetStream.Publish.BadName", "this connection is already publishing");
  const std::string name = v.size() > 3 && v[3].is_string() ? v[3].string : "";
  auto [key, query] = split_query(name);
  if (key.empty()) return refuse("NetStream.Publish.BadName", "no stream key");

  RtmpPublish publish{app_, key, query.empty() ? app_query_ : query, tc_url_, peer_};
  if (auto refusal = host_.begin_publish(publish)) return refuse(refusal->code, refusal->description);
  publishing_ = true;
  reader_.set_limits(publishing_limits(options_));
  stream_key_ = key;
  publish_stream_ = stream_id;
  header_sent_ = false;
  send_user_control(kStreamBegin, stream_id);
  send_status(stream_id, "status", "NetStream.Publish.Start", key + " is now published.");
}

void Session::on_unpublish(const std::string& command, uint32_t stream_id, const std::vector<Amf0Value>& v) {
  // Publishers name the stream differently: Flash sends closeStream on the stream itself,
  // ffmpeg deleteStream(id) on stream 0, rtmp2sink all three with the stream key.
  const Amf0Value* arg = v.size() > 3 ? &v[3] : nullptr;
  const auto id = arg ? as_stream_id(*arg) : std::nullopt;
  if (command == "deleteStream" && id) streams_.erase(*id);
  if (!publishing_) return;
  const bool ours = stream_id == publish_stream_ || !arg || (id && *id == publish_stream_) ||
                    (arg->is_string() && split_query(arg->string).first == stream_key_);
  if (ours) end_publish(command);
}

void Session::end_publish(const std::string& why) {
  if (!publishing_) return;
  publishing_ = false;
  host_.end_publish(stream_key_, why);
}

void Session::emit(GBytes* flv) {
  if (publishing_) host_.publish_data(stream_key_, flv);  // a handler may have ended it meanwhile
}

void Session::send(uint32_t csid, uint8_t type, uint32_t stream_id, std::string payload) {
  writer_.write(output_, csid, Message{type, stream_id, 0, std::move(payload)});
}

void Session::send_control(uint8_t type, uint32_t value) {
  std::string p;
  put_be32(p, value);
  send(kControlCsid, type, 0, std::move(p));
}

void Session::send_user_control(uint16_t event, uint32_t value) {
  std::string p;
  put_be16(p, event);
  put_be32(p, value);
  send(kControlCsid, kUserControl, 0, std::move(p));
}

void Session::send_command(uint32_t stream_id, std::initializer_list<Amf0Value> values) {
  send(stream_id == 0 ? kCommandCsid : kStreamCsid, kCommandAmf0, stream_id, amf0_encode(values));
}

void Session::send_status(uint32_t stream_id, const char* level, const std::string& code,
                          const std::string& description) {
  send_command(stream_id, {amf0_string("onStatus"), amf0_number(0), amf0_null(),
                           amf0_object({prop("level", amf0_string(level)), prop("code", amf0_string(code)),
                                        prop("description", amf0_string(description))})});
}

}  // namespace lp::rtmp
