#include "admin/server/rate_limiter.h"

#include <algorithm>

namespace mct::admin::server {

bool RateLimiter::Allow(const std::string& client) {
  if (per_second_ <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto [entry, inserted] = buckets_.try_emplace(client);
  Bucket& bucket = entry->second;
  if (inserted) {
    bucket.tokens = burst_;
    bucket.refilled = now;
  }
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.refilled = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

}  // namespace mct::admin::server
