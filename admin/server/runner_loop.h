// RunnerLoop: the thread that keeps the read models up with the log in a serving process. It
// catches up when woken after appends, at most once per kMinCatchUpGap under load, and polls
// every kIdleCatchUp besides, so a missed wake-up only delays.
//
// Thread-safety: Wake may be called from any thread; the destructor stops and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "admin/store.h"

namespace mct::admin::server {

class RunnerLoop {
 public:
  // `caught_up` is called on the runner's thread after every catch-up with its result (the events
  // it applied, or the error). None is made while the read models are in another layout.
  RunnerLoop(Store& store, std::function<void(const Result<uint64_t>&)> caught_up);
  ~RunnerLoop();
  RunnerLoop(const RunnerLoop&) = delete;
  RunnerLoop& operator=(const RunnerLoop&) = delete;

  // Only a runner waiting for work is woken: during a catch-up or its gap it looks at `pending_`
  // anyway, and under load a wake-up per command would cost a context switch per command.
  void Wake();

 private:
  void Run();

  static constexpr std::chrono::milliseconds kIdleCatchUp{200};
  // 20 ms rather than 5: a trainer's several commands within the gap cost one write of its views,
  // about 7% more commands/s at saturation for about 0.5 ms more p99 at 5,000/s (bench/README.md).
  static constexpr std::chrono::milliseconds kMinCatchUpGap{20};

  Store& store_;
  std::function<void(const Result<uint64_t>&)> caught_up_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;           // appends since the last catch-up began
  bool waiting_for_work_ = false;  // in the wait for `pending_`, where only a notify wakes it
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace mct::admin::server
