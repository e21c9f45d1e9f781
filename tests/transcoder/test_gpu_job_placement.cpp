// A GPU transcoder's job placement: jobs take a GPU slot and give it back, a full set of GPUs
// is Busy, an excluded GPU reports why, and a job failure that points at the GPU (not at the
// segment) takes the GPU out until its re-test passes. Without a GPU here, that re-test fails
// for real (no NVDEC decoder) and the GPU stays out, saying so. A stand-in for a failing
// nvcodec element (this machine has none) shows that its error counts as the GPU's.
#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "gpu_job_placement.h"
#include "pipeline_runner.h"
#include "lp_register.h"
#include "media.h"

// Elements that fail on their first buffer with a decode error, as a GPU decoder hitting a
// CUDA error does: one under an nvcodec-like name, one under a plain one (two types, since
// an element's factory is looked up by its type).
GstFlowReturn fail_first_buffer(GstBaseTransform* self, GstBuffer*) {
  GST_ELEMENT_ERROR(self, STREAM, DECODE, ("stand-in failure"), (nullptr));
  return GST_FLOW_ERROR;
}

void failing_class_init(GstBaseTransformClass* klass) {
  static GstStaticPadTemplate sink = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
  static GstStaticPadTemplate src = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
  auto* element = GST_ELEMENT_CLASS(klass);
  gst_element_class_add_static_pad_template(element, &sink);
  gst_element_class_add_static_pad_template(element, &src);
  gst_element_class_set_static_metadata(element, "Failing transform", "Filter", "Fails on its first buffer", "lpgst");
  klass->transform_ip = fail_first_buffer;
}

#define FAILING_ELEMENT(Name, name)                                                                   \
  struct Name {                                                                                       \
    GstBaseTransform parent;                                                                          \
  };                                                                                                  \
  struct Name##Class {                                                                                \
    GstBaseTransformClass parent_class;                                                               \
  };                                                                                                  \
  G_DEFINE_TYPE(Name, name, GST_TYPE_BASE_TRANSFORM)                                                  \
  void name##_class_init(Name##Class* klass) { failing_class_init(GST_BASE_TRANSFORM_CLASS(klass)); } \
  void name##_init(Name*) {}

FAILING_ELEMENT(GpuStandIn, gpu_stand_in)
FAILING_ELEMENT(PlainStandIn, plain_stand_in)

namespace lp {
namespace {

wire::Job job(const std::string& id, const std::string& stream) {
  wire::Job j;
  j.job_id = id;
  j.stream_id = stream;
  j.profiles = {*find_preset("P240p30fps16x9")};
  return j;
}

TEST(GpuJobPlacement, FaultsThatPointAtTheGpu) {
  EXPECT_TRUE(GpuJobPlacement::gpu_fault({ErrorCode::Internal, "nvh264dec: CUDA error"}));
  EXPECT_TRUE(GpuJobPlacement::gpu_fault({ErrorCode::Timeout, "pipeline timed out"}));
  EXPECT_FALSE(GpuJobPlacement::gpu_fault({ErrorCode::BadSegment, "corrupt"}));
  EXPECT_FALSE(GpuJobPlacement::gpu_fault({ErrorCode::InvalidProfile, "width"}));
}

// What the media core's pipeline runner reports when `element` fails between the source and
// the ladder (the allowlist keeps a stand-in out of job pipelines, so it is put in here).
Error pipeline_error_from(const std::string& element) {
  test::TempDir dir;
  test::MediaSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.seconds = 1;
  test::make_media(spec, dir.file("in.ts"));
  GError* error = nullptr;
  PipelinePtr pipeline(gst_parse_launch(("lpsegmentsrc location=\"" + dir.file("in.ts") + "\" ! " + element +
                                         " ! lpladder name=ladder profiles=P144p30fps16x9")
                                            .c_str(),
                                        &error));
  if (error) {
    ADD_FAILURE() << error->message;
    g_error_free(error);
    return {};
  }
  g_autoptr(GstElement) ladder = gst_bin_get_by_name(GST_BIN(pipeline.get()), "ladder");
  auto result = run_ladder_pipeline(std::move(pipeline), ladder, {"P144p30fps16x9"}, RunLimits{});
  EXPECT_FALSE(result.ok());
  return result ? Error{} : result.error();
}

TEST(GpuJobPlacement, AGpuElementsErrorIsTheGpusNotTheSegments) {
  media_register();
  gst_element_register(nullptr, "cudastandinfail", GST_RANK_NONE, gpu_stand_in_get_type());
  gst_element_register(nullptr, "standinfail", GST_RANK_NONE, plain_stand_in_get_type());
  const Error gpu = pipeline_error_from("cudastandinfail");
  EXPECT_EQ(gpu.code, ErrorCode::Internal) << gpu.message;
  EXPECT_NE(gpu.message.find("GPU element"), std::string::npos) << gpu.message;
  EXPECT_TRUE(GpuJobPlacement::gpu_fault(gpu));
  const Error plain = pipeline_error_from("standinfail");
  EXPECT_EQ(plain.code, ErrorCode::BadSegment) << plain.message;
  EXPECT_FALSE(GpuJobPlacement::gpu_fault(plain));
}

TEST(GpuJobPlacement, SlotsStateAndRetestAfterAGpuFault) {
  media_register();
  GpuJobPlacement placement({{0, "GPU zero"}, {1, "GPU one"}});
  placement.placer().add_gpu(0, 1, GpuPath::Hybrid);
  placement.placer().add_excluded_gpu(1, "decode failed: no NVDEC");

  auto first = placement.acquire(job("j1", "s1"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 0);
  auto second = placement.acquire(job("j2", "s2"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::Busy);

  auto devices = placement.devices();
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].kind, "nvidia");
  EXPECT_EQ(devices[0].name, "GPU zero");
  EXPECT_EQ(devices[0].path, "hybrid");
  EXPECT_EQ(devices[0].capacity, 1);
  EXPECT_EQ(devices[0].sessions, 1);
  EXPECT_GT(devices[0].load_percent, 0);
  EXPECT_EQ(devices[0].error, "");
  EXPECT_EQ(devices[1].error, "decode failed: no NVDEC");

  // A bad segment is the segment's fault: the GPU keeps working.
  placement.release(job("j1", "s1"), 0, Error{ErrorCode::BadSegment, "corrupt"});
  EXPECT_EQ(placement.devices()[0].sessions, 0);
  auto again = placement.acquire(job("j3", "s1"));
  ASSERT_TRUE(again.ok());

  // An internal error is the GPU's: out until a re-test passes, which cannot pass here.
  placement.release(job("j3", "s1"), 0, Error{ErrorCode::Internal, "nvh264dec: CUDA_ERROR_ILLEGAL_ADDRESS"});
  EXPECT_FALSE(placement.acquire(job("j4", "s3")).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string error;
  while (std::chrono::steady_clock::now() < deadline) {
    error = placement.devices()[0].error;
    if (error.rfind("re-test failed", 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(error.rfind("re-test failed: decode failed", 0), 0u) << error;
  EXPECT_FALSE(placement.acquire(job("j5", "s3")).ok());
}

}  // namespace
}  // namespace lp
