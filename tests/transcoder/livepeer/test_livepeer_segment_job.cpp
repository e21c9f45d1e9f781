// The result body a transcoder posts to /transcodeResults: Go's multipart layout, read back
// with libsoup's own multipart parser.
#include <gtest/gtest.h>
#include <libsoup/soup.h>

#include "livepeer/livepeer_segment_job.h"

namespace lp::livepeer {
namespace {

TEST(LivepeerSegmentJob, MultipartBodyParsesAsGoWritesIt) {
  const std::string a = "first rendition bytes \r\n--not-a-boundary";
  const std::string b(100000, '\x47');
  const std::string body =
      multipart_body("b0undary", {{"video/mp2t", 1234, a.data(), a.size()}, {"video/mp4", 99, b.data(), b.size()}});
  EXPECT_TRUE(body.starts_with("--b0undary\r\nContent-Length: " + std::to_string(a.size()) +
                               "\r\nContent-Type: video/mp2t\r\nPixels: 1234\r\n\r\n"));
  EXPECT_TRUE(body.ends_with("\r\n--b0undary--\r\n"));

  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new(SOUP_MESSAGE_HEADERS_MULTIPART);
  soup_message_headers_replace(headers, "Content-Type", "multipart/mixed; boundary=b0undary");
  g_autoptr(GBytes) bytes = g_bytes_new(body.data(), body.size());
  SoupMultipart* multipart = soup_multipart_new_from_message(headers, bytes);
  ASSERT_NE(multipart, nullptr);
  ASSERT_EQ(soup_multipart_get_length(multipart), 2);
  SoupMessageHeaders* part_headers = nullptr;
  GBytes* part = nullptr;
  ASSERT_TRUE(soup_multipart_get_part(multipart, 0, &part_headers, &part));
  EXPECT_STREQ(soup_message_headers_get_one(part_headers, "Pixels"), "1234");
  EXPECT_STREQ(soup_message_headers_get_content_type(part_headers, nullptr), "video/mp2t");
  EXPECT_EQ(std::string(static_cast<const char*>(g_bytes_get_data(part, nullptr)), g_bytes_get_size(part)), a);
  ASSERT_TRUE(soup_multipart_get_part(multipart, 1, &part_headers, &part));
  EXPECT_STREQ(soup_message_headers_get_one(part_headers, "Pixels"), "99");
  EXPECT_EQ(g_bytes_get_size(part), b.size());
  soup_multipart_free(multipart);
}

TEST(LivepeerSegmentJob, NoPartsStillCloses) { EXPECT_EQ(multipart_body("x", {}), "\r\n--x--\r\n"); }

}  // namespace
}  // namespace lp::livepeer
