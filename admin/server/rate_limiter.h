// RateLimiter: a token bucket per client (the token's actor, or the remote address before
// authentication), so one client in a hurry cannot starve the others; over the limit is a 429.
//
// Thread-safety: Allow may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mct::admin::server {

class RateLimiter {
 public:
  // `per_second` requests a second on average, bursts up to `burst`; 0 disables the limit.
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}
  bool Allow(const std::string& client);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace mct::admin::server
