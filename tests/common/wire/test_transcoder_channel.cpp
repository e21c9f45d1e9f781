// Transcoder control channel: every message type round-trips through the one parser, the
// "type" tag picks the alternative, and each invalid field is named.
#include <gtest/gtest.h>

#include "wire/transcoder_channel.h"
#include "wire_test.h"

namespace lp::wire {
namespace {

Hello sample_hello() { return {"0.1.0", 4, sample_capabilities()}; }

Job sample_job() {
  Job j;
  j.job_id = "job-17";
  j.stream_id = "stream_1";
  j.seq = 42;
  j.source_url = "http://10.0.0.1:8935/v1/jobs/job-17/source?t=9f8e";
  j.upload_url = "http://10.0.0.1:8935/v1/jobs/job-17/renditions?t=9f8e";
  j.profiles = sample_profiles();
  j.pipeline = "lpsegmentsrc uri=http://10.0.0.1:8935/v1/jobs/job-17/source?t=9f8e ! lpladder";
  j.options = {{"device", "1"}, {"threads", "2"}};
  j.timeout_ms = 8000;
  return j;
}

JobResult sample_job_result() { return {"job-17", {{"P720p30fps16x9", "", 4096, 60, 55296000, hex_digits(64)}}}; }

// A GPU transcoder's heartbeat answer: one GPU working (hybrid path), one waiting on a re-test.
Pong gpu_pong() {
  return Pong{8,
              {{"nvidia", 0, "NVIDIA H200", "hybrid", 4, 1, 25, ""},
               {"nvidia", 1, "NVIDIA H200", "full", 3, 0, 0, "re-test failed: nvh264device1dec: decode error"}}};
}

std::vector<ChannelMessage> all_samples() {
  return {sample_hello(),
          Welcome{"t-3", 1000},
          sample_job(),
          sample_job_result(),
          JobFailure{"job-17", {"bad_segment", "no video stream"}},
          Cancel{"job-17"},
          Ping{7},
          Pong{7, {}},
          gpu_pong()};
}

TEST(Channel, PongCarriesTheGpusState) {
  const std::string json = to_json(gpu_pong());
  EXPECT_NE(json.find("{\"kind\":\"nvidia\",\"index\":0,\"name\":\"NVIDIA H200\",\"path\":\"hybrid\",\"capacity\":4,"
                      "\"sessions\":1,\"load_percent\":25,\"error\":\"\"}"),
            std::string::npos)
      << json;
  auto back = parse_channel_message(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(std::get<Pong>(*back), gpu_pong());
  // A plain pong (a CPU transcoder, or an older one) has no hardware and reads as before.
  EXPECT_EQ(to_json(Pong{7, {}}), "{\"type\":\"pong\",\"seq\":7,\"hardware\":[]}");
  auto old = parse_channel_message("{\"type\":\"pong\",\"seq\":7}");
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(std::get<Pong>(*old).hardware.empty());
}

// Job holds profiles (no operator==): compare messages by their canonical JSON.
TEST(Channel, EveryMessageRoundTrips) {
  for (const ChannelMessage& m : all_samples()) {
    const std::string json = to_json(m);
    EXPECT_EQ(json.rfind(std::string("{\"type\":\"") + message_type(m) + "\",", 0), 0u) << json;
    auto back = parse_channel_message(json);
    ASSERT_TRUE(back.ok()) << json << ": " << back.error().message;
    EXPECT_EQ(back->index(), m.index()) << json;
    EXPECT_EQ(to_json(*back), json);
  }
}

TEST(Channel, TypedValuesSurvive) {
  auto job = parse_channel_message(to_json(sample_job()));
  ASSERT_TRUE(job.ok());
  const Job& j = std::get<Job>(*job);
  EXPECT_EQ(profiles_text(j.profiles), profiles_text(sample_profiles()));
  EXPECT_EQ(j.options, sample_job().options);
  EXPECT_EQ(j.timeout_ms, 8000);
  auto hello = parse_channel_message(to_json(sample_hello()));
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(std::get<Hello>(*hello), sample_hello());
  auto result = parse_channel_message(to_json(sample_job_result()));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<JobResult>(*result), sample_job_result());
}

TEST(Channel, OptionsMayBeLeftOutAndUnknownFieldsAreIgnored) {
  std::string json = mutate(to_json(sample_job()), "options", kAbsent);
  json = mutate(json, "priority", "3");
  auto back = parse_channel_message(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(std::get<Job>(*back).options.empty());
  back = parse_channel_message("{\"type\":\"ping\",\"seq\":1,\"sent_ms\":5}");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(std::get<Ping>(*back), (Ping{1}));
}

TEST(Channel, TypeProblems) {
  EXPECT_TRUE(FailsWith(parse_channel_message("{\"type\":\"teleport\"}"), ErrorCode::Unsupported,
                        "type: unknown message type \"teleport\""));
  EXPECT_TRUE(FailsWith(parse_channel_message("{\"seq\":1}"), ErrorCode::BadRequest, "type: required"));
  EXPECT_TRUE(FailsWith(parse_channel_message("{\"type\":1}"), ErrorCode::BadRequest,
                        "type: expected a non-empty string, got 1"));
  EXPECT_TRUE(FailsWith(parse_channel_message("\"ping\""), ErrorCode::BadRequest, "expected a JSON object"));
  EXPECT_TRUE(FailsWith(parse_channel_message("{\"type\":\"ping\""), ErrorCode::BadRequest, "invalid JSON: "));
}

TEST(Channel, EachInvalidField) {
  const auto parse = parse_channel_message;
  ExpectFieldErrors(parse, to_json(sample_hello()),
                    {{"version", kAbsent, "version: required"},
                     {"capacity", "0", "capacity: expected an integer from 1 to 100000, got 0"},
                     {"capacity", kAbsent, "capacity: required"},
                     {"capabilities", kAbsent, "capabilities: required"},
                     {"capabilities.codecs", "[null]", "capabilities.codecs[0]: expected a non-empty"}});
  ExpectFieldErrors(parse, to_json(Welcome{"t", 1000}),
                    {{"transcoder_id", "\"\"", "transcoder_id: expected"},
                     {"heartbeat_interval_ms", "0", "heartbeat_interval_ms: expected an integer from 1"}});
  ExpectFieldErrors(parse, to_json(sample_job()),
                    {{"job_id", kAbsent, "job_id: required"},
                     {"stream_id", "\"\"", "stream_id: expected a non-empty string"},
                     {"seq", "-3", "seq: expected a non-negative integer, got -3"},
                     {"source_url", "null", "source_url: required"},
                     {"upload_url", "[]", "upload_url: expected a non-empty string, got []"},
                     {"profiles", kAbsent, "profiles: required"},
                     {"profiles", "[]", "profiles: expected at least one profile"},
                     {"profiles.2.gop", "\"sometimes\"", "profiles[2].gop: ", ErrorCode::InvalidProfile},
                     {"profiles.0.colour", "1", "profiles[0].colour: unknown field", ErrorCode::InvalidProfile},
                     {"pipeline", "\"\"", "pipeline: expected a non-empty string"},
                     {"options", "[]", "options: expected an object, got []"},
                     {"options.device", "1", "options.device: expected a string, got 1"},
                     {"timeout_ms", "0", "timeout_ms: expected an integer from 1 to 86400000"},
                     {"timeout_ms", kAbsent, "timeout_ms: required"}});
  ExpectFieldErrors(parse, to_json(sample_job_result()),
                    {{"job_id", "7", "job_id: expected a non-empty string"},
                     {"renditions", "[]", "renditions: expected a non-empty array"},
                     {"renditions.0.sha256", "\"x\"", "renditions[0].sha256: expected"}});
  ExpectFieldErrors(
      parse, to_json(JobFailure{"j", {"busy", ""}}),
      {{"error", kAbsent, "error: required"}, {"error.code", "\"\"", "error.code: expected a non-empty string"}});
  ExpectFieldErrors(parse, to_json(Cancel{"j"}), {{"job_id", kAbsent, "job_id: required"}});
  ExpectFieldErrors(parse, to_json(Ping{1}), {{"seq", "-1", "seq: expected a non-negative"}});
  ExpectFieldErrors(parse, to_json(Pong{1, {}}), {{"seq", "\"1\"", "seq: expected a non-negative"}});
}

TEST(Channel, BearerSecret) {
  EXPECT_EQ(bearer_value("abc"), "Bearer abc");
  EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abd", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abcd", "abc"));
  EXPECT_FALSE(bearer_matches("bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));  // no secret configured: nobody gets in
}

}  // namespace
}  // namespace lp::wire
