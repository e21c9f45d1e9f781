#include "gpu_list.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace lp {

namespace {

// Why nvcodec can list no GPU at all; said wherever "none present" is the answer.
constexpr const char* kNoGpuWhy =
    "GStreamer's nvcodec plugin registered no decoder: no driver, or a registry cache written "
    "before the driver was installed — see docs/gpu.md";

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string join_ids(const std::vector<int>& ids) {
  std::string out;
  for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

std::vector<int> sorted_unique(std::vector<int> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Error bad_list(std::string_view value) {
  return Error{ErrorCode::BadRequest,
               "--nvidia: '" + std::string(value) + "' is not a GPU list (give ids like 0,2 or all)"};
}

}  // namespace

Result<std::vector<int>> resolve_gpu_list(std::string_view value, const std::vector<int>& present_ids) {
  const std::vector<int> present = sorted_unique(present_ids);
  value = trim(value);
  if (value == "all") {
    if (present.empty())
      return Error{ErrorCode::NotFound, std::string("--nvidia all: no NVIDIA GPU found (") + kNoGpuWhy + ")"};
    return present;
  }
  if (value.empty()) return bad_list(value);

  std::vector<int> wanted;
  for (std::string_view rest = value;;) {
    const size_t comma = rest.find(',');
    const std::string_view token = trim(rest.substr(0, comma));
    int id = -1;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), id);
    if (token.empty() || ec != std::errc() || end != token.data() + token.size() || id < 0) return bad_list(value);
    wanted.push_back(id);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  wanted = sorted_unique(std::move(wanted));

  std::vector<int> missing;
  for (int id : wanted)
    if (!std::binary_search(present.begin(), present.end(), id)) missing.push_back(id);
  if (missing.empty()) return wanted;
  const std::string what = missing.size() == 1 ? "GPU " + join_ids(missing) : "GPUs " + join_ids(missing);
  const std::string there = present.empty() ? std::string("none; ") + kNoGpuWhy : join_ids(present);
  return Error{ErrorCode::NotFound, "--nvidia: " + what + " not found (present: " + there + ")"};
}

}  // namespace lp
