// The transcoder control channel: JSON text messages over one WebSocket per transcoder,
// each an object with a "type" member. Media never goes through it: the transcoder GETs the
// source and PUTs the renditions over plain HTTP at the URLs a job names.
//
//   transcoder -> orchestrator: hello, job_result, job_failure, pong, draining
//   orchestrator -> transcoder: welcome, job, cancel, ping
//
// The transcoder authenticates the WebSocket upgrade itself (GET kChannelPath) with
// "Authorization: Bearer <orch secret>": a wrong secret is refused before any message flows.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "error.h"
#include "profile.h"
#include "wire/capabilities.h"
#include "wire/error_body.h"
#include "wire/result.h"

namespace lp::wire {

inline constexpr const char* kChannelPath = "/v1/transcoder";

// "Bearer <secret>", the transcoder's Authorization header value.
std::string bearer_value(std::string_view secret);
// Whether an Authorization header value carries `secret`, compared in constant time.
bool bearer_matches(std::string_view header_value, std::string_view secret);

// First message of a transcoder: what it is and how much it takes.
struct Hello {
  static constexpr const char* kType = "hello";
  std::string version;  // lpgst's version
  int capacity = 0;     // concurrent jobs, >= 1 (its --max-sessions)
  Capabilities capabilities;

  bool operator==(const Hello&) const = default;
};

// The orchestrator's answer to hello: registered.
struct Welcome {
  static constexpr const char* kType = "welcome";
  std::string transcoder_id;          // how the orchestrator names it (logs, /status)
  int64_t heartbeat_interval_ms = 0;  // pings come this often; 3 missed = peer dead

  bool operator==(const Welcome&) const = default;
};

// One segment to transcode.
struct Job {
  static constexpr const char* kType = "job";
  std::string job_id;
  std::string stream_id;   // jobs of one stream go to one transcoder, which may keep its
  int64_t seq = 0;         // pipeline warm between them
  std::string source_url;  // GET: the segment's bytes
  // PUT <upload_url>/<i>: rendition i (profile order). Both URLs carry an unguessable per-job
  // token, so the transcoder needs no other credential for them.
  std::string upload_url;
  std::vector<Profile> profiles;  // the renditions wanted, in order
  // gst-launch-style description the transcoder runs after checking it against its element
  // allowlist; it reproduces the job by hand in gst-launch-1.0.
  std::string pipeline;
  std::map<std::string, std::string> options;  // extra knobs, absent = none
  // The job's deadline, relative to its arrival so the hosts' clocks need not agree.
  int64_t timeout_ms = 0;
};

// A job done: its renditions are uploaded; url may be "" (the orchestrator knows where).
struct JobResult {
  static constexpr const char* kType = "job_result";
  std::string job_id;
  std::vector<RenditionResult> renditions;

  bool operator==(const JobResult&) const = default;
};

struct JobFailure {
  static constexpr const char* kType = "job_failure";
  std::string job_id;
  ErrorBody error;  // {"code":"bad_segment","message":"..."}

  bool operator==(const JobFailure&) const = default;
};

// Stop a job (re-dispatched elsewhere after its deadline, or its session gone); no answer.
struct Cancel {
  static constexpr const char* kType = "cancel";
  std::string job_id;

  bool operator==(const Cancel&) const = default;
};

// Heartbeat: the orchestrator pings, the transcoder answers with the same seq.
struct Ping {
  static constexpr const char* kType = "ping";
  int64_t seq = 0;

  bool operator==(const Ping&) const = default;
};

struct Pong {
  static constexpr const char* kType = "pong";
  int64_t seq = 0;
  // A GPU transcoder's devices as they are now (sessions, load, re-tests); optional, so a
  // heartbeat also keeps the orchestrator's /status and /metrics current.
  std::vector<HardwareDevice> hardware;

  bool operator==(const Pong&) const = default;
};

// A transcoder shutting down (SIGTERM): send it no new jobs; the running ones still finish
// and are answered on this channel. An older orchestrator ignores it (unknown type).
struct Draining {
  static constexpr const char* kType = "draining";

  bool operator==(const Draining&) const = default;
};

using ChannelMessage = std::variant<Hello, Welcome, Job, JobResult, JobFailure, Cancel, Ping, Pong, Draining>;

std::string to_json(const Hello& m);
std::string to_json(const Welcome& m);
std::string to_json(const Job& m);
std::string to_json(const JobResult& m);
std::string to_json(const JobFailure& m);
std::string to_json(const Cancel& m);
std::string to_json(const Ping& m);
std::string to_json(const Pong& m);
std::string to_json(const Draining& m);
std::string to_json(const ChannelMessage& m);

// The "type" member of `m`.
const char* message_type(const ChannelMessage& m);

// Any channel message. An unknown "type" is an Unsupported error (a newer peer: log and
// carry on); anything else wrong is BadRequest naming the field.
Result<ChannelMessage> parse_channel_message(std::string_view text);

}  // namespace lp::wire
