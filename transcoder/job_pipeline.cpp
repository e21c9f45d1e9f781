#include "job_pipeline.h"

#include <gst/gst.h>

#include <memory>

#include "lp_register.h"
#include "pipeline_runner.h"

namespace lp {
namespace {

// Elements a job may name. Sources and sinks are absent on purpose: the only way in is the
// job's own lpsegmentsrc, and the only way out is the ladder's pads, which the runner links.
// Everything else here transforms media in memory (no file, device or network properties).
constexpr std::string_view kAllowedElements[] = {
    // lpgst
    "lpsegmentsrc",
    "lpladder",
    "lprendition",
    // plumbing
    "queue",
    "capsfilter",
    "identity",
    "tee",
    // demux, parse, decode (for templates that filter decoded video before the ladder)
    "decodebin",
    "parsebin",
    "typefind",
    "tsdemux",
    "qtdemux",
    "matroskademux",
    "mpegpsdemux",
    "h264parse",
    "h265parse",
    "mpegvideoparse",
    "avdec_h264",
    "avdec_h265",
    "avdec_mpeg2video",
    // video filters
    "videoconvert",
    "videoscale",
    "videoconvertscale",
    "videorate",
    "videocrop",
    "videobox",
    "videoflip",
    "videobalance",
    "deinterlace",
    "textoverlay",
    "timeoverlay",
    "clockoverlay",
    // audio filters
    "audioconvert",
    "audioresample",
    "volume",
    // NVIDIA (transcoders built with nvcodec)
    "cudaupload",
    "cudadownload",
    "cudaconvertscale",
    "nvh264dec",
    "nvh265dec",
};

bool allowed(std::string_view factory) {
  for (auto name : kAllowedElements) {
    if (name == factory) return true;
  }
  // Per-GPU decoders are named nvh264device<N>dec and nvh265device<N>dec.
  return (factory.starts_with("nvh264device") || factory.starts_with("nvh265device")) && factory.ends_with("dec");
}

// A string property value for gst_parse_launch: double-quoted with \ and " escaped.
std::string launch_quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

size_t count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

std::string replace_all(std::string text, std::string_view what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
  return text;
}

// Walks every element (recursively) and checks it against the allowlist; counts the ones that
// matter to the caller.
struct Census {
  std::optional<Error> error;
  std::vector<GstElement*> sources;  // lpsegmentsrc (borrowed)
  std::vector<GstElement*> ladders;  // lpladder (borrowed)
};

Census take_census(GstElement* pipeline) {
  Census c;
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* element = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory* factory = gst_element_get_factory(element);
    const char* name = factory ? GST_OBJECT_NAME(factory) : G_OBJECT_TYPE_NAME(element);
    if (!allowed(name) && !c.error) {
      c.error = Error{ErrorCode::BadRequest,
                      std::string("element '") + name +
                          "' is not allowed in a job pipeline (docs/scaling-out.md lists the allowed ones)"};
    }
    if (std::string_view(name) == "lpsegmentsrc") c.sources.push_back(element);
    if (std::string_view(name) == "lpladder") c.ladders.push_back(element);
    g_value_reset(&item);
  }
  g_value_unset(&item);
  return c;
}

Result<void> check_elements(GstElement* pipeline) {
  Census c = take_census(pipeline);
  if (c.error) return *c.error;
  return {};
}

// Parses a description into a pipeline (elements created, nothing started). The allowlist is
// checked before link errors are reported, so a template like "{source} ! filesink ! {ladder}"
// is refused for naming filesink, not for failing to link it.
Result<PipelinePtr> parse(std::string_view description) {
  media_register();
  g_autoptr(GError) error = nullptr;
  g_autoptr(GstParseContext) context = gst_parse_context_new();
  const std::string text(description);
  GstElement* element = gst_parse_launch_full(text.c_str(), context, GST_PARSE_FLAG_NONE, &error);
  if (element) gst_object_ref_sink(element);
  PipelinePtr pipeline(element);
  g_auto(GStrv) missing = gst_parse_context_get_missing_elements(context);
  if (missing && missing[0])
    return Error{ErrorCode::BadRequest,
                 std::string("pipeline names an element this node does not have: ") + missing[0]};
  if (pipeline && GST_IS_BIN(pipeline.get())) {
    if (auto e = check_elements(pipeline.get()); !e.ok()) return e.error();
  }
  if (error) return Error{ErrorCode::BadRequest, std::string("pipeline does not parse: ") + error->message};
  if (!pipeline) return Error{ErrorCode::BadRequest, "pipeline is empty"};
  if (!GST_IS_PIPELINE(pipeline.get()))
    return Error{ErrorCode::BadRequest, "pipeline has a single element: it needs a source and a ladder"};
  return pipeline;
}

std::string string_property(GstElement* element, const char* name) {
  g_autofree char* value = nullptr;
  g_object_get(element, name, &value, nullptr);
  return value ? value : "";
}

// The structural rules shared by templates and jobs: one source with only `uri` set (to
// `source_url` when given), one lpladder named "ladder".
Result<void> check_structure(GstElement* pipeline, std::optional<std::string_view> source_url) {
  Census c = take_census(pipeline);
  if (c.error) return *c.error;
  if (c.sources.size() != 1)
    return Error{ErrorCode::BadRequest,
                 "a job pipeline needs exactly one lpsegmentsrc, found " + std::to_string(c.sources.size())};
  if (c.ladders.size() != 1)
    return Error{ErrorCode::BadRequest,
                 "a job pipeline needs exactly one lpladder, found " + std::to_string(c.ladders.size())};
  GstElement* src = c.sources.front();
  if (!string_property(src, "location").empty())
    return Error{ErrorCode::BadRequest, "the job's lpsegmentsrc must not read a local file (location is set)"};
  if (source_url && string_property(src, "uri") != *source_url)
    return Error{ErrorCode::BadRequest, "the job's lpsegmentsrc must read the job's own source URL"};
  if (std::string_view(GST_OBJECT_NAME(c.ladders.front())) != "ladder")
    return Error{ErrorCode::BadRequest, "the job's lpladder must be named \"ladder\""};
  return {};
}

}  // namespace

Result<void> check_pipeline_template(std::string_view tmpl) {
  if (count(tmpl, "{source}") != 1 || count(tmpl, "{ladder}") != 1)
    return Error{ErrorCode::BadRequest,
                 "--pipeline-template must contain {source} and {ladder} once each, got \"" + std::string(tmpl) + "\""};
  // A stand-in job shows whether the expanded template parses and what it names.
  auto description =
      build_job_pipeline(tmpl, "http://127.0.0.1:1/template-check", {*find_preset("P240p30fps16x9")}, {});
  if (!description) return description.error();
  auto pipeline = parse(*description);
  if (!pipeline) return Error{ErrorCode::BadRequest, "--pipeline-template: " + pipeline.error().message};
  if (auto e = check_structure(pipeline->get(), std::nullopt); !e.ok())
    return Error{ErrorCode::BadRequest, "--pipeline-template: " + e.error().message};
  return {};
}

Result<std::string> build_job_pipeline(std::string_view tmpl, std::string_view source_url,
                                       const std::vector<Profile>& profiles, const TranscodeOptions& options) {
  if (profiles.empty()) return Error{ErrorCode::InvalidProfile, "no profiles given"};
  if (tmpl.empty()) tmpl = kDefaultPipelineTemplate;
  std::string json = "[";
  for (const auto& p : profiles) json += (json.size() > 1 ? "," : "") + profile_to_json(p);
  json += "]";
  const std::string source = "lpsegmentsrc name=source uri=" + launch_quote(source_url);
  const std::string ladder = "lpladder name=ladder profiles=" + launch_quote(json) +
                             " speed-preset=" + options.speed_preset + " encoder=" + launch_quote(options.encoder) +
                             " container=" + options.container +
                             (options.cuda_device >= 0 ? " cuda-device-id=" + std::to_string(options.cuda_device) : "");
  return replace_all(replace_all(std::string(tmpl), "{source}", source), "{ladder}", ladder);
}

std::string redact_job_tokens(std::string_view description) {
  static constexpr std::string_view kJobs = "/v1/jobs/";
  std::string out(description);
  for (size_t at = out.find(kJobs); at != std::string::npos; at = out.find(kJobs, at + 1)) {
    const size_t job_end = out.find('/', at + kJobs.size());
    if (job_end == std::string::npos) break;
    const size_t token_end = out.find('/', job_end + 1);
    if (token_end == std::string::npos) break;
    out.replace(job_end + 1, token_end - job_end - 1, "<token>");
  }
  return out;
}

Result<void> check_job_pipeline(std::string_view description, std::string_view source_url) {
  auto pipeline = parse(description);
  if (!pipeline) return pipeline.error();
  return check_structure(pipeline->get(), source_url);
}

Result<std::vector<Rendition>> run_job_pipeline(std::string_view description, size_t n_renditions,
                                                const RunJobOptions& options) {
  auto parsed = parse(description);
  if (!parsed) return parsed.error();
  PipelinePtr pipeline = std::move(*parsed);
  g_autoptr(GstElement) ladder = gst_bin_get_by_name(GST_BIN(pipeline.get()), "ladder");
  if (!ladder) return Error{ErrorCode::BadRequest, "no element named \"ladder\" in the job pipeline"};
  auto profiles = parse_profiles(string_property(ladder, "profiles"));
  if (!profiles) return profiles.error();
  if (profiles->size() != n_renditions)
    return Error{ErrorCode::BadRequest, "the ladder has " + std::to_string(profiles->size()) + " profiles, the job " +
                                            std::to_string(n_renditions)};
  if (options.source_bytes) {
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline.get()), "source");
    if (!src) return Error{ErrorCode::BadRequest, "no element named \"source\" in the job pipeline"};
    g_object_set(src, "uri", nullptr, "bytes", options.source_bytes, nullptr);
  }
  if (options.cuda_device >= 0) {
    if (!g_object_class_find_property(G_OBJECT_GET_CLASS(ladder), "cuda-device-id"))
      return Error{ErrorCode::Unsupported, "this lpladder has no GPU path (built without nvcodec support)"};
    g_object_set(ladder, "cuda-device-id", options.cuda_device, nullptr);
  }
  std::vector<std::string> names;
  for (const auto& p : *profiles) names.push_back(p.name);
  RunLimits limits;
  limits.timeout = options.timeout;
  limits.cancelled = options.cancelled;
  limits.stats = options.stats;
  return run_ladder_pipeline(std::move(pipeline), ladder, names, limits);
}

}  // namespace lp
