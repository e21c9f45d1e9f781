#include "play_to_eos.h"

#include <string>

namespace lp {

namespace {

Error error_from(GstMessage* message) {
  g_autoptr(GError) err = nullptr;
  g_autofree gchar* debug = nullptr;
  gst_message_parse_error(message, &err, &debug);
  std::string where = GST_MESSAGE_SRC(message) ? GST_OBJECT_NAME(GST_MESSAGE_SRC(message)) : "pipeline";
  const bool missing = err && err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_MISSING_PLUGIN;
  return Error{missing ? ErrorCode::Unsupported : ErrorCode::Internal,
               where + ": " + (err ? err->message : "unknown error")};
}

}  // namespace

std::optional<Error> play_to_eos(GstElement* pipeline, std::chrono::milliseconds timeout) {
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  const auto types = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element that refused usually posted why (no CUDA context, ...).
    g_autoptr(GstMessage) why = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (why) return error_from(why);
    return Error{ErrorCode::Internal, "the pipeline did not start"};
  }
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  g_autoptr(GstMessage) message = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(ns), types);
  if (!message) {
    return Error{ErrorCode::Timeout, "no end of stream within " + std::to_string(timeout.count()) + " ms"};
  }
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) return error_from(message);
  return std::nullopt;
}

}  // namespace lp
