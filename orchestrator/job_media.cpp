#include "job_media.h"

#include <openssl/rand.h>

#include "hex.h"
#include "wire/auth_token.h"

namespace lp {

std::string random_token() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) g_error("OpenSSL RAND_bytes failed: no entropy");
  return eth::to_hex(std::span<const uint8_t>(raw, sizeof raw));
}

std::string JobMedia::add(const std::string& job_id, SharedBytes source, size_t renditions) {
  Entry e{random_token(), std::move(source), std::vector<SharedBytes>(renditions)};
  std::string prefix = "/v1/jobs/" + job_id + "/" + e.token;
  jobs_[job_id] = std::move(e);
  return prefix;
}

void JobMedia::remove(const std::string& job_id) { jobs_.erase(job_id); }

const JobMedia::Entry* JobMedia::find(std::string_view job_id, std::string_view token) const {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || !wire::constant_time_equal(it->second.token, token)) return nullptr;
  return &it->second;
}

SharedBytes JobMedia::source(std::string_view job_id, std::string_view token) const {
  const Entry* e = find(job_id, token);
  return e ? e->source : nullptr;
}

Result<void> JobMedia::put(std::string_view job_id, std::string_view token, size_t index, SharedBytes bytes) {
  if (find(job_id, token) == nullptr)
    return Error{ErrorCode::NotFound, "no job " + std::string(job_id) + " with that token"};
  Entry& e = jobs_.find(job_id)->second;
  if (index >= e.uploads.size())
    return Error{ErrorCode::BadRequest, "rendition index " + std::to_string(index) + " out of range (job has " +
                                            std::to_string(e.uploads.size()) + ")"};
  e.uploads[index] = std::move(bytes);
  return {};
}

std::vector<SharedBytes> JobMedia::uploads(const std::string& job_id) const {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? std::vector<SharedBytes>{} : it->second.uploads;
}

}  // namespace lp
