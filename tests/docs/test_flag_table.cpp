// docs/go-livepeer-flags.md against lpnode, so the page cannot call a flag refused that lpnode
// takes, or the reverse. Every row of its three flag tables is checked against the option
// parser lpnode runs (parse_node_options) and its --help (node_usage): the spellings, the
// default, that each spelling is accepted, that each refused flag is refused with the pointer
// to the page, and that no flag is missing from the tables. Blocks of `lpnode ...; echo
// "exit status $?"` examples run through the real lpnode ($LPNODE) and must print what the
// page shows; every other lpnode command of the page must parse. docs/faq.md, likewise.
#include <glib.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "doc_blocks.h"
#include "node_options.h"

namespace {

using lp::test::docs::flags_in;
using lp::test::docs::starts_with;
using lp::test::docs::trim;

constexpr const char* kDoc = "docs/go-livepeer-flags.md";

// One flag as `lpnode --help` lists it: "  --gnu ARG  (go-livepeer: -a, -b)  default X".
struct UsageFlag {
  std::string arg;
  std::set<std::string> go;  // with their dash
  std::string def;
};

std::map<std::string, UsageFlag> usage_flags() {
  std::map<std::string, UsageFlag> out;
  std::istringstream in(lp::node_usage());
  for (std::string line; std::getline(in, line);) {
    if (!starts_with(line, "  --")) continue;
    const size_t name_end = line.find(' ', 2);
    UsageFlag f;
    std::string rest = name_end == std::string::npos ? "" : line.substr(name_end);
    if (const size_t d = rest.find("  default "); d != std::string::npos) {
      f.def = rest.substr(d + 10);
      rest.resize(d);
    }
    if (const size_t g = rest.find("  (go-livepeer: "); g != std::string::npos) {
      std::istringstream names(rest.substr(g + 16, rest.find(')', g) - g - 16));
      for (std::string n; std::getline(names, n, ',');) f.go.insert(trim(n));
      rest.resize(g);
    }
    f.arg = trim(rest);
    out[line.substr(4, name_end == std::string::npos ? std::string::npos : name_end - 4)] = f;
  }
  return out;
}

// A value of the shape --help names, for a dry parse.
std::string sample_value(const std::string& arg) {
  static const std::map<std::string, std::string> kSamples = {{"N", "4"},
                                                              {"N|auto", "4"},
                                                              {"SECONDS", "5"},
                                                              {"BYTES/S", "4096"},
                                                              {"MB", "16"},
                                                              {"WEI", "1000"},
                                                              {"offchain|devenv|arbitrum-one-mainnet", "devenv"},
                                                              {"URL", "http://127.0.0.1:8545"},
                                                              {"JSON|FILE", "{\"gateways\":[]}"},
                                                              {"HOST:PORT", "127.0.0.1:9935"},
                                                              {"[http://]HOST:PORT", "127.0.0.1:9935"},
                                                              {"HOST:PORT[,...]", "127.0.0.1:8935"},
                                                              {"SECRET|FILE", "doc-test-secret"},
                                                              {"PASSWORD|FILE", "doc-test-password"},
                                                              {"PEM", "cert.pem"},
                                                              {"HEX", std::string(64, 'a')},
                                                              {"IDS|all", "0"},
                                                              {"PRESETS|JSON|FILE", "P144p30fps16x9"},
                                                              {"DIR", "lpgst-data"},
                                                              {"PATH", "keystore"},
                                                              {"0xADDRESS", "0x" + std::string(40, '1')},
                                                              {"TEMPLATE", "{source} ! {ladder}"},
                                                              {"auto|lpgst|livepeer", "auto"}};
  const auto it = kSamples.find(arg);
  if (it == kSamples.end()) ADD_FAILURE() << "test_flag_table.cpp has no sample value for " << arg << "; add one";
  return it == kSamples.end() ? "" : it->second;
}

// Whether lpnode's parser takes `spelling` (with a value when it needs one) in some role.
bool accepted(const std::string& spelling, const UsageFlag& flag, std::string* why) {
  const std::vector<std::vector<std::string>> roles = {
      {"-orchestrator"},
      {"-transcoder", "-orchAddr", "127.0.0.1:8935", "-orchSecret", "s"},
      {"-gateway", "-orchAddr", "127.0.0.1:8935"}};
  for (std::vector<std::string> args : roles) {
    args.push_back(spelling);
    if (!flag.arg.empty()) args.push_back(sample_value(flag.arg));
    auto r = lp::parse_node_options(args);
    if (r.ok()) return true;
    *why = r.error().message;
  }
  return false;
}

std::string refused_message(const std::string& flag) {
  return "unknown flag " + flag + " (a go-livepeer flag lpgst does not support; see docs/go-livepeer-flags.md)";
}

const lp::test::docs::Table* find_table(const std::vector<lp::test::docs::Table>& all,
                                        const std::vector<std::string>& header) {
  for (const auto& t : all)
    if (t.header == header) return &t;
  ADD_FAILURE() << kDoc << " has no table headed | " << testing::PrintToString(header);
  return nullptr;
}

// A row's default cell as --help writes it: code spans unquoted.
std::string unquoted(std::string cell) {
  std::erase(cell, '`');
  return cell;
}

// "off"/"on" for an on/off flag, else what --help says.
void expect_default(const std::string& cell, const UsageFlag& flag, const std::string& name) {
  if (flag.arg.empty()) {
    EXPECT_TRUE(cell.empty() || cell == "off" || cell == "on")
        << name << ": an on/off flag, default \"" << cell << "\"";
  } else {
    EXPECT_EQ(unquoted(cell), flag.def) << name << ": the default differs from lpnode --help";
  }
}

TEST(GoLivepeerFlagsMd, EveryRowMatchesLpnode) {
  const std::string path = lp::test::docs::doc_path(kDoc);
  const auto all = lp::test::docs::tables(path);
  ASSERT_FALSE(all.empty()) << "cannot read the tables of " << path;
  const auto flags = usage_flags();
  ASSERT_GT(flags.size(), 30u) << lp::node_usage();
  std::set<std::string> in_tables;

  const auto* mapping = find_table(all, {"go-livepeer", "lpnode", "default", "notes"});
  const auto* own = find_table(all, {"lpnode", "default", "notes"});
  const auto* refused = find_table(all, {"group", "flags"});
  ASSERT_TRUE(mapping && own && refused);

  for (const auto& row : mapping->rows) {
    ASSERT_EQ(row.size(), 4u) << testing::PrintToString(row);
    const auto gnu = flags_in(row[1]);
    ASSERT_EQ(gnu.size(), 1u) << "line " << mapping->line << ": one lpnode flag a row: " << row[1];
    SCOPED_TRACE(gnu[0]);
    const auto it = flags.find(gnu[0].substr(2));
    ASSERT_NE(it, flags.end()) << gnu[0] << " is not an lpnode flag";
    in_tables.insert(it->first);
    const auto go = flags_in(row[0]);
    EXPECT_EQ(std::set<std::string>(go.begin(), go.end()), it->second.go) << "the go-livepeer spellings differ";
    expect_default(row[2], it->second, gnu[0]);
    std::vector<std::string> spellings = {gnu[0]};
    for (const std::string& g : go) spellings.insert(spellings.end(), {g, "-" + g});  // -maxSessions, --maxSessions
    for (const std::string& spelling : spellings) {
      std::string why;
      EXPECT_TRUE(accepted(spelling, it->second, &why)) << spelling << " is refused: " << why;
    }
  }
  for (const auto& row : own->rows) {
    ASSERT_EQ(row.size(), 3u) << testing::PrintToString(row);
    const auto gnu = flags_in(row[0]);
    ASSERT_FALSE(gnu.empty()) << "line " << own->line << ": no flag in " << row[0];
    for (size_t i = 0; i < gnu.size(); ++i) {
      SCOPED_TRACE(gnu[i]);
      const auto it = flags.find(gnu[i].substr(2));
      ASSERT_NE(it, flags.end()) << gnu[i] << " is not an lpnode flag";
      in_tables.insert(it->first);
      EXPECT_TRUE(it->second.go.empty()) << gnu[i] << " has a go-livepeer spelling: it belongs in the mapping";
      if (i == 0) expect_default(row[1], it->second, gnu[i]);  // a shared row states its first flag's
      std::string why;
      EXPECT_TRUE(accepted(gnu[i], it->second, &why)) << gnu[i] << " is refused: " << why;
    }
  }
  for (const auto& [name, flag] : flags) EXPECT_TRUE(in_tables.count(name)) << "--" << name << " is in no table";

  std::set<std::string> documented;
  for (const auto& row : refused->rows) {
    ASSERT_EQ(row.size(), 2u) << testing::PrintToString(row);
    for (const std::string& flag : flags_in(row[1])) {
      documented.insert(flag.substr(1));
      auto r = lp::parse_node_options({"-orchestrator", flag, "x"});
      ASSERT_FALSE(r.ok()) << flag << " is accepted, but the page says it is refused";
      EXPECT_EQ(r.error().message, refused_message(flag));
    }
  }
  const auto code = lp::refused_go_flags();
  EXPECT_EQ(documented, std::set<std::string>(code.begin(), code.end())) << "the refused table and lpnode differ";
}

// `lpnode ARGS; echo "exit status $?"`: ARGS; other commands: the words up to a shell operator.
struct LpnodeCommand {
  std::vector<std::string> args;
  bool shows_exit_status = false;
};

std::optional<LpnodeCommand> lpnode_command(const std::string& command) {
  if (!starts_with(command, "lpnode ")) return std::nullopt;
  LpnodeCommand c;
  const std::string echo = "; echo \"exit status $?\"";
  std::string text = command;
  if (text.size() > echo.size() && text.compare(text.size() - echo.size(), echo.size(), echo) == 0) {
    text.resize(text.size() - echo.size());
    c.shows_exit_status = true;
  }
  for (const std::string& w : lp::test::docs::shell_words(text)) {
    if (w == "&" || w == "&&" || w == "|" || starts_with(w, ">") || starts_with(w, "2>")) break;
    c.args.push_back(w);
  }
  c.args.erase(c.args.begin());  // "lpnode"
  return c;
}

// The real lpnode's output and status, as `lpnode ARGS; echo "exit status $?"` prints them.
std::string run_lpnode(const std::string& lpnode, const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"timeout", "20", lpnode.c_str()};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  gchar *out = nullptr, *err = nullptr;
  gint status = 0;
  GError* error = nullptr;
  if (!g_spawn_sync(nullptr, const_cast<gchar**>(argv.data()), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &out,
                    &err, &status, &error)) {
    std::string message = error->message;
    g_clear_error(&error);
    return "cannot run " + lpnode + ": " + message;
  }
  std::string text = std::string(out ? out : "") + (err ? err : "");
  g_free(out);
  g_free(err);
  return text + "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128) + "\n";
}

// A block of nothing but `lpnode ...; echo "exit status $?"` lines runs through the real
// lpnode and must print its console block; any other lpnode command must parse.
void check_commands(const std::string& doc) {
  const std::string path = lp::test::docs::doc_path(doc);
  const auto blocks = lp::test::docs::fenced_blocks(path);
  ASSERT_TRUE(blocks) << "cannot read " << path;
  const char* lpnode = g_getenv("LPNODE");
  int commands = 0;
  for (size_t b = 0; b < blocks->size(); ++b) {
    if ((*blocks)[b].info != "sh") continue;
    const std::string where = doc + ":" + std::to_string((*blocks)[b].line);
    const auto texts = lp::test::docs::join_commands((*blocks)[b].lines);
    std::vector<LpnodeCommand> found;
    bool only_mistakes = !texts.empty();
    for (const std::string& text : texts) {
      std::optional<LpnodeCommand> c;
      ASSERT_NO_THROW(c = lpnode_command(text)) << where << ": " << text;
      only_mistakes = only_mistakes && c && c->shows_exit_status;
      if (c) found.push_back(*c);
    }
    commands += static_cast<int>(found.size());
    if (!only_mistakes) {
      for (const LpnodeCommand& c : found) {
        auto r = lp::parse_node_options(c.args);
        EXPECT_TRUE(r.ok()) << where << ": lpnode " << testing::PrintToString(c.args) << ": "
                            << (r.ok() ? "" : r.error().message);
      }
      continue;
    }
    ASSERT_TRUE(lpnode && *lpnode) << "set LPNODE to the lpnode binary (meson test does)";
    std::string expected, actual;
    for (const LpnodeCommand& c : found) actual += run_lpnode(lpnode, c.args);
    ASSERT_LT(b + 1, blocks->size()) << where;
    ASSERT_EQ((*blocks)[b + 1].info, "console") << where << ": the output follows the commands";
    for (const std::string& line : (*blocks)[b + 1].lines) expected += line + "\n";
    EXPECT_EQ(actual, expected) << where << ": lpnode prints something else";
  }
  EXPECT_GT(commands, 0) << doc << " has no lpnode command in a ```sh block";
}

TEST(GoLivepeerFlagsMd, CommandsParseAndMistakesPrintWhatThePageShows) { check_commands(kDoc); }

TEST(FaqMd, LpnodeCommandsParseAndMistakesPrintWhatThePageShows) { check_commands("docs/faq.md"); }

}  // namespace
