// The rate limiter's buckets: refill at the configured rate, a Retry-After from that rate, and a
// table that stays bounded however many clients come and go.
#include "admin/server/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace mct::admin::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, RefusesPastTheBurstAndAdmitsAgainOnceRefilled) {
  const auto start = RateLimiter::Clock::now();
  RateLimiter limiter(/*per_second=*/1, /*burst=*/2);
  EXPECT_TRUE(limiter.Admit("a", start).allowed);
  EXPECT_TRUE(limiter.Admit("a", start).allowed);
  EXPECT_FALSE(limiter.Admit("a", start).allowed);
  EXPECT_TRUE(limiter.Admit("b", start).allowed) << "another client has a bucket of its own";
  EXPECT_TRUE(limiter.Admit("a", start + seconds(1)).allowed);
}

TEST(RateLimiter, RetryAfterIsTheWholeSecondsUntilTheBucketHoldsARequest) {
  const auto start = RateLimiter::Clock::now();
  RateLimiter slow(/*per_second=*/0.25, /*burst=*/1);
  ASSERT_TRUE(slow.Admit("a", start).allowed);
  EXPECT_EQ(slow.Admit("a", start).retry_after, seconds(4));
  EXPECT_EQ(slow.Admit("a", start + milliseconds(1500)).retry_after, seconds(3));

  RateLimiter fast(/*per_second=*/100, /*burst=*/1);
  ASSERT_TRUE(fast.Admit("a", start).allowed);
  EXPECT_EQ(fast.Admit("a", start).retry_after, seconds(1)) << "never less than a second";
}

TEST(RateLimiter, DropsBucketsThatHaveRefilledToTheirBurst) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/2);
  const auto start = RateLimiter::Clock::now();  // the sweeps count from the limiter's making
  for (int client = 0; client < 1000; ++client) {
    ASSERT_TRUE(limiter.Admit("idle-" + std::to_string(client), start).allowed);
  }
  ASSERT_TRUE(limiter.Admit("busy", start).allowed);
  ASSERT_TRUE(limiter.Admit("busy", start).allowed);
  EXPECT_EQ(limiter.clients(), 1001u);
  // A second later every idle bucket is full again (1 + 1 token); the busy one holds 1 of 2.
  EXPECT_TRUE(limiter.Admit("busy", start + seconds(1)).allowed);
  EXPECT_EQ(limiter.clients(), 1u);
  EXPECT_FALSE(limiter.Admit("busy", start + seconds(1)).allowed)
      << "the busy client kept its emptied bucket";
}

TEST(RateLimiter, ClientsBeyondTheCapShareOneOverflowBucket) {
  const auto start = RateLimiter::Clock::now();
  RateLimiter limiter(/*per_second=*/0.01, /*burst=*/2, /*max_clients=*/3);
  int admitted = 0;
  for (int client = 0; client < 50; ++client) {
    admitted += limiter.Admit("client-" + std::to_string(client), start).allowed ? 1 : 0;
  }
  EXPECT_EQ(limiter.clients(), 3u);
  EXPECT_EQ(admitted, 3 + 2) << "three buckets of their own, then the overflow's burst of 2";
  EXPECT_TRUE(limiter.Admit("client-0", start).allowed) << "a client with a bucket keeps it";
}

TEST(RateLimiter, ZeroDisablesTheLimit) {
  RateLimiter limiter(/*per_second=*/0, /*burst=*/0);
  for (int request = 0; request < 100; ++request) EXPECT_TRUE(limiter.Admit("a").allowed);
  EXPECT_EQ(limiter.clients(), 0u);
}

}  // namespace
}  // namespace mct::admin::server
