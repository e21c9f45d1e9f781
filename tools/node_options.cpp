// Placeholder: being written.
#include "node_options.h"

namespace lp {
Result<NodeOptions> parse_node_options(const std::vector<std::string>&) {
  return Error{ErrorCode::Internal, "not written yet"};
}
std::string node_usage() { return ""; }
}  // namespace lp
