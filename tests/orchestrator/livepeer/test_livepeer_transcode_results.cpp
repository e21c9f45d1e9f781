// go-livepeer's POST /transcodeResults read as server/ot_rpc.go reads it: header checks in its
// order with its statuses, Go's ParseInt for TaskId and Pixels, the multipart body part by
// part (perceptual-hash parts skipped), then the rendition count and sizes.
#include "livepeer_transcode_results.h"

#include <gtest/gtest.h>

namespace lp::livepeer {
namespace {

struct Headers {
  Headers() : h(soup_message_headers_new(SOUP_MESSAGE_HEADERS_REQUEST)) {}
  ~Headers() { soup_message_headers_unref(h); }
  Headers& set(const char* name, const std::string& value) {
    soup_message_headers_replace(h, name, value.c_str());
    return *this;
  }
  SoupMessageHeaders* h;
};

Headers good_head(const std::string& type = "multipart/mixed; boundary=XyZ") {
  Headers h;
  h.set("Authorization", "Livepeer-Transcoder-1.0").set("Credentials", "s3cret").set("Content-Type", type);
  h.set("TaskId", "42").set("Pixels", "1000");
  return h;
}

int refused(const std::variant<ResultsHead, Refusal>& v) {
  auto* r = std::get_if<Refusal>(&v);
  return r ? r->status : 0;
}

TEST(TranscodeResults, HeadersInGoLivepeersOrder) {
  Headers h = good_head();
  auto ok = check_results_head(h.h, "s3cret");
  ASSERT_EQ(refused(ok), 0);
  EXPECT_EQ(std::get<ResultsHead>(ok).task_id, 42);
  EXPECT_TRUE(std::get<ResultsHead>(ok).multipart);
  // Everything wrong at once: the first check in go-livepeer's order answers.
  Headers all_wrong;
  all_wrong.set("Authorization", "Bearer s3cret").set("Credentials", "nope").set("TaskId", "x");
  EXPECT_EQ(refused(check_results_head(all_wrong.h, "s3cret")), 401);
  Headers h2 = good_head();
  h2.set("Credentials", "s3cret ");
  EXPECT_EQ(refused(check_results_head(h2.h, "s3cret")), 401);
  EXPECT_EQ(refused(check_results_head(good_head().h, "")), 401);  // no secret: no transcoders
  Headers h3 = good_head();
  soup_message_headers_remove(h3.h, "Content-Type");
  h3.set("TaskId", "x");
  EXPECT_EQ(refused(check_results_head(h3.h, "s3cret")), 415);
  for (const char* bad : {"", "x", "4 2", " 42", "42 ", "9223372036854775808", "++1", "0x10"}) {
    Headers t = good_head();
    t.set("TaskId", bad);
    auto r = check_results_head(t.h, "s3cret");
    ASSERT_EQ(refused(r), 400) << bad;
    EXPECT_EQ(std::get<Refusal>(r).message, "Invalid Task ID");
  }
  for (const char* fine : {"+7", "-3", "0", "9223372036854775807"}) {
    Headers t = good_head();
    t.set("TaskId", fine);
    EXPECT_EQ(refused(check_results_head(t.h, "s3cret")), 0) << fine;
  }
  Headers p = good_head();
  p.set("Pixels", "lots");
  EXPECT_EQ(std::get<Refusal>(check_results_head(p.h, "s3cret")).message, "Invalid Pixels");
  // A transcoding error needs no Pixels.
  Headers e = good_head("livepeer/transcoding-error");
  soup_message_headers_remove(e.h, "Pixels");
  auto err = check_results_head(e.h, "s3cret");
  ASSERT_EQ(refused(err), 0);
  EXPECT_TRUE(std::get<ResultsHead>(err).error_body);
}

GBytes* bytes(const std::string& s) { return g_bytes_new(s.data(), s.size()); }

TEST(TranscodeResults, MultipartBodyAndChecks) {
  Headers h = good_head();
  const std::string r1(40, 'a'), r2(30, 'b');
  const std::string body = "--XyZ\r\nContent-Type: video/mp2t\r\nPixels: 100\r\n\r\n" + r1 +
                           "\r\n--XyZ\r\nContent-Type: application/octet-stream\r\n\r\nphash" +
                           "\r\n--XyZ\r\nContent-Type: video/mp4\r\nPixels: 200\r\n\r\n" + r2 + "\r\n--XyZ--\r\n";
  g_autoptr(GBytes) b = bytes(body);
  auto read = read_results_body(h.h, b);
  ASSERT_TRUE(std::holds_alternative<ResultsBody>(read)) << std::get<Refusal>(read).message;
  const ResultsBody& parts = std::get<ResultsBody>(read);
  ASSERT_EQ(parts.renditions.size(), 2u);  // the hash part is not a rendition
  EXPECT_EQ(parts.decoded_pixels, 1000);
  EXPECT_EQ(parts.renditions[0].pixels, 100);
  EXPECT_EQ(g_bytes_get_size(parts.renditions[1].bytes.get()), 30u);
  EXPECT_EQ(parts.renditions[1].media_type, "video/mp4");
  EXPECT_TRUE(check_renditions(parts, 2).ok());
  EXPECT_NE(check_renditions(parts, 3).error().message.find("MismatchedSegments"), std::string::npos);

  const std::string tiny = "--XyZ\r\nPixels: 1\r\n\r\nshort\r\n--XyZ--\r\n";
  g_autoptr(GBytes) t = bytes(tiny);
  auto small = read_results_body(h.h, t);
  ASSERT_TRUE(std::holds_alternative<ResultsBody>(small));
  EXPECT_NE(check_renditions(std::get<ResultsBody>(small), 1).error().message.find("ZeroSegments"), std::string::npos);

  const std::string bad_pixels = "--XyZ\r\nPixels: many\r\n\r\n" + r1 + "\r\n--XyZ--\r\n";
  g_autoptr(GBytes) bp = bytes(bad_pixels);
  auto r = read_results_body(h.h, bp);
  ASSERT_TRUE(std::holds_alternative<Refusal>(r));
  EXPECT_EQ(std::get<Refusal>(r).status, 500);

  const std::string hash_first = "--XyZ\r\nContent-Type: application/octet-stream\r\n\r\nphash\r\n--XyZ--\r\n";
  g_autoptr(GBytes) hf = bytes(hash_first);
  r = read_results_body(h.h, hf);
  ASSERT_TRUE(std::holds_alternative<Refusal>(r));
  EXPECT_EQ(std::get<Refusal>(r).message, "Unknown perceptual hash");

  g_autoptr(GBytes) junk = bytes("no boundary anywhere");
  r = read_results_body(h.h, junk);
  ASSERT_TRUE(std::holds_alternative<Refusal>(r));
  EXPECT_EQ(std::get<Refusal>(r).status, 500);
}

}  // namespace
}  // namespace lp::livepeer
