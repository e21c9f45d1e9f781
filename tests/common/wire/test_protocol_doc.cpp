// Parses every example of docs/protocol.md with the code that defines its message, so the
// page cannot drift from the wire. A block is marked by "<!-- wire:TYPE -->" on the line
// before its opening fence; ```json blocks must be marked, and every type must have one.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "wire/auth_token.h"
#include "wire/error_body.h"
#include "wire/info.h"
#include "wire/result.h"
#include "wire/segment.h"
#include "wire/transcoder_channel.h"

namespace lp::wire {
namespace {

constexpr const char* kDocSecret = "example-secret";  // the secret the doc's token is made with

struct Block {
  int line = 0;       // 1-based line of the opening fence
  std::string type;   // from the marker; "" when unmarked
  std::string fence;  // "json", "http", ...
  std::string text;
};

std::vector<Block> read_blocks(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<Block> blocks;
  std::string line, marker;
  int number = 0;
  Block* open = nullptr;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line.rfind("```", 0) == 0) {
        open = nullptr;
      } else {
        open->text += line + "\n";
      }
      continue;
    }
    if (line.rfind("<!-- wire:", 0) == 0) {
      marker = line.substr(10, line.find(" -->") - 10);
    } else if (line.rfind("```", 0) == 0) {
      open = &blocks.emplace_back(Block{number, marker, line.substr(3), ""});
      marker.clear();
    } else if (!line.empty()) {
      marker.clear();  // a marker applies to the very next block only
    }
  }
  EXPECT_EQ(open, nullptr) << "unterminated block in " << path;
  return blocks;
}

// "Name: value" lines after the request line.
HeaderMap parse_http(const std::string& text) {
  HeaderMap headers;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // POST /v1/segment HTTP/1.1
  while (std::getline(in, line) && !line.empty()) {
    const auto colon = line.find(": ");
    EXPECT_NE(colon, std::string::npos) << line;
    headers[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return headers;
}

// Parses `b` as its marked type; "" when fine, else what went wrong.
std::string check(const Block& b) {
  const auto failed = [](const Error& e) { return std::string(error_code_name(e.code)) + ": " + e.message; };
  if (b.type == "segment_headers") {
    if (b.fence != "http") return "expected a ```http block";
    auto s = segment_from_headers(parse_http(b.text));
    if (!s) return failed(s.error());
    if (auto err = verify_token(kDocSecret, s->auth_token, s->auth_token.expiry - 1); !err.ok())
      return failed(err.error());
    return {};
  }
  if (b.fence != "json") return "expected a ```json block";
  if (b.type == "info") {
    auto r = info_from_json(b.text);
    if (!r) return failed(r.error());
    if (auto err = verify_token(kDocSecret, r->auth_token, r->auth_token.expiry - 1); !err.ok())
      return failed(err.error());
    return info_from_json(to_json(*r)).ok() ? "" : "no round trip";
  }
  if (b.type == "auth_token") {
    auto r = auth_token_from_json(b.text);
    if (!r) return failed(r.error());
    if (auto err = verify_token(kDocSecret, *r, r->expiry - 1); !err.ok()) return failed(err.error());
    return {};
  }
  if (b.type == "result") {
    auto r = transcode_result_from_json(b.text);
    if (!r) return failed(r.error());
    return transcode_result_from_json(to_json(*r)).ok() ? "" : "no round trip";
  }
  if (b.type == "error") {
    auto r = error_body_from_json(b.text);
    if (!r) return failed(r.error());
    return error_code_from_name(r->code) ? "" : "unknown code " + r->code;
  }
  auto m = parse_channel_message(b.text);
  if (!m) return failed(m.error());
  if (message_type(*m) != b.type) return std::string("parsed as ") + message_type(*m);
  return parse_channel_message(to_json(*m)).ok() ? "" : "no round trip";
}

TEST(ProtocolDoc, EveryExampleParses) {
  const std::string path = std::string(LP_SOURCE_DIR) + "/docs/protocol.md";
  const std::set<std::string> wanted = {"info",    "auth_token", "segment_headers", "result",      "error",  "hello",
                                        "welcome", "job",        "job_result",      "job_failure", "cancel", "ping",
                                        "pong",    "draining"};
  std::set<std::string> seen;
  for (const Block& b : read_blocks(path)) {
    if (b.type.empty()) {
      EXPECT_NE(b.fence, "json") << path << ":" << b.line << ": ```json block without <!-- wire:TYPE -->";
      continue;
    }
    EXPECT_TRUE(wanted.count(b.type)) << path << ":" << b.line << ": unknown type " << b.type;
    EXPECT_EQ(check(b), "") << path << ":" << b.line << " (" << b.type << ")\n" << b.text;
    seen.insert(b.type);
  }
  for (const auto& type : wanted) EXPECT_TRUE(seen.count(type)) << "no example of " << type;
}

}  // namespace
}  // namespace lp::wire
