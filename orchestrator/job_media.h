// The media of jobs handed to remote transcoders: each job's source, served at
// GET /v1/jobs/<job>/<token>/source, and its renditions, received at
// PUT /v1/jobs/<job>/<token>/renditions/<i>. The token is random per job, so the URLs are the
// only credential a transcoder needs. Main context only.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "worker.h"

namespace lp {

class JobMedia {
 public:
  // Registers a job; returns the path prefix of its URLs ("/v1/jobs/<job>/<token>").
  std::string add(const std::string& job_id, SharedBytes source, size_t renditions);
  void remove(const std::string& job_id);

  // nullptr when the job is unknown or the token is wrong (both answered 404).
  SharedBytes source(std::string_view job_id, std::string_view token) const;
  // NotFound for an unknown job or token, BadRequest for an index out of range.
  Result<void> put(std::string_view job_id, std::string_view token, size_t index, SharedBytes bytes);
  // The uploads so far, in rendition order (nullptr where none arrived).
  std::vector<SharedBytes> uploads(const std::string& job_id) const;

 private:
  struct Entry {
    std::string token;
    SharedBytes source;
    std::vector<SharedBytes> uploads;
  };
  const Entry* find(std::string_view job_id, std::string_view token) const;
  std::map<std::string, Entry, std::less<>> jobs_;
};

// A random URL-safe token of 32 hex digits (128 bits) from GLib's CSPRNG-seeded generator
// mixed with the monotonic clock; used for job and result URLs.
std::string random_token();

}  // namespace lp
