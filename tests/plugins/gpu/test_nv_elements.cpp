// nvcodec's per-GPU element names: choosing the element for a device from hand-written
// factory lists (as GStreamer 1.22 registers them), aggregating devices, and what this
// machine's registry holds (nothing without an NVIDIA driver).
#include <gtest/gtest.h>

#include <gst/gst.h>

#include "nv_elements.h"

namespace {

using lp::NvElementKind;
using lp::NvFactory;

// One GPU with NVDEC and both NVENC families, registered first: the plain names.
std::vector<NvFactory> one_full_gpu() {
  return {{"nvh264dec", 0, NvElementKind::H264Decoder}, {"nvh265dec", 0, NvElementKind::H265Decoder},
          {"nvh264enc", 0, NvElementKind::H264Encoder}, {"nvcudah264enc", 0, NvElementKind::H264Encoder},
          {"nvh265enc", 0, NvElementKind::H265Encoder}, {"nvcudah265enc", 0, NvElementKind::H265Encoder}};
}

TEST(PickNvFactory, FirstDeviceHasThePlainNamesAndNvcudaWins) {
  auto f = one_full_gpu();
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 0), "nvh264dec");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H265Decoder, 0), "nvh265dec");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, 0), "nvcudah264enc");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H265Encoder, 0), "nvcudah265enc");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 1), std::nullopt);
}

TEST(PickNvFactory, NvcudaPreferredWhateverTheOrder) {
  std::vector<NvFactory> f = {{"nvcudah264device1enc", 1, NvElementKind::H264Encoder},
                              {"nvh264device1enc", 1, NvElementKind::H264Encoder}};
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, 1), "nvcudah264device1enc");
  std::swap(f[0], f[1]);
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, 1), "nvcudah264device1enc");
  // Only the older family: that one.
  f.pop_back();
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, 1), "nvh264device1enc");
}

TEST(PickNvFactory, SecondDeviceGetsTheNumberedNames) {
  auto f = one_full_gpu();
  f.push_back({"nvh264device1dec", 1, NvElementKind::H264Decoder});
  f.push_back({"nvh264device1enc", 1, NvElementKind::H264Encoder});
  f.push_back({"nvcudah264device1enc", 1, NvElementKind::H264Encoder});
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 1), "nvh264device1dec");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, 1), "nvcudah264device1enc");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 0), "nvh264dec");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H265Decoder, 1), std::nullopt);
}

TEST(PickNvFactory, DecodeOnlyGpuHasNoEncoder) {
  // H100/H200/A100: NVDEC but no NVENC, so nvcodec registers decoders only.
  std::vector<NvFactory> f = {{"nvh264dec", 0, NvElementKind::H264Decoder},
                              {"nvh265dec", 0, NvElementKind::H265Decoder}};
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 0), "nvh264dec");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, 0), std::nullopt);
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H265Encoder, 0), std::nullopt);
  EXPECT_EQ(lp::pick_nv_factory({}, NvElementKind::H264Decoder, 0), std::nullopt);
}

TEST(PickNvFactory, TheDeviceIsTheElementsNotItsNameNumber) {
  // CUDA device 0 cannot decode H.264 (say), so device 1 got the plain name.
  std::vector<NvFactory> f = {{"nvh264dec", 1, NvElementKind::H264Decoder}};
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 0), std::nullopt);
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, 1), "nvh264dec");
}

TEST(PickNvFactory, NoDeviceMeansTheLowestThatHasIt) {
  std::vector<NvFactory> f = {{"nvh264device1enc", 2, NvElementKind::H264Encoder},
                              {"nvh264enc", 1, NvElementKind::H264Encoder},
                              {"nvcudah264enc", 1, NvElementKind::H264Encoder},
                              {"nvh265enc", 0, NvElementKind::H265Encoder}};
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Encoder, -1), "nvcudah264enc");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H265Encoder, -1), "nvh265enc");
  EXPECT_EQ(lp::pick_nv_factory(f, NvElementKind::H264Decoder, -1), std::nullopt);
}

TEST(NvDevices, OnePerDeviceSortedWithWhatItCanDo) {
  std::vector<NvFactory> f = {{"nvh264device1dec", 2, NvElementKind::H264Decoder},
                              {"nvh265device1dec", 2, NvElementKind::H265Decoder},
                              {"nvh264dec", 0, NvElementKind::H264Decoder},
                              {"nvcudah264enc", 0, NvElementKind::H264Encoder},
                              {"nvh265enc", 0, NvElementKind::H265Encoder}};
  auto devices = lp::nv_devices(f);
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].id, 0);
  EXPECT_TRUE(devices[0].h264_decode);
  EXPECT_FALSE(devices[0].h265_decode);
  EXPECT_TRUE(devices[0].h264_encode);
  EXPECT_TRUE(devices[0].h265_encode);
  EXPECT_EQ(devices[1].id, 2);
  EXPECT_TRUE(devices[1].h264_decode);
  EXPECT_TRUE(devices[1].h265_decode);
  EXPECT_FALSE(devices[1].h264_encode);
  EXPECT_FALSE(devices[1].h265_encode);
  EXPECT_TRUE(lp::nv_devices({}).empty());
}

TEST(NvFactoryName, AsNvcodecNamesThem) {
  EXPECT_EQ(lp::nv_factory_name(NvElementKind::H264Decoder, 0), "nvh264dec");
  EXPECT_EQ(lp::nv_factory_name(NvElementKind::H265Decoder, 1), "nvh265device1dec");
  EXPECT_EQ(lp::nv_factory_name(NvElementKind::H264Encoder, 0), "nvh264enc");
  EXPECT_EQ(lp::nv_factory_name(NvElementKind::H265Encoder, 3), "nvh265device3enc");
}

// Whatever this machine has, the list is consistent with the registry: without a driver
// nvcodec registers nothing and the list is empty.
TEST(InstalledNvFactories, MatchTheRegistry) {
  auto factories = lp::installed_nv_factories();
  for (const NvFactory& f : factories) {
    SCOPED_TRACE(f.name);
    g_autoptr(GstElementFactory) factory = gst_element_factory_find(f.name.c_str());
    EXPECT_NE(factory, nullptr);
    EXPECT_GE(f.device, 0);
    const bool encoder = f.kind == NvElementKind::H264Encoder || f.kind == NvElementKind::H265Encoder;
    EXPECT_EQ(f.name.substr(f.name.size() - 3), encoder ? "enc" : "dec");
  }
  // Cached: a second call gives the same list.
  auto again = lp::installed_nv_factories();
  ASSERT_EQ(again.size(), factories.size());
  for (size_t i = 0; i < factories.size(); ++i) EXPECT_EQ(again[i].name, factories[i].name);
  g_autoptr(GstElementFactory) scaler = gst_element_factory_find("cudaconvertscale");
  if (!scaler) {
    EXPECT_FALSE(lp::cuda_filters_available());
  }
  if (factories.empty()) GTEST_SKIP() << "no NVIDIA GPU: nvcodec registered no element";
}

}  // namespace
