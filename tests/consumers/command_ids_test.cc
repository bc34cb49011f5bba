// Minted command ids: their shape, no repeats across threads, and their order follows the clock
// (what lets the store insert them at the memtable's end, memtable_hints.h).
#include "consumers/command_ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>
#include <vector>

namespace mct::consumers {
namespace {

TEST(CommandIds, AreTheMintedPrefixAndThirtyTwoHexDigits) {
  const std::regex shape("http-[0-9a-f]{32}");
  for (int round = 0; round < 100; ++round) {
    const std::string id = MintCommandId();
    ASSERT_TRUE(std::regex_match(id, shape)) << id;
    ASSERT_TRUE(id.starts_with(kMintedCommandIdPrefix));
  }
}

TEST(CommandIds, NeverRepeatAcrossThreadsInTheSameMilliseconds) {
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::vector<std::string>> minted(kThreads);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([&minted, thread] {
      for (int round = 0; round < kEach; ++round) minted[thread].push_back(MintCommandId());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> distinct;
  for (const auto& ids : minted) distinct.insert(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kThreads * kEach));
}

TEST(CommandIds, SortAfterEveryIdOfAnEarlierMillisecond) {
  std::vector<std::string> earlier;
  for (int round = 0; round < 50; ++round) earlier.push_back(MintCommandId());
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  for (int round = 0; round < 50; ++round) {
    const std::string later = MintCommandId();
    for (const auto& before : earlier) ASSERT_LT(before, later);
  }
}

}  // namespace
}  // namespace mct::consumers
