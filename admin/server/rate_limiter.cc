#include "admin/server/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace mct::admin::server {
namespace {

constexpr std::chrono::seconds kSweepEvery{1};
// A Retry-After beyond a day says nothing more useful, and keeps a tiny rate from overflowing.
constexpr double kLongestRetrySeconds = 24 * 60 * 60;

}  // namespace

RateLimiter::RateLimiter(double per_second, double burst, size_t max_clients)
    : per_second_(per_second),
      burst_(burst),
      max_clients_(max_clients),
      overflow_{burst, Clock::now()},
      swept_at_(Clock::now()) {}

void RateLimiter::Refill(Bucket& bucket, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * per_second_);
  bucket.refilled = now;
}

RateLimiter::Verdict RateLimiter::Take(Bucket& bucket, Clock::time_point now) const {
  Refill(bucket, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return {};
  }
  const double wait = std::min(kLongestRetrySeconds, std::ceil((1 - bucket.tokens) / per_second_));
  return {false, std::chrono::seconds(std::max<int64_t>(1, static_cast<int64_t>(wait)))};
}

void RateLimiter::DropFullBuckets(Clock::time_point now) {
  swept_at_ = now;
  for (auto entry = buckets_.begin(); entry != buckets_.end();) {
    Refill(entry->second, now);
    entry = entry->second.tokens >= burst_ ? buckets_.erase(entry) : std::next(entry);
  }
}

RateLimiter::Verdict RateLimiter::Admit(const std::string& client, Clock::time_point now) {
  if (per_second_ <= 0) return {};
  std::lock_guard lock(mutex_);
  if (now - swept_at_ >= kSweepEvery) DropFullBuckets(now);
  if (auto found = buckets_.find(client); found != buckets_.end()) return Take(found->second, now);
  if (buckets_.size() >= max_clients_) return Take(overflow_, now);
  return Take(buckets_.emplace(client, NewBucket(now)).first->second, now);
}

size_t RateLimiter::clients() {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace mct::admin::server
