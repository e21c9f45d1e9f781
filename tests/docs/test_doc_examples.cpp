// Runs every gst-launch example of docs/elements.md, so the documentation cannot drift from
// the elements. An example is a fenced block marked ```sh holding one `gst-launch-1.0`
// command (lines may continue with a trailing backslash); ```sh-skip blocks are not run.
// Each example runs in a fresh directory holding in.ts, in.mp4 and in.mkv (2 s of 640x360
// H.264 + AAC), must reach EOS, and every file it writes (location= on a *sink element) must
// be non-empty media with video.
//
// The repository root comes from the environment variable LP_SOURCE_DIR, else from the
// compile-time macro LP_SOURCE_DIR. test_flag_table.cpp, in the same test, checks
// docs/go-livepeer-flags.md against lpnode's option parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "doc_blocks.h"
#include "media.h"

namespace {

using lp::test::docs::shell_words;
using lp::test::docs::starts_with;
using lp::test::docs::trim;

namespace fs = std::filesystem;

constexpr const char* kDoc = "docs/elements.md";
constexpr const char* kInputs[] = {"in.ts", "in.mp4", "in.mkv"};
constexpr double kTimeoutSeconds = 120;

struct Example {
  int line = 0;         // 1-based line of the opening fence
  std::string command;  // continuation lines joined, as written in the doc
  std::string problem;  // non-empty when the block is malformed
};

// How gtest shows a parameter in failure messages.
void PrintTo(const Example& e, std::ostream* os) { *os << "line " << e.line << ": " << e.command; }

std::string doc_path() { return lp::test::docs::doc_path(kDoc); }

struct ParsedDoc {
  bool read = false;
  std::vector<Example> examples;       // ```sh blocks
  std::vector<int> launch_outside_sh;  // lines of gst-launch-1.0 in other fenced blocks
};

// Keeps the ```sh blocks as examples, each expected to hold one gst-launch-1.0 command.
ParsedDoc parse_doc(const std::string& path) {
  ParsedDoc doc;
  const auto blocks = lp::test::docs::fenced_blocks(path);
  if (!blocks) return doc;
  doc.read = true;
  for (const auto& block : *blocks) {
    Example current;
    current.line = block.line;
    if (!block.terminated) {
      current.problem = "unterminated fenced block";
      doc.examples.push_back(current);
      continue;
    }
    if (block.info != "sh") {
      for (size_t i = 0; i < block.lines.size(); ++i) {
        if (block.info != "sh-skip" && starts_with(trim(block.lines[i]), "gst-launch-1.0"))
          doc.launch_outside_sh.push_back(block.line + 1 + static_cast<int>(i));
      }
      continue;
    }
    const std::vector<std::string> commands = lp::test::docs::join_commands(block.lines);
    if (commands.size() != 1) {
      current.problem = "expected one command per ```sh block, found " + std::to_string(commands.size());
    } else if (!starts_with(commands[0], "gst-launch-1.0 ")) {
      current.problem = "a ```sh block must hold a gst-launch-1.0 command: " + commands[0];
    }
    if (!commands.empty()) current.command = commands[0];
    doc.examples.push_back(current);
  }
  return doc;
}

const ParsedDoc& parsed_doc() {
  static const ParsedDoc doc = parse_doc(doc_path());
  return doc;
}

// gst-launch's own argument escaping (gst_parse_launchv): a space outside double quotes
// is escaped so that the argument stays one token for gst_parse_launch.
std::string escape_argument(const std::string& arg) {
  std::string out;
  bool in_quotes = false;
  for (size_t i = 0; i < arg.size(); ++i) {
    const char c = arg[i];
    if (c == '"' && (!in_quotes || arg[i - 1] != '\\')) in_quotes = !in_quotes;
    if (c == ' ' && !in_quotes) out += '\\';
    out += c;
  }
  return out;
}

// What gst-launch does with its argv (after the shell's word splitting): skip the program
// name and its options, escape and join the rest.
std::string launch_description(const std::vector<std::string>& words) {
  size_t i = 1;                                                // words[0] is gst-launch-1.0
  while (i < words.size() && starts_with(words[i], "-")) ++i;  // -q, -m, -v, -e ...
  std::string description;
  for (; i < words.size(); ++i) description += (description.empty() ? "" : " ") + escape_argument(words[i]);
  return description;
}

struct FileUse {
  std::string element;  // the element factory the location= belongs to
  std::string location;
};

// Every location=... with the element it is set on (the last element word before it).
std::vector<FileUse> file_uses(const std::vector<std::string>& words) {
  std::vector<FileUse> uses;
  std::string element;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.empty() || w == "!" || starts_with(w, "-")) continue;
    const auto eq = w.find('=');
    if (eq == std::string::npos) {
      if (w.find('.') == std::string::npos && w.find('/') == std::string::npos) element = w;
      continue;
    }
    if (w.substr(0, eq) == "location") uses.push_back({element, w.substr(eq + 1)});
  }
  return uses;
}

bool is_sink(const std::string& element) {
  return element.size() >= 4 && element.compare(element.size() - 4, 4, "sink") == 0;
}

// Changes the working directory for its lifetime.
class ChangeDir {
 public:
  explicit ChangeDir(const std::string& dir) : previous_(fs::current_path()) { fs::current_path(dir); }
  ~ChangeDir() {
    std::error_code ec;
    fs::current_path(previous_, ec);
  }
  ChangeDir(const ChangeDir&) = delete;
  ChangeDir& operator=(const ChangeDir&) = delete;

 private:
  fs::path previous_;
};

class DocExample : public testing::TestWithParam<Example> {
 protected:
  // The inputs are encoded once for all examples.
  static void SetUpTestSuite() {
    inputs_ = new lp::test::TempDir();
    lp::test::MediaSpec spec;
    spec.width = 640;
    spec.height = 360;
    spec.seconds = 2.0;
    spec.audio_codec = "aac";
    try {
      spec.container = "mpegts";
      lp::test::make_media(spec, inputs_->file("in.ts"));
      spec.container = "mp4";
      lp::test::make_media(spec, inputs_->file("in.mp4"));
      spec.container = "matroska";
      lp::test::make_media(spec, inputs_->file("in.mkv"));
    } catch (const std::exception& e) {
      setup_error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete inputs_;
    inputs_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  static lp::test::TempDir* inputs_;
  static std::string* setup_error_;
};

lp::test::TempDir* DocExample::inputs_ = nullptr;
std::string* DocExample::setup_error_ = nullptr;

TEST_P(DocExample, ReachesEosAndWritesVideo) {
  const Example& example = GetParam();
  SCOPED_TRACE(std::string(kDoc) + ":" + std::to_string(example.line) + ": " + example.command);
  ASSERT_TRUE(example.problem.empty()) << example.problem;
  ASSERT_EQ(setup_error_, nullptr) << "could not make the input media: " << *setup_error_;

  std::vector<std::string> words;
  ASSERT_NO_THROW(words = shell_words(example.command));
  const std::vector<FileUse> uses = file_uses(words);
  std::vector<std::string> outputs;
  for (const FileUse& use : uses) {
    if (is_sink(use.element)) {
      EXPECT_EQ(use.location.find('/'), std::string::npos)
          << use.element << " must write into the current directory: " << use.location;
      outputs.push_back(use.location);
    } else {
      bool known = false;
      for (const char* input : kInputs) known = known || use.location == input;
      EXPECT_TRUE(known) << use.element << " reads " << use.location
                         << "; examples may only read in.ts, in.mp4 or in.mkv";
    }
  }
  ASSERT_FALSE(outputs.empty()) << "the example writes no file (no location= on a sink)";
  if (HasFailure()) return;

  // A directory of its own, with copies of the inputs, so examples cannot see each other's
  // outputs.
  lp::test::TempDir dir;
  for (const char* input : kInputs) fs::copy_file(inputs_->file(input), dir.file(input));

  const std::string description = launch_description(words);
  std::optional<std::string> error;
  {
    ChangeDir cd(dir.path());
    error = lp::test::run_launch(description, kTimeoutSeconds);
  }
  ASSERT_FALSE(error.has_value()) << "did not reach EOS: " << *error << "\n[" << description << "]";

  for (const std::string& output : outputs) {
    SCOPED_TRACE("output " + output);
    const std::string path = dir.file(output);
    ASSERT_TRUE(fs::exists(path)) << "not written";
    EXPECT_GT(fs::file_size(path), 0u) << "empty";
    lp::test::MediaInfo info;
    ASSERT_NO_THROW(info = lp::test::inspect_media(path));
    EXPECT_TRUE(info.has_video) << "no video in " << info.container;
    EXPECT_GT(info.frames, 0);
  }
}

std::string example_name(const testing::TestParamInfo<Example>& info) {
  return "line" + std::to_string(info.param.line);
}

INSTANTIATE_TEST_SUITE_P(ElementsMd, DocExample, testing::ValuesIn(parsed_doc().examples), example_name);

// The suite above is empty if the doc cannot be read or has lost its examples: fail then.
TEST(DocExamples, ElementsMdHasExamples) {
  const std::string path = doc_path();
  ASSERT_FALSE(path.empty()) << "set LP_SOURCE_DIR (environment or -D) to the repository root";
  ASSERT_TRUE(parsed_doc().read) << "cannot read " << path;
  EXPECT_GE(parsed_doc().examples.size(), 5u) << path << " has too few ```sh examples";
}

// The issue's own example must stay in the doc, word for word.
TEST(DocExamples, ElementsMdKeepsTheIssueExample) {
  const std::string issue =
      "gst-launch-1.0 lpsegmentsrc location=in.ts ! lpladder name=l profiles=P720p30fps16x9,P360p30fps16x9 "
      "l.src_0 ! filesink location=720.ts l.src_1 ! filesink location=360.ts";
  bool found = false;
  for (const Example& e : parsed_doc().examples) found = found || e.command == issue;
  EXPECT_TRUE(found) << "docs/elements.md lost the example: " << issue;
}

// Every gst-launch example is in a ```sh (run) or ```sh-skip (not run) block.
TEST(DocExamples, GstLaunchOnlyInShBlocks) {
  for (int line : parsed_doc().launch_outside_sh)
    ADD_FAILURE() << kDoc << ":" << line << ": gst-launch-1.0 outside a ```sh or ```sh-skip block";
}

}  // namespace
