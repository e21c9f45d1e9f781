#include "nvidia_names.h"

#include <array>

#ifdef LP_HAVE_GST_CUDA
#include <glib.h>

// libgstcuda-1.0 exports the driver API it loads (gst/cuda/cuda-gst.h), but that header needs
// CUDA's own cuda.h, which Debian does not ship: these are its prototypes, with CUresult and
// CUdevice spelled as the ints they are.
extern "C" {
gboolean gst_cuda_load_library(void);
int CuInit(unsigned int flags);
int CuDeviceGet(int* device, int ordinal);
int CuDeviceGetName(char* name, int len, int device);
}
#endif

namespace lp {

std::string nvidia_device_name([[maybe_unused]] int device) {
#ifdef LP_HAVE_GST_CUDA
  constexpr int kSuccess = 0;
  if (!gst_cuda_load_library() || CuInit(0) != kSuccess) return "";
  int handle = 0;
  if (CuDeviceGet(&handle, device) != kSuccess) return "";
  std::array<char, 256> name{};
  if (CuDeviceGetName(name.data(), static_cast<int>(name.size()) - 1, handle) != kSuccess) return "";
  return name.data();
#else
  return "";
#endif
}

}  // namespace lp
