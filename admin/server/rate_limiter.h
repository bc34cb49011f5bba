// RateLimiter: a token bucket per client, so one client in a hurry cannot starve the others; over
// the limit is a 429 with the seconds to wait. The caller names the client: HttpApi names the
// token's actor once the token is authenticated, or the remote address when the request has no
// valid token, so a sender of ever new junk tokens still draws on one bucket.
//
// The table is bounded. A bucket that has refilled to its burst admits exactly what a new one
// would, so such buckets are dropped (swept at most once a second); and once `max_clients` buckets
// are held, clients without one share a single overflow bucket until a sweep makes room.
//
// Thread-safety: Admit and clients may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mct::admin::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kDefaultMaxClients = 100'000;

  struct Verdict {
    bool allowed = true;
    // When refused: the whole seconds until the bucket holds a request again, at least 1.
    std::chrono::seconds retry_after{0};
  };

  // `per_second` requests a second on average, bursts up to `burst`; 0 disables the limit.
  RateLimiter(double per_second, double burst, size_t max_clients = kDefaultMaxClients);

  // Takes one request from `client`'s bucket, or refuses it.
  Verdict Admit(const std::string& client) { return Admit(client, Clock::now()); }
  // As above at `now`, which never goes back between calls (tests pass their own clock).
  Verdict Admit(const std::string& client, Clock::time_point now);
  // False when the limit is off (0 requests a second): every request is admitted.
  bool limits() const { return per_second_ > 0; }

  // The buckets held, the overflow bucket not counted.
  size_t clients();

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled;
  };
  Bucket NewBucket(Clock::time_point now) const { return {burst_, now}; }
  void Refill(Bucket& bucket, Clock::time_point now) const;
  Verdict Take(Bucket& bucket, Clock::time_point now) const;
  void DropFullBuckets(Clock::time_point now);

  const double per_second_;
  const double burst_;
  const size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Bucket overflow_;
  Clock::time_point swept_at_;
};

}  // namespace mct::admin::server
