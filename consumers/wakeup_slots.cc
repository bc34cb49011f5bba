#include "consumers/wakeup_slots.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace mct::consumers {
namespace {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
              std::atomic<uint32_t>::is_always_lock_free);

// Sleeps while `word` holds `seen`; returns early on a wake-up, a signal or a changed word.
void FutexWait(std::atomic<uint32_t>& word, uint32_t seen) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr,
          nullptr, 0);
}

void FutexWakeAll(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

}  // namespace

void WakeupSlots::Wait(uint64_t drain, const std::atomic<bool>& answered) {
  std::atomic<uint32_t>& word = slots_[drain % kSlots].changes;
  while (true) {
    // Read the word before the flag: an answer given after this read changes the word, so the
    // wait below returns at once instead of missing the wake-up.
    const uint32_t seen = word.load(std::memory_order_acquire);
    if (answered.load(std::memory_order_acquire)) return;
    FutexWait(word, seen);
  }
}

void WakeupSlots::WakeAll(uint64_t drain) {
  std::atomic<uint32_t>& word = slots_[drain % kSlots].changes;
  word.fetch_add(1, std::memory_order_release);
  FutexWakeAll(word);
}

}  // namespace mct::consumers
