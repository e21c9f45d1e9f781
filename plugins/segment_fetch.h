// Where lpsegmentsrc's bytes come from: a local file, an http(s) URL (libsoup, in the calling
// thread) or the application's memory, read whole into one GBytes, bounded in size
// (max-size, checked before reading when the size is known, and never more than max-size + 1
// bytes read) and in time (the timeout bounds each socket operation and the whole body).
// Errors come back as the GStreamer resource error lpsegmentsrc posts.
#pragma once

#include <gst/gst.h>

#include <string>
#include <variant>

#include "owned.h"

namespace lp {

using SegmentBytes = Owned<GBytes, g_bytes_unref>;

struct SegmentSource {
  std::string location;                                   // a file path
  std::string uri;                                        // http, https or file
  SegmentBytes bytes;                                     // the application's bytes
  Owned<GstStructure, gst_structure_free> extra_headers;  // request headers for http(s)
  guint timeout = 15;                                     // seconds; 0 = none
  guint64 max_size = 64u << 20;                           // bytes; 0 = no limit
};

struct FetchError {
  GstResourceError code = GST_RESOURCE_ERROR_READ;
  std::string message;
};

// The segment from exactly one of location, uri or bytes (bytes are shared, not copied).
// `what` is set to how messages name it ("file '...'", "URI", "bytes property").
std::variant<SegmentBytes, FetchError> fetch_segment(const SegmentSource& source, std::string& what);

// "segment is N bytes, larger than max-size M (what)".
std::string too_large_text(guint64 size, guint64 max_size, const std::string& what);

}  // namespace lp
