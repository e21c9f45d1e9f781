// lpsegmentsrc: one media segment from a file, an http(s) URL or application memory.
//
// The whole segment is loaded into one GBytes in start(), not in the first create():
// start() runs during READY->PAUSED before basesrc asks for the size and the scheduling
// mode, so get_size()/is_seekable() give real answers and pull-mode demuxers (qtdemux with
// the moov at the end) work. A failure there fails the state change at once with the
// element error already on the bus, so a pipeline never hangs waiting for data. Segments are
// small (~2 s) and capped by max-size, so holding one in memory is cheap; create() then
// hands out zero-copy sub-buffers of it at any offset.

#include "lp_segment_src.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <cstdarg>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "owned.h"

GST_DEBUG_CATEGORY_STATIC(lp_segment_src_debug);
#define GST_CAT_DEFAULT lp_segment_src_debug

namespace {

constexpr guint kDefaultTimeout = 15;
constexpr guint64 kDefaultMaxSize = 64 * 1024 * 1024;
constexpr guint kDefaultBlocksize = 64 * 1024;
constexpr gsize kReadChunk = 64 * 1024;

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_URI,
  PROP_EXTRA_HEADERS,
  PROP_TIMEOUT,
  PROP_MAX_SIZE,
  PROP_BYTES,
};

using BytesPtr = lp::Owned<GBytes, g_bytes_unref>;
using StructurePtr = lp::Owned<GstStructure, gst_structure_free>;
using BufferPtr = lp::Owned<GstBuffer, gst_buffer_unref>;
using MallocPtr = lp::Owned<guint8, g_free>;

// What start() works from: a copy of the properties taken under the object lock.
struct Settings {
  std::string location;
  std::string uri;
  BytesPtr bytes;
  StructurePtr extra_headers;
  guint timeout = kDefaultTimeout;
  guint64 max_size = kDefaultMaxSize;
};

GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

}  // namespace

// Instance-private C++ state: constructed with placement new in init, destroyed in finalize,
// so its members own their resources (RAII) while GType owns the memory.
struct LpSegmentSrcPrivate {
  Settings props;  // guarded by the object lock
  // The loaded segment: set in start(), dropped in stop(); basesrc never runs create()
  // concurrently with either, so no lock is needed.
  BytesPtr data;
  BufferPtr whole;  // wraps data; create() shares regions of its memory
  // start() failed (its error is posted) since the last READY: basesrc retries start() in
  // push mode after a failed pull-mode activation, which must not fetch a second time.
  bool failed = false;
};

struct _LpSegmentSrc {
  GstBaseSrc parent;
};

G_DEFINE_TYPE_WITH_PRIVATE(LpSegmentSrc, lp_segment_src, GST_TYPE_BASE_SRC)

namespace {

LpSegmentSrcPrivate& priv(LpSegmentSrc* self) {
  return *std::launder(
      static_cast<LpSegmentSrcPrivate*>(lp_segment_src_get_instance_private(self)));
}

// Posts an element error (RESOURCE domain) whose text is the formatted message.
G_GNUC_PRINTF(3, 4)
void post_error(LpSegmentSrc* self, GstResourceError code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  gchar* text = g_strdup_vprintf(format, args);  // ownership passes to the message below
  va_end(args);
  GST_WARNING_OBJECT(self, "%s", text);
  gst_element_message_full(GST_ELEMENT(self), GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code, text,
                           nullptr, __FILE__, GST_FUNCTION, __LINE__);
}

void post_too_large(LpSegmentSrc* self, guint64 size, guint64 max_size, const std::string& what) {
  post_error(self, GST_RESOURCE_ERROR_READ,
             "segment is %" G_GUINT64_FORMAT " bytes, larger than max-size %" G_GUINT64_FORMAT
             " (%s)",
             size, max_size, what.c_str());
}

enum class ReadStatus { kOk, kTooLarge, kTimedOut, kError };

struct ReadResult {
  ReadStatus status = ReadStatus::kError;
  BytesPtr data;
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
  return {ReadStatus::kOk, BytesPtr(g_bytes_new_take(buf.release(), len))};
}

// Loads a local file. `shown` is the path (or URI) used in messages.
BytesPtr load_file(LpSegmentSrc* self, GFile* file, const std::string& shown, guint64 max_size) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GFileInputStream) in = g_file_read(file, nullptr, &error);
  if (!in) {
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
      post_error(self, GST_RESOURCE_ERROR_NOT_FOUND, "segment file '%s' not found", shown.c_str());
    else
      post_error(self, GST_RESOURCE_ERROR_READ, "could not open segment file '%s': %s",
                 shown.c_str(), error->message);
    return nullptr;
  }
  const std::string what = "file '" + shown + "'";
  goffset size = -1;
  g_autoptr(GFileInfo) info =
      g_file_input_stream_query_info(in, G_FILE_ATTRIBUTE_STANDARD_SIZE, nullptr, nullptr);
  if (info) size = g_file_info_get_size(info);
  // Refuse an oversized file before reading any of it.
  if (max_size && size > 0 && static_cast<guint64>(size) > max_size) {
    post_too_large(self, size, max_size, what);
    return nullptr;
  }
  ReadResult r = read_bounded(G_INPUT_STREAM(in), max_size, size, G_MAXINT64, nullptr, &error);
  switch (r.status) {
    case ReadStatus::kOk:
      return std::move(r.data);
    case ReadStatus::kTooLarge:  // the file grew while we read it
      post_error(self, GST_RESOURCE_ERROR_READ,
                 "segment is larger than max-size %" G_GUINT64_FORMAT " (%s)", max_size,
                 what.c_str());
      break;
    default:
      post_error(self, GST_RESOURCE_ERROR_READ, "could not read segment file '%s': %s",
                 shown.c_str(), error ? error->message : "unknown error");
      break;
  }
  return nullptr;
}

// Adds each extra-headers field as a request header; arrays and lists give one header per
// element, as souphttpsrc does. Values are never logged: they often carry credentials.
void append_header(SoupMessageHeaders* headers, const char* name, const GValue* value) {
  if (GST_VALUE_HOLDS_ARRAY(value) || GST_VALUE_HOLDS_LIST(value)) {
    const bool is_array = GST_VALUE_HOLDS_ARRAY(value);
    const guint n = is_array ? gst_value_array_get_size(value) : gst_value_list_get_size(value);
    for (guint i = 0; i < n; i++)
      append_header(
          headers, name,
          is_array ? gst_value_array_get_value(value, i) : gst_value_list_get_value(value, i));
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

void post_transfer_error(LpSegmentSrc* self, const GError* error, guint timeout,
                         const std::string& shown) {
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    post_error(self, GST_RESOURCE_ERROR_READ, "timed out after %u s fetching %s", timeout,
               shown.c_str());
  else
    post_error(self, GST_RESOURCE_ERROR_READ, "could not fetch %s: %s", shown.c_str(),
               error ? error->message : "unknown error");
}

// Fetches an http(s) URL with libsoup (synchronous API, in the calling thread).
BytesPtr load_http(LpSegmentSrc* self, const Settings& s) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GUri) uri =
      g_uri_parse(s.uri.c_str(), static_cast<GUriFlags>(SOUP_HTTP_URI_FLAGS), &error);
  if (!uri || !g_uri_get_host(uri) || !*g_uri_get_host(uri)) {
    post_error(self, GST_RESOURCE_ERROR_SETTINGS, "invalid segment URI: %s",
               error ? error->message : "no host");
    return nullptr;
  }
  g_autofree gchar* shown_c = g_uri_to_string_partial(uri, G_URI_HIDE_PASSWORD);
  const std::string shown = shown_c;

  // One session per fetch: nothing is shared between segments, and aborting it below closes
  // the connection instead of draining an unwanted body.
  g_autoptr(SoupSession) session = soup_session_new_with_options(
      "timeout", s.timeout, "user-agent", "lpgst/" PACKAGE_VERSION " ", nullptr);
  // The bytes are hashed and size-checked as sent: no transparent decompression.
  soup_session_remove_feature_by_type(session, SOUP_TYPE_CONTENT_DECODER);
  g_autoptr(SoupMessage) msg = soup_message_new_from_uri(SOUP_METHOD_GET, uri);
  add_extra_headers(msg, s.extra_headers.get());

  // soup's timeout bounds each socket operation; the deadline bounds the whole body, so a
  // server trickling bytes cannot hold us much past `timeout` either.
  const gint64 deadline =
      s.timeout ? g_get_monotonic_time() + gint64{s.timeout} * G_USEC_PER_SEC : G_MAXINT64;
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

  GST_DEBUG_OBJECT(self, "fetching %s (timeout %u s)", shown.c_str(), s.timeout);
  in = soup_session_send(session, msg, cancellable, &error);
  if (!in) {
    post_transfer_error(self, error, s.timeout, shown);
    return nullptr;
  }
  const guint status = soup_message_get_status(msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL(status)) {
    const char* reason = soup_message_get_reason_phrase(msg);
    if (!reason || !*reason) reason = soup_status_get_phrase(status);
    const auto code = status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE
                          ? GST_RESOURCE_ERROR_NOT_FOUND
                      : status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
                          ? GST_RESOURCE_ERROR_NOT_AUTHORIZED
                          : GST_RESOURCE_ERROR_READ;
    post_error(self, code, "HTTP %u %s fetching %s", status, reason ? reason : "", shown.c_str());
    return nullptr;
  }

  SoupMessageHeaders* response = soup_message_get_response_headers(msg);
  const goffset length = soup_message_headers_get_encoding(response) == SOUP_ENCODING_CONTENT_LENGTH
                             ? soup_message_headers_get_content_length(response)
                             : -1;
  if (s.max_size && length > 0 && static_cast<guint64>(length) > s.max_size) {
    post_too_large(self, length, s.max_size, shown);
    return nullptr;
  }
  ReadResult r = read_bounded(in, s.max_size, length, deadline, cancellable, &error);
  switch (r.status) {
    case ReadStatus::kOk:
      GST_DEBUG_OBJECT(self, "fetched %" G_GSIZE_FORMAT " bytes from %s",
                       g_bytes_get_size(r.data.get()), shown.c_str());
      return std::move(r.data);
    case ReadStatus::kTooLarge:
      post_error(self, GST_RESOURCE_ERROR_READ,
                 "segment is larger than max-size %" G_GUINT64_FORMAT " (%s)", s.max_size,
                 shown.c_str());
      break;
    case ReadStatus::kTimedOut:
      post_error(self, GST_RESOURCE_ERROR_READ, "timed out after %u s fetching %s", s.timeout,
                 shown.c_str());
      break;
    case ReadStatus::kError:
      post_transfer_error(self, error, s.timeout, shown);
      break;
  }
  return nullptr;
}

Settings snapshot(LpSegmentSrc* self) {
  const Settings& p = priv(self).props;
  Settings s;
  GST_OBJECT_LOCK(self);
  s.location = p.location;
  s.uri = p.uri;
  if (p.bytes) s.bytes.reset(g_bytes_ref(p.bytes.get()));
  if (p.extra_headers) s.extra_headers.reset(gst_structure_copy(p.extra_headers.get()));
  s.timeout = p.timeout;
  s.max_size = p.max_size;
  GST_OBJECT_UNLOCK(self);
  return s;
}

// Loads the configured segment; on failure posts the element error and returns nullptr.
BytesPtr load(LpSegmentSrc* self, const Settings& s, std::string& what) {
  const int sources = !s.location.empty() + !s.uri.empty() + (s.bytes != nullptr);
  if (sources == 0) {
    post_error(self, GST_RESOURCE_ERROR_SETTINGS,
               "no segment to read: set one of location, uri or bytes");
    return nullptr;
  }
  if (sources > 1) {
    post_error(self, GST_RESOURCE_ERROR_SETTINGS,
               "set only one of location, uri or bytes (%d are set)", sources);
    return nullptr;
  }
  if (s.bytes) {
    what = "bytes property";
    return BytesPtr(g_bytes_ref(s.bytes.get()));  // zero-copy: buffers wrap the app's memory
  }
  if (!s.location.empty()) {
    what = "file '" + s.location + "'";
    g_autoptr(GFile) file = g_file_new_for_path(s.location.c_str());
    return load_file(self, file, s.location, s.max_size);
  }
  const char* scheme = g_uri_peek_scheme(s.uri.c_str());
  if (scheme && (g_str_equal(scheme, "http") || g_str_equal(scheme, "https"))) {
    what = "URI";
    return load_http(self, s);
  }
  if (scheme && g_str_equal(scheme, "file")) {
    g_autoptr(GFile) file = g_file_new_for_uri(s.uri.c_str());
    g_autofree gchar* path = g_file_get_path(file);
    const std::string shown = path ? path : s.uri;
    what = "file '" + shown + "'";
    return load_file(self, file, shown, s.max_size);
  }
  post_error(self, GST_RESOURCE_ERROR_SETTINGS,
             "unsupported segment URI scheme '%s' (use http, https or file)", scheme ? scheme : "");
  return nullptr;
}

gboolean lp_segment_src_start(GstBaseSrc* src) {
  auto* self = LP_SEGMENT_SRC(src);
  if (priv(self).failed) return FALSE;
  priv(self).failed = true;  // until the segment is in
  const Settings s = snapshot(self);
  std::string what;
  BytesPtr data = load(self, s, what);
  if (!data) return FALSE;
  const gsize size = g_bytes_get_size(data.get());
  if (size == 0) {
    post_error(self, GST_RESOURCE_ERROR_READ, "segment is empty (%s)", what.c_str());
    return FALSE;
  }
  if (s.max_size && size > s.max_size) {  // bytes property; files and HTTP checked earlier
    post_too_large(self, size, s.max_size, what);
    return FALSE;
  }
  auto& p = priv(self);
  p.whole.reset(gst_buffer_new_wrapped_bytes(data.get()));
  p.data = std::move(data);
  p.failed = false;
  GST_INFO_OBJECT(self, "loaded %" G_GSIZE_FORMAT " bytes from %s", size, what.c_str());
  return TRUE;
}

gboolean lp_segment_src_stop(GstBaseSrc* src) {
  auto& p = priv(LP_SEGMENT_SRC(src));
  p.whole.reset();
  p.data.reset();
  return TRUE;
}

// Coming up from NULL or down from PAUSED is a new attempt: a failed start is forgotten. (Not
// at READY_TO_PAUSED: downstream activates our pad in pull mode before that runs.)
GstStateChangeReturn lp_segment_src_change_state(GstElement* element, GstStateChange transition) {
  if (transition == GST_STATE_CHANGE_NULL_TO_READY || transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    priv(LP_SEGMENT_SRC(element)).failed = false;
  return GST_ELEMENT_CLASS(lp_segment_src_parent_class)->change_state(element, transition);
}

gboolean lp_segment_src_is_seekable(GstBaseSrc*) { return TRUE; }

// Random access is always available, so answer the scheduling query without loading: basesrc's
// default answer starts and stops the element to find out, which would load (or fetch over
// HTTP, or fail and post its error) the segment twice.
gboolean lp_segment_src_query(GstBaseSrc* src, GstQuery* query) {
  if (GST_QUERY_TYPE(query) == GST_QUERY_SCHEDULING) {
    gst_query_set_scheduling(query, GST_SCHEDULING_FLAG_SEEKABLE, 1, -1, 0);
    gst_query_add_scheduling_mode(query, GST_PAD_MODE_PUSH);
    gst_query_add_scheduling_mode(query, GST_PAD_MODE_PULL);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS(lp_segment_src_parent_class)->query(src, query);
}

gboolean lp_segment_src_get_size(GstBaseSrc* src, guint64* size) {
  auto& p = priv(LP_SEGMENT_SRC(src));
  if (!p.data) return FALSE;
  *size = g_bytes_get_size(p.data.get());
  return TRUE;
}

GstFlowReturn lp_segment_src_create(GstBaseSrc* src, guint64 offset, guint length,
                                    GstBuffer** buf) {
  auto* self = LP_SEGMENT_SRC(src);
  auto& p = priv(self);
  if (!p.whole) return GST_FLOW_FLUSHING;
  const gsize total = g_bytes_get_size(p.data.get());
  if (offset >= total) return GST_FLOW_EOS;
  const gsize n = std::min<guint64>(length, total - offset);
  if (*buf) {
    // Downstream supplied the buffer (pull mode): copying into it is unavoidable.
    const auto* data = static_cast<const guint8*>(g_bytes_get_data(p.data.get(), nullptr));
    const gsize copied = gst_buffer_fill(*buf, 0, data + offset, n);
    gst_buffer_set_size(*buf, copied);
  } else {
    *buf = gst_buffer_copy_region(p.whole.get(), GST_BUFFER_COPY_MEMORY, offset, n);
    if (!*buf) return GST_FLOW_ERROR;
  }
  GST_BUFFER_OFFSET(*buf) = offset;
  GST_BUFFER_OFFSET_END(*buf) = offset + gst_buffer_get_size(*buf);
  GST_LOG_OBJECT(self, "buffer at %" G_GUINT64_FORMAT ", %" G_GSIZE_FORMAT " bytes", offset,
                 gst_buffer_get_size(*buf));
  return GST_FLOW_OK;
}

void lp_segment_src_set_property(GObject* object, guint prop_id, const GValue* value,
                                 GParamSpec* pspec) {
  auto* self = LP_SEGMENT_SRC(object);
  Settings& p = priv(self).props;
  priv(self).failed = false;  // new settings deserve a new attempt
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_LOCATION: {
      const char* s = g_value_get_string(value);
      p.location = s ? s : "";
      break;
    }
    case PROP_URI: {
      const char* s = g_value_get_string(value);
      p.uri = s ? s : "";
      break;
    }
    case PROP_EXTRA_HEADERS: {
      const GstStructure* st = gst_value_get_structure(value);
      p.extra_headers.reset(st ? gst_structure_copy(st) : nullptr);
      break;
    }
    case PROP_TIMEOUT:
      p.timeout = g_value_get_uint(value);
      break;
    case PROP_MAX_SIZE:
      p.max_size = g_value_get_uint64(value);
      break;
    case PROP_BYTES:
      p.bytes.reset(static_cast<GBytes*>(g_value_dup_boxed(value)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

void lp_segment_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = LP_SEGMENT_SRC(object);
  const Settings& p = priv(self).props;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string(value, p.location.empty() ? nullptr : p.location.c_str());
      break;
    case PROP_URI:
      g_value_set_string(value, p.uri.empty() ? nullptr : p.uri.c_str());
      break;
    case PROP_EXTRA_HEADERS:
      gst_value_set_structure(value, p.extra_headers.get());
      break;
    case PROP_TIMEOUT:
      g_value_set_uint(value, p.timeout);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint64(value, p.max_size);
      break;
    case PROP_BYTES:
      g_value_set_boxed(value, p.bytes.get());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

void lp_segment_src_finalize(GObject* object) {
  priv(LP_SEGMENT_SRC(object)).~LpSegmentSrcPrivate();
  G_OBJECT_CLASS(lp_segment_src_parent_class)->finalize(object);
}

}  // namespace

static void lp_segment_src_init(LpSegmentSrc* self) {
  new (lp_segment_src_get_instance_private(self)) LpSegmentSrcPrivate();
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_BYTES);
  gst_base_src_set_blocksize(GST_BASE_SRC(self), kDefaultBlocksize);
}

static void lp_segment_src_class_init(LpSegmentSrcClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* basesrc_class = GST_BASE_SRC_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(lp_segment_src_debug, "lpsegmentsrc", 0, "lpgst segment source");

  gobject_class->set_property = lp_segment_src_set_property;
  gobject_class->get_property = lp_segment_src_get_property;
  gobject_class->finalize = lp_segment_src_finalize;

  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                              GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "Path of the segment file", nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_URI,
      g_param_spec_string("uri", "URI", "http://, https:// or file:// URI of the segment", nullptr,
                          flags));
  g_object_class_install_property(
      gobject_class, PROP_EXTRA_HEADERS,
      g_param_spec_boxed("extra-headers", "Extra headers",
                         "HTTP request headers, one per field (e.g. for auth)", GST_TYPE_STRUCTURE,
                         flags));
  g_object_class_install_property(
      gobject_class, PROP_TIMEOUT,
      g_param_spec_uint("timeout", "Timeout", "HTTP fetch timeout in seconds (0 = none)", 0,
                        G_MAXUINT, kDefaultTimeout, flags));
  g_object_class_install_property(
      gobject_class, PROP_MAX_SIZE,
      g_param_spec_uint64("max-size", "Maximum size",
                          "Largest segment accepted, in bytes (0 = no limit)", 0, G_MAXUINT64,
                          kDefaultMaxSize, flags));
  g_object_class_install_property(
      gobject_class, PROP_BYTES,
      g_param_spec_boxed("bytes", "Bytes", "Segment in application memory (used zero-copy)",
                         G_TYPE_BYTES, flags));

  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "lpgst segment source", "Source/File/Network",
      "Emits one media segment from a file, an http(s) URL or memory, with random access", "lpgst");

  element_class->change_state = GST_DEBUG_FUNCPTR(lp_segment_src_change_state);
  basesrc_class->start = GST_DEBUG_FUNCPTR(lp_segment_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR(lp_segment_src_stop);
  basesrc_class->query = GST_DEBUG_FUNCPTR(lp_segment_src_query);
  basesrc_class->is_seekable = GST_DEBUG_FUNCPTR(lp_segment_src_is_seekable);
  basesrc_class->get_size = GST_DEBUG_FUNCPTR(lp_segment_src_get_size);
  basesrc_class->create = GST_DEBUG_FUNCPTR(lp_segment_src_create);
}
