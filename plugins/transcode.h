// The C++ entry point the transcoder calls: one segment in, one rendition per profile out.
// It runs lpsegmentsrc ! lpladder ! appsink x N and waits (bounded) for the result.
#pragma once

#include <glib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "error.h"
#include "owned.h"
#include "profile.h"

namespace lp {

using BytesPtr = Owned<GBytes, g_bytes_unref>;

// What lpladder decoded in one run (its lpladder-stats message): the video frames that went
// to the renditions and the sum of their width x height, the figures go-livepeer's
// transcoder reports with every result.
struct LadderStats {
  uint64_t decoded_frames = 0;
  uint64_t decoded_pixels = 0;
};

struct TranscodeOptions {
  std::string speed_preset = "veryfast";
  std::string encoder = "auto";    // codec adapter name, or auto
  std::string container = "auto";  // auto (by codec) | mpegts | mp4 | webm
  // NVIDIA GPU to decode and scale on (lpladder's cuda-device-id); -1 = CPU. Encoding then
  // uses that GPU's NVENC when it has one, else x264 on the CPU (the hybrid path).
  int cuda_device = -1;
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
  // When set, receives the ladder's decoded-video counts of a run that succeeds.
  LadderStats* stats = nullptr;
  // Polled while running; true stops the run with ErrorCode::Timeout ("cancelled").
  const std::atomic<bool>* cancelled = nullptr;
};

struct Rendition {
  std::string name;  // the profile's name
  BytesPtr bytes;
  int width = 0;
  int height = 0;
  uint64_t frames = 0;
  uint64_t pixels = 0;    // sum of width x height over encoded frames
  std::string codec;      // as profiles spell it: "H.264", "HEVC", "VP9", ...
  std::string container;  // "mpegts", "mp4" (fragmented) or "webm"
};

// The HTTP media type of a rendition's bytes: video/mp2t, video/mp4 or video/webm.
const char* rendition_media_type(const Rendition& rendition);

// Transcodes one segment (any container GStreamer demuxes) into renditions in profile order.
Result<std::vector<Rendition>> transcode_segment(GBytes* segment, const std::vector<Profile>& profiles,
                                                 const TranscodeOptions& options = {});

}  // namespace lp
