// The operator's status page (GET / on --cli-addr): one self-contained HTML document that
// polls /status and renders it, so an operator needs nothing but a browser.
#pragma once

#include <string>

namespace lp {

const std::string& dashboard_html();

}  // namespace lp
