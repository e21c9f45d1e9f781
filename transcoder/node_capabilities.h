// What this process can transcode, as a transcoder announces it (hello) and a combined node
// reports it (/v1/info): the codecs its installed encoders produce, the presets it knows,
// the largest rendition it makes, and the devices it encodes on.
#pragma once

#include "wire/capabilities.h"

namespace lp {

// Needs gst_init. Looks at the codec adapters whose encoder elements are installed,
// including those registered by codec plugins (loaded here if not yet).
wire::Capabilities node_capabilities();

}  // namespace lp
