// go-livepeer's lphttp.TranscodeResults (server/ot_rpc.go), and the pieces of Go's standard
// library it leans on (mime.ParseMediaType, mime/multipart.Reader, textproto headers,
// strconv.ParseInt), rewritten from their documented behaviour so that the peer accepts and
// refuses exactly what a go-livepeer orchestrator does.
#include <algorithm>
#include <cctype>
#include <limits>

#include "livepeer_orch_peer.h"

namespace lp::test {
namespace {

constexpr const char* kAuthType = "Livepeer-Transcoder-1.0";
constexpr const char* kErrorMediaType = "livepeer/transcoding-error";
constexpr size_t kMaxSegSize = 300u * 8'000'000u / 8u;  // go-livepeer common.MaxSegSize

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

bool is_tspecial(char c) { return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos; }
bool is_token_char(char c) { return c > 0x20 && c < 0x7f && !is_tspecial(c); }

// Go's consumeToken: the leading run of token characters and what follows it.
std::pair<std::string_view, std::string_view> consume_token(std::string_view v) {
  size_t n = 0;
  while (n < v.size() && is_token_char(v[n])) ++n;
  return {v.substr(0, n), v.substr(n)};
}

// Go's consumeValue: a token or a quoted string ("" and v unchanged when malformed).
std::pair<std::string, std::string_view> consume_value(std::string_view v) {
  if (v.empty()) return {"", v};
  if (v[0] != '"') {
    auto [tok, rest] = consume_token(v);
    return {std::string(tok), rest};
  }
  std::string out;
  for (size_t i = 1; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '"') return {out, v.substr(i + 1)};
    if (c == '\\' && i + 1 < v.size() && is_tspecial(v[i + 1])) {
      out += v[++i];
      continue;
    }
    if (c == '\r' || c == '\n') return {"", v};
    out += c;
  }
  return {"", v};  // no closing quote
}

// Go's mime.ParseMediaType, without RFC 2231 continuations (go-livepeer's clients send none).
// The error text is Go's, for the 415 body.
std::optional<std::pair<std::string, std::map<std::string, std::string>>> parse_media_type_or(const std::string& value,
                                                                                              std::string& error) {
  const size_t semi = value.find(';');
  const std::string base = value.substr(0, semi);
  const std::string media_type = trim(lower(base));
  auto [type, rest] = consume_token(media_type);
  if (type.empty()) {
    error = "mime: no media type";
    return std::nullopt;
  }
  if (!rest.empty()) {
    if (rest[0] != '/') {
      error = "mime: expected slash after first token";
      return std::nullopt;
    }
    auto [subtype, after] = consume_token(rest.substr(1));
    if (subtype.empty()) {
      error = "mime: expected token after slash";
      return std::nullopt;
    }
    if (!after.empty()) {
      error = "mime: unexpected content after media subtype";
      return std::nullopt;
    }
  }
  std::map<std::string, std::string> params;
  std::string_view v = std::string_view(value).substr(base.size());
  while (!v.empty()) {
    v = trim_left(v);
    if (v.empty()) break;
    // Go's consumeMediaParam: "; name = value".
    std::string_view r = v;
    std::string key, val;
    if (r[0] == ';') {
      r = trim_left(r.substr(1));
      auto [name, after] = consume_token(r);
      key = lower(std::string(name));
      r = trim_left(after);
      if (!key.empty() && !r.empty() && r[0] == '=') {
        r = trim_left(r.substr(1));
        auto [parsed, after_value] = consume_value(r);
        if (parsed.empty() && after_value == r) key.clear();
        val = parsed;
        r = after_value;
      } else {
        key.clear();
      }
    }
    if (key.empty()) {
      if (trim(std::string(v)) == ";") break;  // a trailing semicolon is fine
      error = "mime: invalid media parameter";
      return std::nullopt;
    }
    if (auto it = params.find(key); it != params.end() && it->second != val) {
      error = "mime: duplicate parameter name";
      return std::nullopt;
    }
    params[key] = val;
    v = r;
  }
  return std::pair{media_type, params};
}

std::string parse_int_error(const std::string& s) { return "strconv.ParseInt: parsing \"" + s + "\": invalid syntax"; }

std::string header(const std::map<std::string, std::string>& headers, const std::string& lower_name) {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

// Go's mime/multipart.Reader over a whole body: the boundary lines, the "\n"-only leniency on
// the first delimiter, the preamble skipping, and the errors NextPart and Part.Read give.
class MultipartReader {
 public:
  enum class Next { Part, End, Error };

  MultipartReader(const std::string& body, std::string boundary) : body_(body), dash_("--" + std::move(boundary)) {}

  Next next(PeerResultPart& part, std::string& error) {
    if (dash_ == "--") {
      error = "multipart: boundary is empty";
      return Next::Error;
    }
    bool expect_new_part = false;
    for (;;) {
      const size_t eol = body_.find('\n', pos_);
      const bool eof = eol == std::string::npos;
      const std::string_view line = std::string_view(body_).substr(pos_, eof ? std::string::npos : eol + 1 - pos_);
      if (eof) {
        if (is_final_boundary(line)) return Next::End;
        error = "multipart: NextPart: EOF";
        return Next::Error;
      }
      pos_ = eol + 1;
      if (is_delimiter(line)) {
        ++parts_read_;
        return read_part(part, error);
      }
      if (is_final_boundary(line)) return Next::End;
      if (expect_new_part) {
        error = "multipart: expecting a new Part; got line \"" + std::string(line) + "\"";
        return Next::Error;
      }
      if (parts_read_ == 0) continue;  // preamble
      if (line == nl_) {
        expect_new_part = true;
        continue;
      }
      error = "multipart: unexpected line in Next(): \"" + std::string(line) + "\"";
      return Next::Error;
    }
  }

 private:
  static std::string_view skip_lwsp(std::string_view s) {
    while (!s.empty() && (s[0] == ' ' || s[0] == '\t')) s.remove_prefix(1);
    return s;
  }

  bool is_delimiter(std::string_view line) {
    if (!line.starts_with(dash_)) return false;
    const std::string_view rest = skip_lwsp(line.substr(dash_.size()));
    if (parts_read_ == 0 && rest == "\n") nl_ = "\n";  // lenient, as Go is, on the first one
    return rest == nl_;
  }

  bool is_final_boundary(std::string_view line) const {
    const std::string dash_dash = dash_ + "--";
    if (!line.starts_with(dash_dash)) return false;
    const std::string_view rest = skip_lwsp(line.substr(dash_dash.size()));
    return rest.empty() || rest == nl_;
  }

  // textproto.ReadMIMEHeader, then the body up to the next boundary.
  Next read_part(PeerResultPart& part, std::string& error) {
    part = PeerResultPart{};
    std::string pending;  // a header line that may still get continuation lines
    bool first = true;
    auto flush = [&]() -> bool {
      if (pending.empty()) return true;
      const size_t colon = pending.find(':');
      const std::string key = colon == std::string::npos ? "" : pending.substr(0, colon);
      if (key.empty() || !std::all_of(key.begin(), key.end(), is_token_char)) {
        error = "malformed MIME header line: " + pending;
        return false;
      }
      part.headers.emplace(lower(key), trim(pending.substr(colon + 1)));
      pending.clear();
      return true;
    };
    for (;;) {
      const size_t eol = body_.find('\n', pos_);
      // Go's textproto returns io.EOF for headers cut short, which the handler takes for
      // the clean end of the parts.
      if (eol == std::string::npos) return Next::End;
      std::string line = body_.substr(pos_, eol - pos_);
      pos_ = eol + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      if (line[0] == ' ' || line[0] == '\t') {
        if (first) {
          error = "malformed MIME header initial line: " + line;
          return Next::Error;
        }
        pending += " " + trim(line);
        continue;
      }
      first = false;
      if (!flush()) return Next::Error;
      pending = line;
    }
    if (!flush()) return Next::Error;
    part.content_type = header(part.headers, "content-type");

    // A boundary right after the headers (an empty part), else "\n--boundary" followed by
    // whitespace, a newline, "--" or the end of the body.
    auto boundary_follows = [&](size_t at) {
      if (at == body_.size()) return true;
      const char c = body_[at];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return true;
      return c == '-' && at + 1 < body_.size() && body_[at + 1] == '-';
    };
    if (std::string_view(body_).substr(pos_).starts_with(dash_) && boundary_follows(pos_ + dash_.size()))
      return Next::Part;
    const std::string nl_dash = nl_ + dash_;
    for (size_t at = body_.find(nl_dash, pos_); at != std::string::npos; at = body_.find(nl_dash, at + 1)) {
      if (!boundary_follows(at + nl_dash.size())) continue;
      if (at - pos_ > kMaxSegSize) {
        error = "body too large";
        return Next::Error;
      }
      part.bytes = body_.substr(pos_, at - pos_);
      pos_ = at;
      return Next::Part;
    }
    error = "unexpected EOF";
    return Next::Error;
  }

  const std::string& body_;
  const std::string dash_;  // "--" + boundary
  std::string nl_ = "\r\n";
  size_t pos_ = 0;
  int parts_read_ = 0;
};

}  // namespace

std::optional<std::pair<std::string, std::map<std::string, std::string>>> parse_media_type(const std::string& value) {
  std::string error;
  return parse_media_type_or(value, error);
}

std::optional<int64_t> parse_go_int64(const std::string& s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return std::nullopt;
  // Accumulated as a negative number so that INT64_MIN fits.
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const int d = s[i] - '0';
    if (v < (std::numeric_limits<int64_t>::min() + d) / 10) return std::nullopt;
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == std::numeric_limits<int64_t>::min()) return std::nullopt;
    v = -v;
  }
  return v;
}

PeerResult handle_transcode_results(const PeerHttpRequest& request, const std::string& secret) {
  PeerResult r;
  r.headers = request.headers;
  r.http_version = request.http_version;
  r.content_type = header(request.headers, "content-type");
  const std::string task_id = header(request.headers, "taskid");
  const std::string pixels = header(request.headers, "pixels");
  r.task_id = parse_go_int64(task_id).value_or(-1);
  r.pixels = parse_go_int64(pixels).value_or(-1);
  // Go's http.Error: the text and a newline; a plain Write: the text as is.
  auto answer = [&r](int status, const std::string& text) {
    r.status_sent = status;
    r.response_body = status == 200 ? text : text + "\n";
    return r;
  };

  if (header(request.headers, "authorization") != kAuthType) return answer(401, "Unauthorized");
  if (header(request.headers, "credentials") != secret) return answer(401, "Unauthorized");
  std::string mime_error;
  auto media = parse_media_type_or(r.content_type, mime_error);
  if (!media) return answer(415, mime_error);
  r.media_type = media->first;
  if (!parse_go_int64(task_id)) return answer(400, "Invalid Task ID");

  if (r.media_type == kErrorMediaType) {
    // The Pixels header is not looked at for errors.
    r.error = request.body;
    r.delivered = true;
    return answer(200, "OK");
  }
  if (!parse_go_int64(pixels)) return answer(400, "Invalid Pixels");
  if (r.media_type != "multipart/mixed") return answer(200, "OK");  // read by nobody

  r.delivered = true;
  const auto boundary = media->second.find("boundary");
  MultipartReader reader(request.body, boundary == media->second.end() ? "" : boundary->second);
  int renditions = 0;
  for (;;) {
    PeerResultPart part;
    std::string error;
    const auto next = reader.next(part, error);
    if (next == MultipartReader::Next::End) break;
    if (next == MultipartReader::Next::Error) {
      r.error = error;
      break;
    }
    // A part with a Pixels header is a rendition; an application/octet-stream part without
    // one is the pHash of the rendition before it; anything else is skipped.
    if (auto it = part.headers.find("pixels"); it != part.headers.end()) {
      const auto value = parse_go_int64(it->second);
      part.pixels = value.value_or(-1);
      r.parts.push_back(std::move(part));
      if (!value) {
        r.error = parse_int_error(it->second);
        break;
      }
      ++renditions;
    } else {
      const bool phash = part.content_type == "application/octet-stream";
      r.parts.push_back(std::move(part));
      if (phash && renditions == 0) {
        r.error = "Unknown perceptual hash";
        break;
      }
    }
  }
  if (!r.error.empty()) return answer(500, r.error);
  return answer(200, "OK");
}

}  // namespace lp::test
