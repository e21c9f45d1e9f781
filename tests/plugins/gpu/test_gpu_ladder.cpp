// lpladder on an NVIDIA GPU (cuda-device-id): NVDEC decode, CUDA scaling, NVENC or x264.
// Without a GPU only the failure and CPU-fallback tests run; the rest skip with the reason
// and run for real where nvcodec registered its elements, comparing each rendition with the
// CPU path's on the same input: same size, frame count, keyframes and PTS.
#include <gtest/gtest.h>

#include <gst/gst.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "media.h"
#include "nv_elements.h"
#include "profile.h"
#include "transcode.h"

namespace {

using lp::NvElementKind;
using lp::test::MediaInfo;
using lp::test::MediaSpec;
using lp::test::TempDir;

constexpr const char* kLadder = "P720p30fps16x9,P360p30fps16x9,P240p30fps16x9";

struct Rung {
  std::string video_path;  // lprendition-stats' video-path: cpu, cuda-full, cuda-hybrid, ...
  MediaInfo info;
  std::vector<int64_t> pts;  // every video PES PTS, 90 kHz
};

struct LadderRun {
  std::optional<std::string> error;
  std::vector<Rung> rungs;
};

std::string error_text(GstMessage* msg) {
  g_autoptr(GError) err = nullptr;
  g_autofree char* debug = nullptr;
  gst_message_parse_error(msg, &err, &debug);
  return std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg))) + ": " + err->message;
}

// Runs lpsegmentsrc ! lpladder ! filesink x N, collecting each rendition's stats message.
LadderRun run_ladder(const std::string& in, const TempDir& dir, const std::string& tag, int device,
                     const std::string& encoder = "auto", const char* profiles = kLadder) {
  const size_t n = lp::parse_profiles(profiles)->size();
  std::string description = "lpsegmentsrc location=" + in + " ! lpladder name=l profiles=" + profiles +
                            " encoder=" + encoder + " cuda-device-id=" + std::to_string(device);
  for (size_t i = 0; i < n; ++i)
    description += " l.src_" + std::to_string(i) + " ! filesink location=" + dir.file(tag + std::to_string(i) + ".ts");
  LadderRun run;
  lp::test::detail::Pipeline pipeline(lp::test::detail::parse_pipeline(description));
  lp::test::detail::BusPtr bus(gst_element_get_bus(pipeline.get()));
  std::map<std::string, std::string> paths;  // rendition_N -> video-path
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
  const gint64 deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
  for (;;) {
    const gint64 left = deadline - g_get_monotonic_time();
    lp::test::detail::MessagePtr msg(
        left > 0 ? gst_bus_timed_pop_filtered(
                       bus.get(), left * GST_USECOND,
                       static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT))
                 : nullptr);
    if (!msg) {
      run.error = "timeout";
      return run;
    }
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_ERROR) {
      run.error = error_text(msg.get());
      return run;
    }
    if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS) break;
    const GstStructure* s = gst_message_get_structure(msg.get());
    if (gst_structure_has_name(s, "lprendition-stats"))
      paths[gst_structure_get_string(s, "name")] = gst_structure_get_string(s, "video-path");
  }
  for (size_t i = 0; i < n; ++i) {
    const std::string file = dir.file(tag + std::to_string(i) + ".ts");
    Rung rung;
    rung.video_path = paths["rendition_" + std::to_string(i)];
    rung.info = lp::test::inspect_media(file);
    rung.pts = lp::test::ts_video_pts_list(lp::test::read_file(file));
    run.rungs.push_back(std::move(rung));
  }
  return run;
}

// What the GPU path must keep from the CPU path.
void expect_same_ladder(const LadderRun& cpu, const LadderRun& gpu) {
  ASSERT_FALSE(cpu.error) << *cpu.error;
  ASSERT_FALSE(gpu.error) << *gpu.error;
  ASSERT_EQ(cpu.rungs.size(), gpu.rungs.size());
  for (size_t i = 0; i < cpu.rungs.size(); ++i) {
    SCOPED_TRACE("rendition " + std::to_string(i));
    const MediaInfo& c = cpu.rungs[i].info;
    const MediaInfo& g = gpu.rungs[i].info;
    EXPECT_EQ(g.video_caps_name, c.video_caps_name);
    EXPECT_EQ(g.width, c.width);
    EXPECT_EQ(g.height, c.height);
    EXPECT_EQ(g.par_n, 1);
    EXPECT_EQ(g.frames, c.frames);
    EXPECT_EQ(g.decoded_frames, g.frames);
    EXPECT_EQ(g.keyframes, c.keyframes);
    EXPECT_TRUE(g.first_is_idr || g.video_caps_name != "video/x-h264");
    EXPECT_EQ(gpu.rungs[i].pts, cpu.rungs[i].pts);
  }
}

bool has(NvElementKind kind, int device) {
  return lp::pick_nv_factory(lp::installed_nv_factories(), kind, device).has_value();
}

// The GPU tests need NVDEC and the CUDA filters (cudaconvertscale needs NVRTC).
#define REQUIRE_GPU(kind, device)                                                                                   \
  if (!has(kind, device)) GTEST_SKIP() << "no NVIDIA GPU " << (device) << ": nvcodec registered no decoder for it"; \
  if (!lp::cuda_filters_available())                                                                                \
  GTEST_SKIP() << "nvcodec has no cudaconvertscale/cudadownload/cudaupload (NVRTC missing?)"

std::string make_input(const TempDir& dir, const std::string& name, MediaSpec spec) {
  const std::string path = dir.file(name);
  lp::test::make_media(spec, path);
  return path;
}

// A GPU nvcodec has no decoder for: the lowest id without one.
int gpu_without_h264_decoder() {
  int device = 0;
  while (has(NvElementKind::H264Decoder, device)) ++device;
  return device;
}

TEST(GpuLadder, MissingDecoderIsAClearErrorNotAHang) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 1;
  const std::string in = make_input(dir, "in.ts", spec);
  const int device = gpu_without_h264_decoder();
  const gint64 start = g_get_monotonic_time();
  LadderRun run = run_ladder(in, dir, "missing", device, "auto", "P240p30fps16x9");
  ASSERT_TRUE(run.error);
  EXPECT_LT(g_get_monotonic_time() - start, 30 * G_USEC_PER_SEC);
  const std::string gpu = "GPU " + std::to_string(device);
  EXPECT_NE(run.error->find(gpu + " has no NVDEC H.264 decoder"), std::string::npos) << *run.error;
  EXPECT_NE(run.error->find("looked for " + lp::nv_factory_name(NvElementKind::H264Decoder, device)), std::string::npos)
      << *run.error;
  EXPECT_EQ(run.error->rfind("l: ", 0), 0u) << *run.error;  // posted by lpladder itself

  // The C++ API: TranscodeOptions::cuda_device, the same message, Unsupported.
  auto profiles = lp::parse_profiles("P240p30fps16x9");
  g_autoptr(GBytes) bytes = lp::test::bytes_from_file(in);
  lp::TranscodeOptions options;
  options.cuda_device = device;
  auto result = lp::transcode_segment(bytes, *profiles, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, lp::ErrorCode::Unsupported);
  EXPECT_NE(result.error().message.find(gpu + " has no NVDEC H.264 decoder"), std::string::npos)
      << result.error().message;
}

// CUDA frames into lprendition where nvcodec has no CUDA filters: the GPU chain is planned
// (its pad takes CUDA memory) and reported missing by name, not a negotiation failure.
TEST(GpuLadder, CudaInputWithoutCudaFiltersIsAClearError) {
  if (lp::cuda_filters_available()) GTEST_SKIP() << "nvcodec has the CUDA filters here";
  lp::test::detail::Pipeline pipeline(lp::test::detail::parse_pipeline(
      "appsrc name=src format=time ! lprendition profile=P240p30fps16x9 encoder=x264 ! fakesink"));
  g_autoptr(GstElement) src = gst_bin_get_by_name(pipeline.bin(), "src");
  g_autoptr(GstCaps) caps =
      gst_caps_from_string("video/x-raw(memory:CUDAMemory),format=NV12,width=640,height=360,framerate=30/1");
  g_object_set(src, "caps", caps, nullptr);
  GstBuffer* frame = gst_buffer_new_allocate(nullptr, 640 * 360 * 3 / 2, nullptr);
  GST_BUFFER_PTS(frame) = 0;
  GstFlowReturn pushed = GST_FLOW_ERROR;
  g_signal_emit_by_name(src, "push-buffer", frame, &pushed);
  gst_buffer_unref(frame);
  g_signal_emit_by_name(src, "end-of-stream", &pushed);
  auto error = pipeline.run(30);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("missing GStreamer elements for the cuda-hybrid video path: "
                        "cudaconvertscale, cudadownload"),
            std::string::npos)
      << *error;
}

TEST(GpuLadder, OtherCodecsDecodeOnTheCpu) {
  TempDir dir;
  MediaSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.video_codec = "mpeg2";
  spec.gop_frames = 15;
  std::string in;
  try {
    in = make_input(dir, "mpeg2.ts", spec);
  } catch (const std::exception& e) {
    GTEST_SKIP() << "cannot make MPEG-2 input: " << e.what();
  }
  LadderRun cpu = run_ladder(in, dir, "cpu", -1, "auto", "P360p30fps16x9,P240p30fps16x9");
  LadderRun gpu = run_ladder(in, dir, "gpu", 0, "auto", "P360p30fps16x9,P240p30fps16x9");
  expect_same_ladder(cpu, gpu);
  // NVDEC is not asked for MPEG-2: system memory, encoded by NVENC (uploaded) if GPU 0 has
  // it, else by x264 as on the CPU path.
  const char* expected = has(NvElementKind::H264Encoder, 0) ? "cpu-upload" : "cpu";
  for (const Rung& r : gpu.rungs) EXPECT_EQ(r.video_path, expected);
}

// The 1080p H.264 ladder on GPU `device` with `encoder` against the CPU path's; every
// rendition must have taken `path` (nullptr: any GPU path).
void expect_gpu_ladder_like_cpu(int device, const std::string& encoder, const char* path) {
  TempDir dir;
  MediaSpec spec;  // 1920x1080 H.264, 30 fps, 2 s, B-frames
  const std::string in = make_input(dir, "in.ts", spec);
  LadderRun cpu = run_ladder(in, dir, "cpu", -1, encoder);
  LadderRun gpu = run_ladder(in, dir, "gpu", device, encoder);
  expect_same_ladder(cpu, gpu);
  for (const Rung& r : gpu.rungs) {
    if (path) {
      EXPECT_EQ(r.video_path, path);
    } else {
      EXPECT_EQ(r.video_path.rfind("cuda-", 0), 0u) << r.video_path;
    }
  }
}

TEST(GpuLadder, ThreeRenditionsMatchTheCpuPath) {
  REQUIRE_GPU(NvElementKind::H264Decoder, 0);
  // Full GPU path where GPU 0 has NVENC, the hybrid one (x264) where it has not.
  expect_gpu_ladder_like_cpu(0, "auto", has(NvElementKind::H264Encoder, 0) ? "cuda-full" : "cuda-hybrid");
}

TEST(GpuLadder, HybridPathWithX264) {
  REQUIRE_GPU(NvElementKind::H264Decoder, 0);
  expect_gpu_ladder_like_cpu(0, "x264", "cuda-hybrid");
}

TEST(GpuLadder, HevcSourceDecodesOnTheGpu) {
  REQUIRE_GPU(NvElementKind::H265Decoder, 0);
  TempDir dir;
  MediaSpec spec;
  spec.video_codec = "h265";
  std::string in;
  try {
    in = make_input(dir, "hevc.ts", spec);
  } catch (const std::exception& e) {
    GTEST_SKIP() << "cannot make HEVC input: " << e.what();
  }
  expect_same_ladder(run_ladder(in, dir, "cpu", -1), run_ladder(in, dir, "gpu", 0));
}

TEST(GpuLadder, SecondGpu) {
  const auto devices = lp::nv_devices(lp::installed_nv_factories());
  std::optional<int> second;
  for (const lp::NvDevice& d : devices)
    if (d.id != devices.front().id && d.h264_decode) second = d.id;
  if (!second) GTEST_SKIP() << "fewer than two NVIDIA GPUs with NVDEC (" << devices.size() << " found)";
  REQUIRE_GPU(NvElementKind::H264Decoder, *second);
  expect_gpu_ladder_like_cpu(*second, "auto", nullptr);
}

}  // namespace
