#include "segment_fetch.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <cstdarg>

GST_DEBUG_CATEGORY_EXTERN(lp_segment_src_debug);
#define GST_CAT_DEFAULT lp_segment_src_debug

namespace lp {
namespace {

constexpr gsize kReadChunk = 64 * 1024;

using Fetched = std::variant<SegmentBytes, FetchError>;
using MallocPtr = Owned<guint8, g_free>;

G_GNUC_PRINTF(2, 3)
FetchError fail(GstResourceError code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree gchar* text = g_strdup_vprintf(format, args);
  va_end(args);
  return FetchError{code, text};
}

enum class ReadStatus { kOk, kTooLarge, kTimedOut, kError };

struct ReadResult {
  ReadStatus status = ReadStatus::kError;
  SegmentBytes data;
};

// Reads a stream to its end into one allocation. Never reads more than max_size + 1 bytes
// (one byte past the cap proves the body is too large), so an oversized or endless body
// costs at most max_size of memory. max_size 0 means no limit; deadline is monotonic time.
ReadResult read_bounded(GInputStream* in, guint64 max_size, goffset expected, gint64 deadline,
                        GCancellable* cancellable, GError** error) {
  const guint64 cap = max_size ? max_size : G_MAXUINT64 - 1;
  // Sized from Content-Length / file size (+1 to see EOF without growing), else grown by
  // doubling; never beyond cap + 1 bytes.
  gsize capacity = std::min<guint64>(expected > 0 ? expected : kReadChunk, cap) + 1;
  MallocPtr buf(static_cast<guint8*>(g_malloc(capacity)));
  gsize len = 0;
  for (;;) {
    if (g_get_monotonic_time() > deadline) return {ReadStatus::kTimedOut, nullptr};
    if (len == capacity) {
      capacity = std::min<guint64>(capacity * 2, cap + 1);
      buf.reset(static_cast<guint8*>(g_realloc(buf.release(), capacity)));
    }
    const gsize want = std::min(kReadChunk, capacity - len);
    const gssize n = g_input_stream_read(in, buf.get() + len, want, cancellable, error);
    if (n < 0) return {ReadStatus::kError, nullptr};
    if (n == 0) break;
    len += static_cast<gsize>(n);
    if (len > cap) return {ReadStatus::kTooLarge, nullptr};
  }
  if (len > 0 && capacity - len > kReadChunk)  // give back the doubling slack
    buf.reset(static_cast<guint8*>(g_realloc(buf.release(), len)));
  return {ReadStatus::kOk, SegmentBytes(g_bytes_new_take(buf.release(), len))};
}

// A local file. `shown` is the path (or URI) used in messages.
Fetched load_file(GFile* file, const std::string& shown, guint64 max_size) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GFileInputStream) in = g_file_read(file, nullptr, &error);
  if (!in) {
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
      return fail(GST_RESOURCE_ERROR_NOT_FOUND, "segment file '%s' not found", shown.c_str());
    return fail(GST_RESOURCE_ERROR_READ, "could not open segment file '%s': %s", shown.c_str(), error->message);
  }
  const std::string what = "file '" + shown + "'";
  goffset size = -1;
  g_autoptr(GFileInfo) info = g_file_input_stream_query_info(in, G_FILE_ATTRIBUTE_STANDARD_SIZE, nullptr, nullptr);
  if (info) size = g_file_info_get_size(info);
  // Refuse an oversized file before reading any of it.
  if (max_size && size > 0 && static_cast<guint64>(size) > max_size)
    return FetchError{GST_RESOURCE_ERROR_READ, too_large_text(size, max_size, what)};
  ReadResult r = read_bounded(G_INPUT_STREAM(in), max_size, size, G_MAXINT64, nullptr, &error);
  switch (r.status) {
    case ReadStatus::kOk: return std::move(r.data);
    case ReadStatus::kTooLarge:  // the file grew while we read it
      return fail(GST_RESOURCE_ERROR_READ, "segment is larger than max-size %" G_GUINT64_FORMAT " (%s)", max_size,
                  what.c_str());
    default:
      return fail(GST_RESOURCE_ERROR_READ, "could not read segment file '%s': %s", shown.c_str(),
                  error ? error->message : "unknown error");
  }
}

// Adds each extra-headers field as a request header; arrays and lists give one header per
// element, as souphttpsrc does. Values are never logged: they often carry credentials.
void append_header(SoupMessageHeaders* headers, const char* name, const GValue* value) {
  if (GST_VALUE_HOLDS_ARRAY(value) || GST_VALUE_HOLDS_LIST(value)) {
    const bool is_array = GST_VALUE_HOLDS_ARRAY(value);
    const guint n = is_array ? gst_value_array_get_size(value) : gst_value_list_get_size(value);
    for (guint i = 0; i < n; i++)
      append_header(headers, name, is_array ? gst_value_array_get_value(value, i) : gst_value_list_get_value(value, i));
    return;
  }
  if (G_VALUE_HOLDS_STRING(value)) {
    if (const char* s = g_value_get_string(value)) soup_message_headers_append(headers, name, s);
    return;
  }
  g_autofree gchar* s = gst_value_serialize(value);
  if (s) soup_message_headers_append(headers, name, s);
}

void add_extra_headers(SoupMessage* msg, const GstStructure* extra) {
  if (!extra) return;
  gst_structure_foreach(
      extra,
      [](GQuark field, const GValue* value, gpointer user_data) -> gboolean {
        GST_DEBUG("adding request header %s", g_quark_to_string(field));
        append_header(static_cast<SoupMessageHeaders*>(user_data), g_quark_to_string(field), value);
        return TRUE;
      },
      soup_message_get_request_headers(msg));
}

FetchError transfer_error(const GError* error, guint timeout, const std::string& shown) {
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return fail(GST_RESOURCE_ERROR_READ, "timed out after %u s fetching %s", timeout, shown.c_str());
  return fail(GST_RESOURCE_ERROR_READ, "could not fetch %s: %s", shown.c_str(),
              error ? error->message : "unknown error");
}

// An http(s) URL with libsoup (synchronous API, in the calling thread).
Fetched load_http(const SegmentSource& s) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GUri) uri = g_uri_parse(s.uri.c_str(), static_cast<GUriFlags>(SOUP_HTTP_URI_FLAGS), &error);
  if (!uri || !g_uri_get_host(uri) || !*g_uri_get_host(uri))
    return fail(GST_RESOURCE_ERROR_SETTINGS, "invalid segment URI: %s", error ? error->message : "no host");
  g_autofree gchar* shown_c = g_uri_to_string_partial(uri, G_URI_HIDE_PASSWORD);
  const std::string shown = shown_c;

  // One session per fetch: nothing is shared between segments, and aborting it below closes
  // the connection instead of draining an unwanted body.
  g_autoptr(SoupSession) session =
      soup_session_new_with_options("timeout", s.timeout, "user-agent", "lpgst/" PACKAGE_VERSION " ", nullptr);
  // The bytes are hashed and size-checked as sent: no transparent decompression.
  soup_session_remove_feature_by_type(session, SOUP_TYPE_CONTENT_DECODER);
  g_autoptr(SoupMessage) msg = soup_message_new_from_uri(SOUP_METHOD_GET, uri);
  add_extra_headers(msg, s.extra_headers.get());

  // soup's timeout bounds each socket operation; the deadline bounds the whole body, so a
  // server trickling bytes cannot hold us much past `timeout` either.
  const gint64 deadline = s.timeout ? g_get_monotonic_time() + gint64{s.timeout} * G_USEC_PER_SEC : G_MAXINT64;
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  g_autoptr(GInputStream) in = nullptr;
  // Runs before `in` is unreffed: closing a soup stream mid-body may try to skip (read) the
  // rest of it, possibly endless, to keep the connection alive; aborting closes it instead.
  struct Abort {
    SoupSession* session;
    GCancellable* cancellable;
    ~Abort() {
      g_cancellable_cancel(cancellable);
      soup_session_abort(session);
    }
  } abort_on_exit{session, cancellable};

  GST_DEBUG("fetching %s (timeout %u s)", shown.c_str(), s.timeout);
  in = soup_session_send(session, msg, cancellable, &error);
  if (!in) return transfer_error(error, s.timeout, shown);
  const guint status = soup_message_get_status(msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL(status)) {
    const char* reason = soup_message_get_reason_phrase(msg);
    if (!reason || !*reason) reason = soup_status_get_phrase(status);
    const auto code = status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE ? GST_RESOURCE_ERROR_NOT_FOUND
                      : status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
                          ? GST_RESOURCE_ERROR_NOT_AUTHORIZED
                          : GST_RESOURCE_ERROR_READ;
    return fail(code, "HTTP %u %s fetching %s", status, reason ? reason : "", shown.c_str());
  }

  SoupMessageHeaders* response = soup_message_get_response_headers(msg);
  const goffset length = soup_message_headers_get_encoding(response) == SOUP_ENCODING_CONTENT_LENGTH
                             ? soup_message_headers_get_content_length(response)
                             : -1;
  if (s.max_size && length > 0 && static_cast<guint64>(length) > s.max_size)
    return FetchError{GST_RESOURCE_ERROR_READ, too_large_text(length, s.max_size, shown)};
  ReadResult r = read_bounded(in, s.max_size, length, deadline, cancellable, &error);
  switch (r.status) {
    case ReadStatus::kOk:
      GST_DEBUG("fetched %" G_GSIZE_FORMAT " bytes from %s", g_bytes_get_size(r.data.get()), shown.c_str());
      return std::move(r.data);
    case ReadStatus::kTooLarge:
      return fail(GST_RESOURCE_ERROR_READ, "segment is larger than max-size %" G_GUINT64_FORMAT " (%s)", s.max_size,
                  shown.c_str());
    case ReadStatus::kTimedOut:
      return fail(GST_RESOURCE_ERROR_READ, "timed out after %u s fetching %s", s.timeout, shown.c_str());
    case ReadStatus::kError: break;
  }
  return transfer_error(error, s.timeout, shown);
}

}  // namespace

std::string too_large_text(guint64 size, guint64 max_size, const std::string& what) {
  g_autofree gchar* text =
      g_strdup_printf("segment is %" G_GUINT64_FORMAT " bytes, larger than max-size %" G_GUINT64_FORMAT " (%s)", size,
                      max_size, what.c_str());
  return text;
}

std::variant<SegmentBytes, FetchError> fetch_segment(const SegmentSource& s, std::string& what) {
  const int sources = !s.location.empty() + !s.uri.empty() + (s.bytes != nullptr);
  if (sources == 0) return fail(GST_RESOURCE_ERROR_SETTINGS, "no segment to read: set one of location, uri or bytes");
  if (sources > 1)
    return fail(GST_RESOURCE_ERROR_SETTINGS, "set only one of location, uri or bytes (%d are set)", sources);
  if (s.bytes) {
    what = "bytes property";
    return SegmentBytes(g_bytes_ref(s.bytes.get()));  // zero-copy: buffers wrap the app's memory
  }
  if (!s.location.empty()) {
    what = "file '" + s.location + "'";
    g_autoptr(GFile) file = g_file_new_for_path(s.location.c_str());
    return load_file(file, s.location, s.max_size);
  }
  const char* scheme = g_uri_peek_scheme(s.uri.c_str());
  if (scheme && (g_str_equal(scheme, "http") || g_str_equal(scheme, "https"))) {
    what = "URI";
    return load_http(s);
  }
  if (scheme && g_str_equal(scheme, "file")) {
    g_autoptr(GFile) file = g_file_new_for_uri(s.uri.c_str());
    g_autofree gchar* path = g_file_get_path(file);
    const std::string shown = path ? path : s.uri;
    what = "file '" + shown + "'";
    return load_file(file, shown, s.max_size);
  }
  return fail(GST_RESOURCE_ERROR_SETTINGS, "unsupported segment URI scheme '%s' (use http, https or file)",
              scheme ? scheme : "");
}

}  // namespace lp
