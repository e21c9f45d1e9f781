// main() for every lpgst test binary: GStreamer initialised once, our elements registered
// statically (no GST_PLUGIN_PATH needed).
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "lp_register.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  gst_init(&argc, &argv);
  lp::media_register();
  int rc = RUN_ALL_TESTS();
  gst_deinit();
  return rc;
}
