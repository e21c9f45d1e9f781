// Rendition profiles: go-livepeer's presets and its -transcodingOptions JSON, parsed with
// json-glib. Every field error names the field first so users can find it in their file.
#include "profile.h"

#include "json_text.h"
#include "profile_object.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>

namespace lp {
namespace {

using profile_json::iequals;
using profile_json::invalid;
using profile_json::node_text;
using profile_json::trim;

Profile preset(const char* name, int width, int height, int kbps, int fps) {
  Profile p;
  p.name = name;
  p.width = width;
  p.height = height;
  p.bitrate = kbps * 1000;
  p.fps = fps;
  return p;
}

// The error for an escaped NUL at `path` (json_nul_escape_path), `prefix` before array paths.
Error nul_error(const std::string& path, const std::string& array_name) {
  const std::string field = path.empty() ? "profile" : (path.front() == '[' ? array_name + path : path);
  return invalid(field + ": contains a NUL character (\\u0000), which no field may hold");
}

// Parses JSON text; the caller owns the parser, which owns the returned root.
Result<JsonNode*> load_json(JsonParser* parser, std::string_view text) {
  if (auto why = json_text_problem(text)) return invalid("invalid JSON: " + *why);
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, text.data(), static_cast<gssize>(text.size()), &error)) {
    return invalid(std::string("invalid JSON: ") + error->message);
  }
  JsonNode* root = json_parser_get_root(parser);
  if (root == nullptr) return invalid("no profiles given");
  return root;
}

// A JSON array of profile objects, or one object. `where` prefixes messages (a file path).
Result<std::vector<Profile>> parse_json_list(std::string_view text, const std::string& where) {
  const auto fail = [&where](Error e) {
    if (!where.empty()) e.message = where + ": " + e.message;
    return e;
  };
  if (auto at = json_nul_escape_path(text)) return fail(nul_error(*at, "profiles"));
  g_autoptr(JsonParser) parser = json_parser_new();
  auto root = load_json(parser, text);
  if (!root) return fail(root.error());

  std::vector<Profile> profiles;
  if (JSON_NODE_HOLDS_OBJECT(*root)) {
    auto p = profile_json::read_object(json_node_get_object(*root), "");
    if (!p) return fail(p.error());
    profiles.push_back(std::move(*p));
    return profiles;
  }
  if (!JSON_NODE_HOLDS_ARRAY(*root)) {
    return fail(invalid("expected a JSON array of profile objects, got " + node_text(*root)));
  }
  JsonArray* array = json_node_get_array(*root);
  const guint n = json_array_get_length(array);
  for (guint i = 0; i < n; ++i) {
    const std::string prefix = "profiles[" + std::to_string(i) + "]";
    JsonNode* element = json_array_get_element(array, i);
    if (!JSON_NODE_HOLDS_OBJECT(element)) {
      return fail(invalid(prefix + ": expected a JSON object, got " + node_text(element)));
    }
    auto p = profile_json::read_object(json_node_get_object(element), prefix + ".");
    if (!p) return fail(p.error());
    profiles.push_back(std::move(*p));
  }
  if (profiles.empty()) return fail(invalid("no profiles given"));
  return profiles;
}

std::string known_presets() {
  std::string out;
  for (const auto& p : preset_profiles()) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

Result<std::vector<Profile>> parse_preset_list(std::string_view list) {
  std::vector<Profile> profiles;
  while (true) {
    const auto comma = list.find(',');
    // Empty items (a trailing comma, ",,") are skipped rather than treated as names.
    if (const std::string_view name = trim(list.substr(0, comma)); !name.empty()) {
      auto p = find_preset(name);
      if (!p) {
        return Error{ErrorCode::UnknownProfile,
                     "unknown profile preset \"" + std::string(name) + "\" (known: " + known_presets() + ")"};
      }
      profiles.push_back(std::move(*p));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (profiles.empty()) return invalid("no profiles given");
  return profiles;
}

// Preset names never contain these, so such a spec was meant as a file that is not there.
bool looks_like_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || (s.size() > 5 && iequals(s.substr(s.size() - 5), ".json"));
}

// Seconds as a short decimal that reads back exactly, always with a '.', like go-livepeer's
// "2.0".
std::string format_seconds(double seconds) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, seconds);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

const std::vector<Profile>& preset_profiles() {
  // lpms ffmpeg/videoprofile.go, in its order. lpms has no 1080p presets.
  static const std::vector<Profile> presets = {
      preset("P720p60fps16x9", 1280, 720, 6000, 60), preset("P720p30fps16x9", 1280, 720, 4000, 30),
      preset("P720p25fps16x9", 1280, 720, 3500, 25), preset("P720p30fps4x3", 960, 720, 3500, 30),
      preset("P576p30fps16x9", 1024, 576, 1500, 30), preset("P576p25fps16x9", 1024, 576, 1500, 25),
      preset("P360p30fps16x9", 640, 360, 1200, 30),  preset("P360p25fps16x9", 640, 360, 1000, 25),
      preset("P360p30fps4x3", 480, 360, 1000, 30),   preset("P240p30fps16x9", 426, 240, 600, 30),
      preset("P240p25fps16x9", 426, 240, 600, 25),   preset("P240p30fps4x3", 320, 240, 600, 30),
      preset("P144p30fps16x9", 256, 144, 400, 30),   preset("P144p25fps16x9", 256, 144, 400, 25),
  };
  return presets;
}

std::optional<Profile> find_preset(std::string_view name) {
  const auto& presets = preset_profiles();
  for (const auto& p : presets) {
    if (p.name == name) return p;
  }
  // Case-insensitive fallback: names differ only by case, so this is never ambiguous.
  for (const auto& p : presets) {
    if (iequals(p.name, name)) return p;
  }
  return std::nullopt;
}

// gst-launch-1.0 hands a single-quoted property value over still wrapped in double quotes
// with its inner quotes escaped ("{\"name\":...}"): unwrap such a JSON string literal.
// gst_parse_launch() itself keeps single quotes: '{"name":...}' arrives quotes and all.
std::optional<std::string> unquote_launch_value(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') return std::string(s.substr(1, s.size() - 2));
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  if (json_text_problem(s)) return std::nullopt;  // load_json names the problem
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, s.data(), static_cast<gssize>(s.size()), nullptr)) return std::nullopt;
  JsonNode* root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_VALUE(root) || json_node_get_value_type(root) != G_TYPE_STRING) return std::nullopt;
  return std::string(json_node_get_string(root));
}

Result<Profile> parse_profile_json(std::string_view json_object) {
  if (auto unquoted = unquote_launch_value(json_object)) return parse_profile_json(*unquoted);
  if (trim(json_object).empty()) return invalid("expected a JSON object, got nothing");
  if (auto at = json_nul_escape_path(json_object)) return nul_error(*at, "profile");
  g_autoptr(JsonParser) parser = json_parser_new();
  auto root = load_json(parser, json_object);
  if (!root) return root.error();
  if (!JSON_NODE_HOLDS_OBJECT(*root)) {
    return invalid("expected a JSON object, got " + node_text(*root));
  }
  return profile_json::read_object(json_node_get_object(*root), "");
}

std::optional<std::string> json_nul_escape_path(std::string_view json) {
  struct Level {
    bool object = false;
    std::string key;   // the current member's name, as written
    size_t index = 0;  // the current element's index
    bool want_key = true;
  };
  std::vector<Level> levels;
  auto path = [&levels] {
    std::string out;
    for (const auto& l : levels) {
      if (!l.object) {
        out += "[" + std::to_string(l.index) + "]";
      } else if (!l.want_key) {
        out += (out.empty() ? "" : ".") + l.key;
      }
    }
    return out;
  };
  for (size_t i = 0; i < json.size(); ++i) {
    switch (json[i]) {
      case '"': {
        const size_t start = ++i;
        bool nul = false;
        for (; i < json.size() && json[i] != '"'; ++i) {
          if (json[i] != '\\' || i + 1 >= json.size()) continue;
          if (json.substr(i + 1, 5) == "u0000") nul = true;
          ++i;  // the escaped character: \" does not end the string
        }
        const std::string_view text = json.substr(start, std::min(i, json.size()) - start);
        const bool is_key = !levels.empty() && levels.back().object && levels.back().want_key;
        if (is_key) {
          levels.back().key = std::string(text);
          levels.back().want_key = false;
        }
        if (nul) return path();
        break;
      }
      case '{': levels.push_back(Level{true, {}, 0, true}); break;
      case '[': levels.push_back(Level{false, {}, 0, true}); break;
      case '}':
      case ']':
        if (!levels.empty()) levels.pop_back();
        break;
      case ',':
        if (!levels.empty()) {
          if (levels.back().object)
            levels.back().want_key = true;
          else
            ++levels.back().index;
        }
        break;
      default: break;
    }
  }
  return std::nullopt;
}

Result<std::vector<Profile>> parse_profiles(std::string_view spec) {
  if (auto unquoted = unquote_launch_value(spec)) return parse_profiles(*unquoted);
  const std::string_view s = trim(spec);
  if (s.empty()) return invalid("no profiles given");
  if (s.front() == '[' || s.front() == '{') return parse_json_list(s, "");

  const std::string path(s);
  if (g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    g_autofree gchar* contents = nullptr;
    gsize length = 0;
    g_autoptr(GError) error = nullptr;
    if (!g_file_get_contents(path.c_str(), &contents, &length, &error)) {
      return Error{ErrorCode::NotFound, path + ": " + error->message};
    }
    return parse_json_list(std::string_view(contents, length), path);
  }
  if (looks_like_path(s)) return Error{ErrorCode::NotFound, path + ": no such file"};
  return parse_preset_list(s);
}

std::string profile_to_json(const Profile& profile) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  const auto add_int = [&b](const char* key, gint64 v) {
    json_builder_set_member_name(b, key);
    json_builder_add_int_value(b, v);
  };
  const auto add_string = [&b](const char* key, const std::string& v) {
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, v.c_str());
  };
  add_string("name", profile.name);
  add_int("width", profile.width);
  add_int("height", profile.height);
  add_int("bitrate", profile.bitrate);
  add_int("fps", profile.fps);
  add_int("fpsDen", profile.fps_den);
  if (profile.h264_profile != H264Profile::Unset) {
    add_string("profile", h264_profile_name(profile.h264_profile));
  }
  if (profile.gop.kind == Gop::Kind::Intra) add_string("gop", "intra");
  if (profile.gop.kind == Gop::Kind::Seconds) {
    add_string("gop", format_seconds(profile.gop.seconds));
  }
  add_string("encoder", video_codec_name(profile.codec));
  if (profile.quality != 0) add_int("quality", profile.quality);
  if (profile.container != ProfileContainer::Unset) add_string("container", profile_container_name(profile.container));
  if (profile.size_rule != SizeRule::FitBox) add_string("size_rule", size_rule_name(profile.size_rule));
  json_builder_end_object(b);

  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_root(gen, root);
  g_autofree gchar* text = json_generator_to_data(gen, nullptr);
  return text;
}

const char* h264_profile_name(H264Profile profile) {
  switch (profile) {
    case H264Profile::Unset: return "none";
    case H264Profile::Baseline: return "H264Baseline";
    case H264Profile::Main: return "H264Main";
    case H264Profile::High: return "H264High";
    case H264Profile::ConstrainedHigh: return "H264ConstrainedHigh";
  }
  return "none";
}

const char* video_codec_name(VideoCodec codec) {
  switch (codec) {
    case VideoCodec::H264: return "H.264";
    case VideoCodec::HEVC: return "HEVC";
    case VideoCodec::VP8: return "VP8";
    case VideoCodec::VP9: return "VP9";
    case VideoCodec::AV1: return "AV1";
  }
  return "H.264";
}

const char* profile_container_name(ProfileContainer container) {
  switch (container) {
    case ProfileContainer::Unset: return "auto";
    case ProfileContainer::MpegTs: return "mpegts";
    case ProfileContainer::Mp4: return "mp4";
    case ProfileContainer::WebM: return "webm";
  }
  return "auto";
}

const char* size_rule_name(SizeRule rule) { return rule == SizeRule::Lpms ? "lpms" : "fit-box"; }

}  // namespace lp
