#include "rendition_properties.h"

#include <glib.h>

#include "lp_enums.h"

namespace lp {

H264Profile to_h264_profile(int value) {
  switch (value) {
    case LP_H264_PROFILE_BASELINE: return H264Profile::Baseline;
    case LP_H264_PROFILE_MAIN: return H264Profile::Main;
    case LP_H264_PROFILE_HIGH: return H264Profile::High;
    case LP_H264_PROFILE_CONSTRAINED_HIGH: return H264Profile::ConstrainedHigh;
    default: return H264Profile::Unset;
  }
}

int from_h264_profile(H264Profile profile) {
  switch (profile) {
    case H264Profile::Baseline: return LP_H264_PROFILE_BASELINE;
    case H264Profile::Main: return LP_H264_PROFILE_MAIN;
    case H264Profile::High: return LP_H264_PROFILE_HIGH;
    case H264Profile::ConstrainedHigh: return LP_H264_PROFILE_CONSTRAINED_HIGH;
    case H264Profile::Unset: return LP_H264_PROFILE_UNSET;
  }
  return LP_H264_PROFILE_UNSET;
}

std::optional<Gop> parse_gop(const char* text) {
  Gop gop;
  if (!text || !*text) return gop;
  if (g_ascii_strcasecmp(text, "intra") == 0) {
    gop.kind = Gop::Kind::Intra;
    return gop;
  }
  char* end = nullptr;
  double seconds = g_ascii_strtod(text, &end);
  if (end == text || *end != '\0' || !(seconds > 0)) return std::nullopt;
  gop.kind = Gop::Kind::Seconds;
  gop.seconds = seconds;
  return gop;
}

std::string gop_text(const Gop& gop) {
  if (gop.kind == Gop::Kind::Intra) return "intra";
  if (gop.kind == Gop::Kind::Unset) return "";
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_ascii_dtostr(buf, sizeof buf, gop.seconds);
}

Result<Profile> parse_one_profile(std::string_view spec) {
  auto list = parse_profiles(spec);
  if (!list) return list.error();
  if (list->size() != 1) {
    return Error{ErrorCode::InvalidProfile, "profile takes one preset or JSON object, got " +
                                                std::to_string(list->size()) + " (use lpladder for several)"};
  }
  return list->front();
}

}  // namespace lp
