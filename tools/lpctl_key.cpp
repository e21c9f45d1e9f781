// lpctl key: create, list and open Web3 Secret Storage keystores; sign and verify EIP-191
// personal_sign messages (what an operator pastes into a profile site to claim a node).
#include "lpctl_key.h"

#include <glib.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "eth_key.h"
#include "hex.h"
#include "keystore_dir.h"

namespace {

constexpr const char* kUsage =
    "usage: lpctl key new --keystore-dir DIR --password-file FILE [--light-kdf]\n"
    "       lpctl key import --private-key-file FILE --keystore-dir DIR --password-file FILE [--light-kdf]\n"
    "       lpctl key list --keystore-dir DIR\n"
    "       lpctl key show --keystore FILE|DIR --password-file FILE\n"
    "       lpctl key sign-message [--hex] MESSAGE --keystore FILE|DIR --password-file FILE\n"
    "       lpctl key verify-message [--hex] MESSAGE SIGNATURE ADDRESS\n";

// Every option of every subcommand; each subcommand accepts the ones it names.
struct Args {
  char* keystore_dir = nullptr;
  char* keystore = nullptr;
  char* password_file = nullptr;
  char* private_key_file = nullptr;
  gboolean light_kdf = FALSE;
  gboolean hex = FALSE;
  std::vector<std::string> positional;

  Args() = default;
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;
  ~Args() {
    g_free(keystore_dir);
    g_free(keystore);
    g_free(password_file);
    g_free(private_key_file);
  }
};

int usage_error(const std::string& cmd, const std::string& why) {
  std::fprintf(stderr, "lpctl key %s: %s\n%s", cmd.c_str(), why.c_str(), kUsage);
  return 2;
}

int failure(const std::string& cmd, const std::string& why) {
  std::fprintf(stderr, "lpctl key %s: %s\n", cmd.c_str(), why.c_str());
  return 1;
}

// Parses the options named in `allowed` and checks that `required` ones and exactly
// `positional` arguments are there. Returns an error text for usage_error, empty when fine.
std::string parse_args(int argc, char** argv, Args& args, std::initializer_list<const char*> allowed,
                       std::initializer_list<const char*> required, size_t positional, const char* positional_help) {
  const GOptionEntry all[] = {
      {"keystore-dir", 0, 0, G_OPTION_ARG_FILENAME, &args.keystore_dir, "Directory of keystore files", "DIR"},
      {"keystore", 0, 0, G_OPTION_ARG_FILENAME, &args.keystore, "Keystore file, or a directory holding exactly one",
       "FILE|DIR"},
      {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &args.password_file, "File whose first line is the password",
       "FILE"},
      {"private-key-file", 0, 0, G_OPTION_ARG_FILENAME, &args.private_key_file,
       "File holding the private key to import: 64 hex digits (0x optional)", "FILE"},
      {"light-kdf", 0, 0, G_OPTION_ARG_NONE, &args.light_kdf,
       "Cheaper scrypt (n=4096, p=6, as geth --lightkdf): weaker, for tests", nullptr},
      {"hex", 0, 0, G_OPTION_ARG_NONE, &args.hex, "MESSAGE is hex (0x optional): sign or verify those bytes", nullptr},
  };
  std::vector<GOptionEntry> entries;
  for (const auto& e : all)
    for (const char* name : allowed)
      if (std::string(name) == e.long_name) entries.push_back(e);
  entries.push_back({nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr});

  g_autoptr(GOptionContext) ctx = g_option_context_new(positional_help);
  g_option_context_add_main_entries(ctx, entries.data(), nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return err->message;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "--") args.positional.push_back(argv[i]);
  }
  // Only string options are ever required.
  for (const char* name : required) {
    for (const auto& e : all) {
      if (std::string(name) == e.long_name && *static_cast<char**>(e.arg_data) == nullptr)
        return std::string("--") + name + " is required";
    }
  }
  if (args.positional.size() != positional) {
    return "expected " + std::to_string(positional) + " argument(s) (" + positional_help + "), got " +
           std::to_string(args.positional.size());
  }
  return "";
}

// The key in --keystore, opened with the password in --password-file.
lp::Result<lp::eth::PrivateKey> open_key(const Args& args) {
  auto path = lp::eth::resolve_keystore(args.keystore);
  if (!path) return path.error();
  auto password = lp::eth::read_password_file(args.password_file);
  if (!password) return password.error();
  return lp::eth::load_keystore_file(*path, password->get());
}

// MESSAGE as bytes: its text, or with --hex the bytes it spells.
lp::Result<lp::eth::Bytes> message_bytes(const Args& args) {
  const std::string& m = args.positional.front();
  if (args.hex) return lp::eth::from_hex(m, "MESSAGE", lp::ErrorCode::BadSignature);
  return lp::eth::Bytes(m.begin(), m.end());
}

int cmd_new(int argc, char** argv) {
  Args args;
  auto bad = parse_args(argc, argv, args, {"keystore-dir", "password-file", "light-kdf"},
                        {"keystore-dir", "password-file"}, 0, "");
  if (!bad.empty()) return usage_error("new", bad);
  auto password = lp::eth::read_password_file(args.password_file);
  if (!password) return failure("new", password.error().message);
  auto key = lp::eth::PrivateKey::generate();
  if (!key) return failure("new", key.error().message);
  auto path = lp::eth::write_keystore_file(args.keystore_dir, *key, password->get(),
                                           args.light_kdf ? lp::eth::kScryptLight : lp::eth::kScryptStandard);
  if (!path) return failure("new", path.error().message);
  std::printf("%s\n", key->address().checksummed().c_str());
  std::fprintf(stderr, "lpctl key new: wrote %s (back it up; keep the password elsewhere)\n", path->c_str());
  return 0;
}

// An existing private key (a file, never the command line: argv is visible to other users) into
// a new keystore file, as geth's `account import` does.
int cmd_import(int argc, char** argv) {
  Args args;
  auto bad = parse_args(argc, argv, args, {"private-key-file", "keystore-dir", "password-file", "light-kdf"},
                        {"private-key-file", "keystore-dir", "password-file"}, 0, "");
  if (!bad.empty()) return usage_error("import", bad);
  auto password = lp::eth::read_password_file(args.password_file);
  if (!password) return failure("import", password.error().message);
  g_autofree char* text = nullptr;
  gsize size = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_file_get_contents(args.private_key_file, &text, &size, &error))
    return failure("import", std::string("--private-key-file: ") + error->message);
  std::string hex(text, size);
  while (!hex.empty() && g_ascii_isspace(hex.back())) hex.pop_back();
  auto key = lp::eth::PrivateKey::from_hex(hex);
  std::fill(hex.begin(), hex.end(), '\0');
  if (text) std::fill(text, text + size, '\0');
  if (!key) return failure("import", "--private-key-file: " + key.error().message);
  auto path = lp::eth::write_keystore_file(args.keystore_dir, *key, password->get(),
                                           args.light_kdf ? lp::eth::kScryptLight : lp::eth::kScryptStandard);
  if (!path) return failure("import", path.error().message);
  std::printf("%s\n", key->address().checksummed().c_str());
  std::fprintf(stderr, "lpctl key import: wrote %s\n", path->c_str());
  return 0;
}

int cmd_list(int argc, char** argv) {
  Args args;
  auto bad = parse_args(argc, argv, args, {"keystore-dir"}, {"keystore-dir"}, 0, "");
  if (!bad.empty()) return usage_error("list", bad);
  auto files = lp::eth::list_keystore_files(args.keystore_dir);
  if (!files) return failure("list", files.error().message);
  for (const auto& f : *files) {
    if (f.address)
      std::printf("%s  %s\n", f.address->checksummed().c_str(), f.path.c_str());
    else
      std::fprintf(stderr, "lpctl key list: skipping %s: %s\n", f.path.c_str(), f.address.error().message.c_str());
  }
  return 0;
}

int cmd_show(int argc, char** argv) {
  Args args;
  auto bad = parse_args(argc, argv, args, {"keystore", "password-file"}, {"keystore", "password-file"}, 0, "");
  if (!bad.empty()) return usage_error("show", bad);
  auto key = open_key(args);
  if (!key) return failure("show", key.error().message);
  std::printf("%s\n", key->address().checksummed().c_str());
  return 0;
}

int cmd_sign_message(int argc, char** argv) {
  Args args;
  auto bad =
      parse_args(argc, argv, args, {"keystore", "password-file", "hex"}, {"keystore", "password-file"}, 1, "MESSAGE");
  if (!bad.empty()) return usage_error("sign-message", bad);
  auto message = message_bytes(args);
  if (!message) return usage_error("sign-message", message.error().message);
  auto key = open_key(args);
  if (!key) return failure("sign-message", key.error().message);
  std::printf("%s\n", lp::eth::personal_sign(*key, *message).hex().c_str());
  return 0;
}

int cmd_verify_message(int argc, char** argv) {
  Args args;
  auto bad = parse_args(argc, argv, args, {"hex"}, {}, 3, "MESSAGE SIGNATURE ADDRESS");
  if (!bad.empty()) return usage_error("verify-message", bad);
  auto message = message_bytes(args);
  if (!message) return usage_error("verify-message", message.error().message);
  auto sig = lp::eth::Signature::parse(args.positional[1]);
  if (!sig) return failure("verify-message", "invalid: " + sig.error().message);
  auto address = lp::eth::parse_address(args.positional[2]);
  if (!address) return failure("verify-message", "invalid: " + address.error().message);
  auto signer = lp::eth::verify_personal(*message, *sig, *address);
  if (!signer) return failure("verify-message", "invalid: " + signer.error().message);
  std::printf("valid\n");
  return 0;
}

}  // namespace

int lpctl_key_main(int argc, char** argv) {
  if (argc < 2) return usage_error("", "missing subcommand");
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "new") return cmd_new(argc - 1, argv + 1);
  if (cmd == "import") return cmd_import(argc - 1, argv + 1);
  if (cmd == "list") return cmd_list(argc - 1, argv + 1);
  if (cmd == "show") return cmd_show(argc - 1, argv + 1);
  if (cmd == "sign-message") return cmd_sign_message(argc - 1, argv + 1);
  if (cmd == "verify-message") return cmd_verify_message(argc - 1, argv + 1);
  return usage_error(cmd, "unknown subcommand");
}
