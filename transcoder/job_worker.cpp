#include "http/tls_trust.h"
#include "owned.h"
#include "job_worker.h"

#include <libsoup/soup.h>

#include <algorithm>

#include "job_pipeline.h"
#include "main_context.h"
#include "sha256.h"

namespace lp {
namespace {

// PUT one rendition; a session of the worker thread's own (libsoup sessions are per thread).
Result<void> upload(SoupSession* session, const std::string& url, GBytes* body, GCancellable* cancellable,
                    const std::string& pin) {
  g_autoptr(SoupMessage) msg = soup_message_new("PUT", url.c_str());
  if (!msg) return Error{ErrorCode::BadRequest, "job names an invalid upload URL: " + url};
  accept_orchestrator_certificate(msg, pin);
  soup_message_set_request_body_from_bytes(msg, "video/mp2t", body);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) answer = soup_session_send_and_read(session, msg, cancellable, &error);
  if (error) return Error{ErrorCode::Unreachable, "upload to the orchestrator failed: " + std::string(error->message)};
  const guint status = soup_message_get_status(msg);
  if (status < 200 || status >= 300) {
    gsize n = 0;
    const char* text = answer ? static_cast<const char*>(g_bytes_get_data(answer, &n)) : nullptr;
    return Error{ErrorCode::Unreachable,
                 "upload answered HTTP " + std::to_string(status) + ": " + std::string(text ? text : "", n)};
  }
  return {};
}

// GET the job's source. Transport failures are Unreachable and a gone job NotFound: both
// are the transcoder's trouble, not the segment's, so the orchestrator tries elsewhere.
Result<BytesPtr> fetch(SoupSession* session, const std::string& url, GCancellable* cancellable,
                       const std::string& pin) {
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  if (!msg) return Error{ErrorCode::BadRequest, "job names an invalid source URL: " + url};
  accept_orchestrator_certificate(msg, pin);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, cancellable, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return Error{ErrorCode::Timeout, "cancelled"};
  if (!body) return Error{ErrorCode::Unreachable, "fetching the job's source failed: " + std::string(error->message)};
  const guint status = soup_message_get_status(msg);
  if (status == SOUP_STATUS_NOT_FOUND) return Error{ErrorCode::NotFound, "the job's source is gone (HTTP 404)"};
  if (!SOUP_STATUS_IS_SUCCESSFUL(status))
    return Error{ErrorCode::Unreachable, "fetching the job's source answered HTTP " + std::to_string(status)};
  return BytesPtr(static_cast<GBytes*>(g_steal_pointer(&body)));
}

}  // namespace

JobWorker::JobWorker(wire::Job job, int cuda_device, std::string cert_pin)
    : job_(std::move(job)),
      cert_pin_(std::move(cert_pin)),
      cuda_device_(cuda_device),
      cancellable_(g_cancellable_new()) {}

JobWorker::~JobWorker() { g_object_unref(cancellable_); }

std::shared_ptr<JobWorker> JobWorker::start(wire::Job job, OwnedThreads& threads, GMainContext* context, Report report,
                                            int cuda_device, Ended ended, std::string cert_pin) {
  auto worker = std::make_shared<JobWorker>(std::move(job), cuda_device, std::move(cert_pin));
  threads.start(
      [worker, ctx = g_main_context_ref(context), report = std::move(report), ended = std::move(ended)]() mutable {
        worker->run(ctx, std::move(report), std::move(ended));
        g_main_context_unref(ctx);
      });
  return worker;
}

void JobWorker::cancel() {
  cancelled_ = true;
  g_cancellable_cancel(cancellable_);  // thread-safe: interrupts a fetch or upload in flight
}

void JobWorker::run(GMainContext* context, Report report, Ended ended) {
  const gint64 started = g_get_monotonic_time();
  auto outcome = execute();
  std::string message;
  Result<void> failure;
  if (outcome) {
    message = *outcome;
    g_message("job %s done in %.2f s", job_.job_id.c_str(), double(g_get_monotonic_time() - started) / 1e6);
  } else {
    g_message("job %s failed: %s", job_.job_id.c_str(), outcome.error().message.c_str());
    message = wire::to_json(wire::JobFailure{job_.job_id, wire::error_body(outcome.error())});
    failure = outcome.error();
  }
  if (ended) ended(cancelled_ ? Result<void>() : failure);
  if (cancelled_) return;
  invoke_on(context, [report = std::move(report), message = std::move(message)] { report(message); });
}

Result<std::string> JobWorker::execute() {
  const gint64 started = g_get_monotonic_time();
  if (auto e = check_job_pipeline(job_.pipeline, job_.source_url); !e.ok()) return e.error();
  const auto limit = std::chrono::milliseconds(job_.timeout_ms > 0 ? job_.timeout_ms : 120000);
  const guint socket_timeout = static_cast<guint>(std::clamp<int64_t>(limit.count() / 1000, 1, 30));
  Owned<SoupSession, g_object_unref> session(soup_session_new_with_options("timeout", socket_timeout, nullptr));
  soup_session_set_proxy_resolver(session.get(), nullptr);  // the orchestrator is reached directly
  auto source = fetch(session.get(), job_.source_url, cancellable_, cert_pin_);
  if (!source) return source.error();

  // The pipeline gets 80 % of the deadline: the uploads must land before the orchestrator
  // gives the job up, or the work is wasted and done again elsewhere.
  RunJobOptions run;
  run.timeout = limit * 4 / 5 - std::chrono::milliseconds((g_get_monotonic_time() - started) / 1000);
  run.cancelled = &cancelled_;
  run.source_bytes = source->get();
  run.cuda_device = cuda_device_;
  auto renditions = run_job_pipeline(job_.pipeline, job_.profiles.size(), run);
  if (!renditions) return renditions.error();

  wire::JobResult result;
  result.job_id = job_.job_id;
  for (size_t i = 0; i < renditions->size(); ++i) {
    if (cancelled_) return Error{ErrorCode::Timeout, "cancelled"};
    const Rendition& r = (*renditions)[i];
    if (auto e =
            upload(session.get(), job_.upload_url + "/" + std::to_string(i), r.bytes.get(), cancellable_, cert_pin_);
        !e.ok())
      return e.error();
    result.renditions.push_back({r.name, "", static_cast<int64_t>(g_bytes_get_size(r.bytes.get())),
                                 static_cast<int64_t>(r.frames), static_cast<int64_t>(r.pixels),
                                 sha256_hex(r.bytes.get()), r.width, r.height});
  }
  return wire::to_json(result);
}

}  // namespace lp
