// WakeupSlots: a writer returns once its own flag is set and it has been woken, and never because
// another drain sharing its slot was woken.
#include "consumers/wakeup_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

namespace mct::consumers {
namespace {

using namespace std::chrono_literals;

// Runs slots.Wait on another thread; true if it returned within a generous time.
bool ReturnsInTime(WakeupSlots& slots, uint64_t drain, std::atomic<bool>& answered,
                   const std::function<void()>& meanwhile = [] {}) {
  auto waited = std::async(std::launch::async, [&] { slots.Wait(drain, answered); });
  meanwhile();
  const bool in_time = waited.wait_for(10s) == std::future_status::ready;
  if (!in_time) {  // release it, so that the test fails instead of hanging
    answered.store(true);
    slots.WakeAll(drain);
  }
  return in_time;
}

TEST(WakeupSlots, ReturnsAtOnceWhenAlreadyAnswered) {
  WakeupSlots slots;
  std::atomic<bool> answered{true};
  EXPECT_TRUE(ReturnsInTime(slots, 7, answered));  // nobody will wake it: it must not sleep
}

TEST(WakeupSlots, OneWakeReleasesEveryWriterOfTheDrain) {
  WakeupSlots slots;
  constexpr int kWriters = 32;
  std::vector<std::atomic<bool>> answered(kWriters);
  std::atomic<int> returned{0};
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      slots.Wait(3, answered[static_cast<size_t>(writer)]);
      returned.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(returned.load(), 0);  // nobody leaves before its answer
  for (auto& flag : answered) flag.store(true);
  slots.WakeAll(3);
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(returned.load(), kWriters);
}

TEST(WakeupSlots, AWakeForAnotherDrainOnTheSameSlotDoesNotReleaseAWriter) {
  WakeupSlots slots;
  std::atomic<bool> later_answered{false};
  std::atomic<bool> later_returned{false};
  // Drains 5 and 69 share a slot (64 slots).
  std::thread later([&] {
    slots.Wait(69, later_answered);
    later_returned.store(true);
  });
  std::this_thread::sleep_for(20ms);
  slots.WakeAll(5);
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(later_returned.load());
  later_answered.store(true);
  slots.WakeAll(69);
  later.join();
  EXPECT_TRUE(later_returned.load());
}

TEST(WakeupSlots, AnAnswerGivenWhileTheWriterIsAboutToSleepIsNotMissed) {
  // Many rounds of a writer that starts waiting just as its answer arrives: the wake-up may come
  // between its look at the flag and its sleep, and it must still return.
  WakeupSlots slots;
  for (uint64_t round = 0; round < 2000; ++round) {
    std::atomic<bool> answered{false};
    ASSERT_TRUE(ReturnsInTime(slots, round, answered, [&] {
      answered.store(true);
      slots.WakeAll(round);
    })) << "round " << round;
  }
}

}  // namespace
}  // namespace mct::consumers
