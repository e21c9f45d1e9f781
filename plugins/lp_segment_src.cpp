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
#include "segment_fetch.h"

GST_DEBUG_CATEGORY(lp_segment_src_debug);  // segment_fetch.cpp logs here too
#define GST_CAT_DEFAULT lp_segment_src_debug

namespace {

// The properties' defaults, named once (GStreamer's DEFAULT_* style).
constexpr guint DEFAULT_TIMEOUT = 15;
constexpr guint64 DEFAULT_MAX_SIZE = 64 * 1024 * 1024;
constexpr guint DEFAULT_BLOCKSIZE = 64 * 1024;

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_URI,
  PROP_EXTRA_HEADERS,
  PROP_TIMEOUT,
  PROP_MAX_SIZE,
  PROP_BYTES,
};

using BytesPtr = lp::SegmentBytes;
using BufferPtr = lp::Owned<GstBuffer, gst_buffer_unref>;

// The properties; start() works from a copy taken under the object lock.
using Settings = lp::SegmentSource;

GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

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
  return *std::launder(static_cast<LpSegmentSrcPrivate*>(lp_segment_src_get_instance_private(self)));
}

// Posts an element error (RESOURCE domain) whose text is the formatted message.
G_GNUC_PRINTF(3, 4)
void post_error(LpSegmentSrc* self, GstResourceError code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  gchar* text = g_strdup_vprintf(format, args);  // ownership passes to the message below
  va_end(args);
  GST_WARNING_OBJECT(self, "%s", text);
  gst_element_message_full(GST_ELEMENT(self), GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code, text, nullptr, __FILE__,
                           GST_FUNCTION, __LINE__);
}

void post_too_large(LpSegmentSrc* self, guint64 size, guint64 max_size, const std::string& what) {
  post_error(self, GST_RESOURCE_ERROR_READ, "%s", lp::too_large_text(size, max_size, what).c_str());
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

gboolean lp_segment_src_start(GstBaseSrc* src) {
  auto* self = LP_SEGMENT_SRC(src);
  if (priv(self).failed) return FALSE;
  priv(self).failed = true;  // until the segment is in
  const Settings s = snapshot(self);
  std::string what;
  auto fetched = lp::fetch_segment(s, what);
  if (auto* no = std::get_if<lp::FetchError>(&fetched)) {
    post_error(self, no->code, "%s", no->message.c_str());
    return FALSE;
  }
  BytesPtr data = std::get<BytesPtr>(std::move(fetched));
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

GstFlowReturn lp_segment_src_create(GstBaseSrc* src, guint64 offset, guint length, GstBuffer** buf) {
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
  GST_LOG_OBJECT(self, "buffer at %" G_GUINT64_FORMAT ", %" G_GSIZE_FORMAT " bytes", offset, gst_buffer_get_size(*buf));
  return GST_FLOW_OK;
}

void lp_segment_src_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
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
    case PROP_TIMEOUT: p.timeout = g_value_get_uint(value); break;
    case PROP_MAX_SIZE: p.max_size = g_value_get_uint64(value); break;
    case PROP_BYTES: p.bytes.reset(static_cast<GBytes*>(g_value_dup_boxed(value))); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK(self);
}

void lp_segment_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = LP_SEGMENT_SRC(object);
  const Settings& p = priv(self).props;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_LOCATION: g_value_set_string(value, p.location.empty() ? nullptr : p.location.c_str()); break;
    case PROP_URI: g_value_set_string(value, p.uri.empty() ? nullptr : p.uri.c_str()); break;
    case PROP_EXTRA_HEADERS: gst_value_set_structure(value, p.extra_headers.get()); break;
    case PROP_TIMEOUT: g_value_set_uint(value, p.timeout); break;
    case PROP_MAX_SIZE: g_value_set_uint64(value, p.max_size); break;
    case PROP_BYTES: g_value_set_boxed(value, p.bytes.get()); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec); break;
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
  gst_base_src_set_blocksize(GST_BASE_SRC(self), DEFAULT_BLOCKSIZE);
}

static void lp_segment_src_class_init(LpSegmentSrcClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* basesrc_class = GST_BASE_SRC_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(lp_segment_src_debug, "lpsegmentsrc", 0, "lpgst segment source");

  gobject_class->set_property = lp_segment_src_set_property;
  gobject_class->get_property = lp_segment_src_get_property;
  gobject_class->finalize = lp_segment_src_finalize;

  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  g_object_class_install_property(
      gobject_class, PROP_LOCATION,
      g_param_spec_string("location", "Location", "Path of the segment file", nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_URI,
      g_param_spec_string("uri", "URI", "http://, https:// or file:// URI of the segment", nullptr, flags));
  g_object_class_install_property(
      gobject_class, PROP_EXTRA_HEADERS,
      g_param_spec_boxed("extra-headers", "Extra headers", "HTTP request headers, one per field (e.g. for auth)",
                         GST_TYPE_STRUCTURE, flags));
  g_object_class_install_property(gobject_class, PROP_TIMEOUT,
                                  g_param_spec_uint("timeout", "Timeout", "HTTP fetch timeout in seconds (0 = none)", 0,
                                                    G_MAXUINT, DEFAULT_TIMEOUT, flags));
  g_object_class_install_property(
      gobject_class, PROP_MAX_SIZE,
      g_param_spec_uint64("max-size", "Maximum size", "Largest segment accepted, in bytes (0 = no limit)", 0,
                          G_MAXUINT64, DEFAULT_MAX_SIZE, flags));
  g_object_class_install_property(
      gobject_class, PROP_BYTES,
      g_param_spec_boxed("bytes", "Bytes", "Segment in application memory (used zero-copy)", G_TYPE_BYTES, flags));

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
