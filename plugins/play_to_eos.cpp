#include "play_to_eos.h"

#include <algorithm>
#include <string>

namespace lp {

Error error_from_bus(GstMessage* message) {
  g_autoptr(GError) err = nullptr;
  g_autofree gchar* debug = nullptr;
  gst_message_parse_error(message, &err, &debug);
  std::string where = GST_MESSAGE_SRC(message) ? GST_OBJECT_NAME(GST_MESSAGE_SRC(message)) : "pipeline";
  const bool missing = err && err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_MISSING_PLUGIN;
  return Error{missing ? ErrorCode::Unsupported : ErrorCode::Internal,
               where + ": " + (err ? err->message : "unknown error")};
}

Result<void> play_to_eos(GstElement* pipeline, const PlayOptions& options) {
  auto error_of = [&options](GstMessage* m) { return options.on_error ? options.on_error(m) : error_from_bus(m); };
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element that refused usually posted why (no CUDA context, a missing file, ...).
    g_autoptr(GstMessage) why = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (why) return error_of(why);
    return Error{ErrorCode::Internal, "the pipeline did not start"};
  }
  const gint64 deadline = g_get_monotonic_time() + std::chrono::microseconds(options.timeout).count();
  constexpr gint64 kPollUs = 100 * 1000;
  auto types =
      static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | (options.on_element ? GST_MESSAGE_ELEMENT : 0));
  for (;;) {
    if (options.cancelled && options.cancelled->load()) return Error{ErrorCode::Timeout, "cancelled"};
    const gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0)
      return Error{ErrorCode::Timeout, "no end of stream within " + std::to_string(options.timeout.count()) + " ms"};
    const gint64 wait = options.cancelled ? std::min(left, kPollUs) : left;
    g_autoptr(GstMessage) message =
        gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(wait) * GST_USECOND, types);
    if (!message) continue;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) return error_of(message);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS) return {};
    options.on_element(message);
  }
}

Result<void> play_to_eos(GstElement* pipeline, std::chrono::milliseconds timeout) {
  PlayOptions options;
  options.timeout = timeout;
  return play_to_eos(pipeline, options);
}

}  // namespace lp
