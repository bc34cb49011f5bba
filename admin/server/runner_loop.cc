#include "admin/server/runner_loop.h"

#include <pthread.h>

namespace mct::admin::server {

RunnerLoop::RunnerLoop(Store& store, std::function<void(const Result<uint64_t>&)> caught_up)
    : store_(store), caught_up_(std::move(caught_up)), thread_([this] {
        pthread_setname_np(pthread_self(), "mct-runner");  // for `top -H` and profilers
        Run();
      }) {}

RunnerLoop::~RunnerLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RunnerLoop::Wake() {
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
    notify = waiting_for_work_;
    waiting_for_work_ = false;  // one wake-up is enough
  }
  if (notify) wake_.notify_one();
}

void RunnerLoop::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    pending_ = false;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    // Read models of another layout are being rebuilt (HttpApi::RebuildOtherLayout), which
    // applies the log up to its switch; what a catch-up wrote into them would be dropped.
    if (!store_.models->NeedsRebuild()) caught_up_(store_.runner->CatchUp());
    lock.lock();
    waiting_for_work_ = true;
    wake_.wait_for(lock, kIdleCatchUp, [this] { return stopping_ || pending_; });
    waiting_for_work_ = false;
    // Under load every command wakes the runner, and a catch-up per command would write the
    // read models a few events at a time; waiting out the rest of kMinCatchUpGap lets each
    // write carry all that came meanwhile. An idle server still catches up at once.
    wake_.wait_until(lock, started + kMinCatchUpGap, [this] { return stopping_; });
  }
}

}  // namespace mct::admin::server
