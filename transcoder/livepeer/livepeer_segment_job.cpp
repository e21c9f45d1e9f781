#include "livepeer/livepeer_segment_job.h"

#include <libsoup/soup.h>

#include <memory>

#include "http/tls_trust.h"
#include "http2/h2_connection.h"
#include "livepeer/livepeer_capabilities.h"
#include "livepeer/livepeer_profiles.h"
#include "owned.h"
#include "transcode.h"

namespace lp::livepeer {
namespace {

// GET the source, at most max_bytes (a Content-Length over it is refused before reading).
Result<BytesPtr> fetch_source(const std::string& url, const SegmentJobEnvironment& env, GCancellable* cancellable) {
  const guint seconds = static_cast<guint>(std::max<int64_t>(1, env.fetch_timeout.count() / 1000));
  Owned<SoupSession, g_object_unref> session(soup_session_new_with_options("timeout", seconds, nullptr));
  soup_session_set_proxy_resolver(session.get(), nullptr);
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  if (!msg) return Error{ErrorCode::BadRequest, "the segment's url is not a valid URL: " + url};
  accept_orchestrator_certificate(msg, env.cert_pin);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GInputStream) in = soup_session_send(session.get(), msg, cancellable, &error);
  if (!in) return Error{ErrorCode::Unreachable, "fetching the segment failed: " + std::string(error->message)};
  const guint status = soup_message_get_status(msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL(status))
    return Error{ErrorCode::Unreachable, "fetching the segment answered HTTP " + std::to_string(status)};
  const goffset declared = soup_message_headers_get_content_length(soup_message_get_response_headers(msg));
  if (declared > static_cast<goffset>(env.max_source_bytes))
    return Error{ErrorCode::TooLarge, "the segment is " + std::to_string(declared) + " bytes (the limit is " +
                                          std::to_string(env.max_source_bytes) + ")"};
  g_autoptr(GByteArray) data = g_byte_array_new();
  const gint64 deadline = g_get_monotonic_time() + std::chrono::microseconds(env.fetch_timeout).count();
  guint8 chunk[65536];
  for (;;) {
    const gssize n = g_input_stream_read(in, chunk, sizeof chunk, cancellable, &error);
    if (n < 0) return Error{ErrorCode::Unreachable, "reading the segment failed: " + std::string(error->message)};
    if (n == 0) break;
    if (data->len + static_cast<size_t>(n) > env.max_source_bytes)
      return Error{ErrorCode::TooLarge, "the segment is over " + std::to_string(env.max_source_bytes) + " bytes"};
    g_byte_array_append(data, chunk, static_cast<guint>(n));
    if (g_get_monotonic_time() > deadline)
      return Error{ErrorCode::Timeout,
                   "fetching the segment took over " + std::to_string(env.fetch_timeout.count() / 1000) + " s"};
  }
  return BytesPtr(g_byte_array_free_to_bytes(static_cast<GByteArray*>(g_steal_pointer(&data))));
}

std::string random_boundary() {
  std::string out;
  for (int i = 0; i < 30; ++i) out += "0123456789abcdef"[g_random_int_range(0, 16)];
  return out;
}

// POST /transcodeResults and wait for the answer's status.
Result<int> post_result(const SegmentJobEnvironment& env, int64_t task_id, int64_t decoded_pixels,
                        const std::string& content_type, std::string body, GCancellable* cancellable) {
  h2::ConnectOptions options;
  options.host = env.orch_host;
  options.port = env.orch_port;
  options.cert_pin = env.cert_pin;
  auto conn = h2::Connection::connect(options, cancellable);
  if (!conn) return conn.error();
  const std::string length = std::to_string(body.size());
  h2::Headers headers = {{":method", "POST"},
                         {":path", "/transcodeResults"},
                         {"authorization", "Livepeer-Transcoder-1.0"},
                         {"credentials", env.secret},
                         {"taskid", std::to_string(task_id)},
                         {"pixels", std::to_string(decoded_pixels)},
                         {"content-type", content_type},
                         {"content-length", length}};
  int status = 0;
  h2::StreamEvents events;
  events.on_headers = [&status](const h2::Headers& h, bool trailers) {
    if (!trailers) status = std::atoi(h2::header_value(h, ":status").c_str());
  };
  auto id = (*conn)->submit(headers, std::move(body), std::move(events));
  if (!id) return id.error();
  if (auto e = (*conn)->finish(*id, std::chrono::steady_clock::now() + env.upload_timeout, cancellable); !e.ok())
    return e.error();
  if (status == 0) return Error{ErrorCode::Unreachable, "the orchestrator reset the result upload"};
  return status;
}

}  // namespace

Result<int> post_transcoding_error(const SegmentJobEnvironment& env, int64_t task_id, const std::string& message,
                                   GCancellable* cancellable) {
  return post_result(env, task_id, 0, "livepeer/transcoding-error", message, cancellable);
}

std::string multipart_body(const std::string& boundary, const std::vector<ResultPart>& parts) {
  std::string body;
  for (size_t i = 0; i < parts.size(); ++i) {
    const ResultPart& p = parts[i];
    // Go's multipart.Writer: headers in sorted key order, CRLF before every later boundary.
    body += (i == 0 ? "--" : "\r\n--") + boundary + "\r\n";
    body += "Content-Length: " + std::to_string(p.size) + "\r\n";
    body += "Content-Type: " + p.content_type + "\r\n";
    body += "Pixels: " + std::to_string(p.pixels) + "\r\n\r\n";
    body.append(static_cast<const char*>(p.data), p.size);
  }
  body += "\r\n--" + boundary + "--\r\n";
  return body;
}

SegmentJobReport run_segment_job(const net::NotifySegment& notify, const SegmentJobEnvironment& env,
                                 GCancellable* cancellable, const std::atomic<bool>* cancelled) {
  SegmentJobReport report;
  const auto outcome = [&]() -> Result<std::string> {  // the multipart body, or why not
    if (auto missing = incompatible(notify.segdata().capabilities(), env.ours))
      return Error{ErrorCode::Unsupported, "incompatible segment capabilities: this transcoder lacks " + *missing};
    auto profiles = profiles_from_segment(notify.segdata());
    if (!profiles) return profiles.error();
    auto source = fetch_source(notify.url(), env, cancellable);
    if (!source) return source.error();
    LadderStats stats;
    TranscodeOptions options;
    options.cuda_device = env.cuda_device;
    options.stats = &stats;
    options.cancelled = cancelled;
    // go-livepeer gives a transcoder max(8 s, 4 x duration) before it gives the segment up.
    const int duration_ms = notify.segdata().duration() > 0 ? notify.segdata().duration() : 2000;
    options.timeout = std::chrono::milliseconds(std::max(8000, 4 * duration_ms));
    auto renditions = transcode_segment(source->get(), *profiles, options);
    if (!renditions) return renditions.error();
    report.decoded_pixels = static_cast<int64_t>(stats.decoded_pixels);
    report.renditions = renditions->size();
    std::vector<ResultPart> parts;
    for (const Rendition& r : *renditions) {
      gsize size = 0;
      const void* data = g_bytes_get_data(r.bytes.get(), &size);
      parts.push_back({rendition_media_type(r), static_cast<int64_t>(r.pixels), data, size});
    }
    return multipart_body(random_boundary(), parts);
  }();
  if (cancelled && *cancelled) return report;
  Result<int> posted = Error{ErrorCode::Internal, ""};
  if (outcome) {
    report.transcoded = true;
    // The boundary is the body's first line, after "--".
    const std::string boundary = outcome->substr(2, outcome->find("\r\n") - 2);
    posted = post_result(env, notify.taskid(), report.decoded_pixels, "multipart/mixed; boundary=" + boundary, *outcome,
                         cancellable);
  } else {
    report.error = outcome.error().message;
    report.error_code = outcome.error().code;
    posted = post_transcoding_error(env, notify.taskid(), report.error, cancellable);
  }
  if (posted) {
    report.posted_status = *posted;
  } else {
    report.post_error = posted.error().message;
  }
  return report;
}

}  // namespace lp::livepeer
