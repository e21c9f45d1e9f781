// What a rendition a transcoder uploaded holds, measured without decoding it: demuxed and
// parsed (appsrc ! parsebin), its video's frame size from the parser's caps and its frames
// counted. The orchestrator checks a go-livepeer transcoder's Pixels against this before it
// signs and bills the rendition. Runs on GStreamer's streaming threads; the answer comes on
// the main context.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "error.h"
#include "pipeline_runner.h"
#include "worker.h"

namespace lp::livepeer {

struct RenditionShape {
  int width = 0;
  int height = 0;
  int64_t frames = 0;
  int64_t pixels() const { return int64_t{width} * height * frames; }
};

class RenditionProbe {
 public:
  // `done` runs once on the main context, unless the probe is destroyed first (which stops
  // the pipeline and joins its threads). A rendition with no video, or that does not parse,
  // is a BadSegment error; one still running after `timeout` a Timeout.
  using Done = std::function<void(Result<RenditionShape>)>;
  static std::unique_ptr<RenditionProbe> start(SharedBytes bytes, Done done,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RenditionProbe();
  RenditionProbe(const RenditionProbe&) = delete;
  RenditionProbe& operator=(const RenditionProbe&) = delete;

 private:
  RenditionProbe() = default;
  static void on_pad_added(GstElement* parsebin, GstPad* pad, gpointer self);
  static GstPadProbeReturn count_frame(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static gboolean on_message(GstBus* bus, GstMessage* message, gpointer self);
  void finish(Result<RenditionShape> outcome);

  PipelinePtr pipeline_;
  Done done_;
  guint bus_watch_ = 0;
  guint timer_ = 0;
  // Written by streaming threads, read on the main context after EOS.
  std::atomic<int64_t> frames_{0};
  std::atomic<int> width_{0};
  std::atomic<int> height_{0};
  std::atomic<bool> has_video_{false};
};

}  // namespace lp::livepeer
