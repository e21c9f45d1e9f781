// The client's check of a transcode result before it trusts it: one rendition per profile in
// order, bytes that hash as the result says, the orchestrator's signature over them (as
// go-livepeer signs results) by the address its signed /v1/info named, and frame and pixel
// counts that decoding the renditions confirms. Any mismatch is a VerificationFailed error,
// which a client treats as "retry this segment on another orchestrator".
#pragma once

#include <glib.h>

#include <optional>
#include <vector>

#include "address.h"
#include "error.h"
#include "profile.h"
#include "rendition_probe.h"
#include "wire/result.h"

namespace lp {

struct VerifyOptions {
  // The orchestrator's address from its signed /v1/info; nullopt accepts an unsigned result.
  std::optional<eth::Address> signer;
  bool decode = true;  // count frames and pixels by decoding (needs gst_init)
};

// `counts`, when given and decoding is on, receives what decoding each rendition found.
Result<void> verify_result(const wire::TranscodeResult& result, const std::vector<GBytes*>& renditions,
                           const std::vector<Profile>& profiles, const VerifyOptions& options,
                           std::vector<RenditionCount>* counts = nullptr);

}  // namespace lp
