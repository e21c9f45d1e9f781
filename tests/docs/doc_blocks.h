// Reading the repository's markdown for the doc tests: fenced blocks, shell commands in them
// (continuation lines joined) and tables.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lp::test::docs {

// The repository root: $LP_SOURCE_DIR, else the compile-time LP_SOURCE_DIR; "" when neither.
std::string source_dir();
// `relative` under source_dir(), or "" when that is unknown.
std::string doc_path(const std::string& relative);

std::string trim(const std::string& s);
bool starts_with(const std::string& s, const std::string& prefix);

struct FencedBlock {
  int line = 0;      // 1-based line of the opening fence
  std::string info;  // what follows the fence: "sh", "console", ...
  std::vector<std::string> lines;
  bool terminated = true;
};
// Every fenced block of the file; nullopt when it cannot be read.
std::optional<std::vector<FencedBlock>> fenced_blocks(const std::string& path);

// The commands of a block: lines ending in a backslash joined to the next, blank lines dropped.
std::vector<std::string> join_commands(const std::vector<std::string>& lines);

// The shell's word splitting and quote removal (g_shell_parse_argv); throws on bad quoting.
std::vector<std::string> shell_words(const std::string& command);

// A markdown table: its header cells and rows of cells (backslash-escaped pipes kept as '|').
struct Table {
  int line = 0;  // 1-based line of the header
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
std::vector<Table> tables(const std::string& path);

// The `code spans` of a cell that start with '-', e.g. "`-gateway`, `-broadcaster`".
std::vector<std::string> flags_in(const std::string& cell);

}  // namespace lp::test::docs
