// Placeholder: being written (job pipeline builder, allowlist, runner).
#include "job_pipeline.h"

namespace lp {

std::optional<Error> check_pipeline_template(std::string_view) { return std::nullopt; }

Result<std::string> build_job_pipeline(std::string_view, std::string_view, const std::vector<Profile>&,
                                       const TranscodeOptions&) {
  return Error{ErrorCode::Internal, "not written yet"};
}

std::optional<Error> check_job_pipeline(std::string_view, std::string_view) {
  return Error{ErrorCode::Internal, "not written yet"};
}

Result<std::vector<Rendition>> run_job_pipeline(std::string_view, size_t, const RunJobOptions&) {
  return Error{ErrorCode::Internal, "not written yet"};
}

}  // namespace lp
