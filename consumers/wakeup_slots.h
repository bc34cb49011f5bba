// WakeupSlots: how the event store's syncer wakes the writers of a group commit.
//
// Answering each writer through its own promise costs one futex wake per writer, and on a busy
// machine every woken writer preempts the syncer before it can wake the next: 11 to 13 us per
// writer, 1.4 to 1.6 ms for the 128 writers of a group commit at 256 writers (bench/README.md).
// Here the writers of one drain of the queue sleep on one shared word, and the syncer answers them
// all, then wakes them with one call: the kernel wakes them in a row and the syncer is preempted
// once, when it returns.
//
// It calls futex(2) itself: std::atomic::wait first spins and calls sched_yield, which with 256
// waiting writers on two cores took a fifth of the process's time.
//
// The slots are only places to sleep: a writer is answered when its own flag says so, never
// because a slot changed. Drains share a slot when their numbers are kSlots apart; a writer woken
// for another drain looks at its flag and sleeps again.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace mct::consumers {

class WakeupSlots {
 public:
  // Sleeps until `answered` is true; `drain` is the number of the queue drain that takes the
  // caller's request.
  void Wait(uint64_t drain, const std::atomic<bool>& answered);
  // Wakes every writer sleeping for `drain`; call it once their flags are set.
  void WakeAll(uint64_t drain);

 private:
  static constexpr size_t kSlots = 64;
  struct alignas(64) Slot {  // one cache line each: writers of different drains do not collide
    std::atomic<uint32_t> changes{0};
  };
  std::array<Slot, kSlots> slots_;
};

}  // namespace mct::consumers
