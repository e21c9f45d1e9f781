#include "doc_blocks.h"

#include <glib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace lp::test::docs {

std::string source_dir() {
  if (const char* env = g_getenv("LP_SOURCE_DIR"); env && *env) return env;
#ifdef LP_SOURCE_DIR
  return LP_SOURCE_DIR;
#else
  return {};
#endif
}

std::string doc_path(const std::string& relative) {
  const std::string dir = source_dir();
  return dir.empty() ? std::string() : (std::filesystem::path(dir) / relative).string();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::optional<std::vector<FencedBlock>> fenced_blocks(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::vector<FencedBlock> blocks;
  bool open = false;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string t = trim(line);
    if (!open && starts_with(t, "```")) {
      blocks.push_back(FencedBlock{number, trim(t.substr(3)), {}, false});
      open = true;
    } else if (open && t == "```") {
      blocks.back().terminated = true;
      open = false;
    } else if (open) {
      blocks.back().lines.push_back(line);
    }
  }
  return blocks;
}

std::vector<std::string> join_commands(const std::vector<std::string>& lines) {
  std::vector<std::string> commands;
  std::string joined;
  for (const std::string& l : lines) {
    std::string piece = trim(l);
    const bool continues = !piece.empty() && piece.back() == '\\';
    if (continues) piece = trim(piece.substr(0, piece.size() - 1));
    if (!piece.empty()) joined += (joined.empty() ? "" : " ") + piece;
    if (!continues && !joined.empty()) {
      commands.push_back(joined);
      joined.clear();
    }
  }
  if (!joined.empty()) commands.push_back(joined);
  return commands;
}

std::vector<std::string> shell_words(const std::string& command) {
  gint argc = 0;
  gchar** argv = nullptr;
  GError* error = nullptr;
  if (!g_shell_parse_argv(command.c_str(), &argc, &argv, &error)) {
    std::string message = error ? error->message : "unknown error";
    g_clear_error(&error);
    throw std::runtime_error("cannot split the command like a shell: " + message);
  }
  std::vector<std::string> words(argv, argv + argc);
  g_strfreev(argv);
  return words;
}

namespace {

// "| a | b \| c |" -> {"a", "b | c"}.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cell;
  for (size_t i = 1; i < row.size(); ++i) {  // row[0] is the leading '|'
    if (row[i] == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (row[i] == '|') {
      out.push_back(trim(cell));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return out;
}

bool separator(const std::string& row) {
  return row.find("---") != std::string::npos && row.find_first_not_of("|-: ") == std::string::npos;
}

}  // namespace

std::vector<Table> tables(const std::string& path) {
  std::vector<Table> out;
  std::ifstream in(path);
  std::string line, previous;
  bool in_table = false, fenced = false;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string t = trim(line);
    if (starts_with(t, "```")) fenced = !fenced;
    if (fenced || !starts_with(t, "|")) {
      in_table = false;
    } else if (separator(t) && starts_with(trim(previous), "|") && !in_table) {
      out.push_back(Table{number - 1, cells(trim(previous)), {}});
      in_table = true;
    } else if (in_table) {
      out.back().rows.push_back(cells(t));
    }
    previous = line;
  }
  return out;
}

std::vector<std::string> flags_in(const std::string& cell) {
  std::vector<std::string> out;
  for (size_t open = cell.find('`'); open != std::string::npos; open = cell.find('`', open + 1)) {
    const size_t close = cell.find('`', open + 1);
    if (close == std::string::npos) break;
    const std::string span = cell.substr(open + 1, close - open - 1);
    if (starts_with(span, "-")) out.push_back(span);
    open = close;
  }
  return out;
}

}  // namespace lp::test::docs
