// ProjectionRunner: keeps the read models up with the log. It reads the log from a generation's
// checkpoint, folds a batch of events in memory with projections/ (each trainer's view, the report
// counters), and writes every changed key once per batch together with the new checkpoint in ONE
// WriteBatch: after a crash it resumes from the checkpoint, never applying an event twice or
// skipping one (architecture invariant 4).
//
// Rebuild fills a fresh generation from position 0 while the live one keeps serving, catches it up
// under the runner's lock, and switches in one write (invariant 1: the rebuilt state is the live
// state, byte for byte; `ReadModels::Checksum` proves it).
//
// Thread-safety: CatchUp and Rebuild may be called from any thread; catch-ups of the live
// generation are serialised by the runner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>

#include "consumers/event_store.h"
#include "consumers/read_models.h"

namespace mct::consumers {

// Called as the work goes (after each chunk read and each batch written): the last position
// folded so far and the log head being caught up to.
using ProgressFn = std::function<void(uint64_t folded, uint64_t target)>;

struct RunnerOptions {
  size_t batch_events = 100000;  // events folded in memory before one write
  size_t max_views = 100000;     // trainers folded in memory before one write (bounds memory)
  bool durable = true;           // write the WAL (off for a rebuild, which flushes at the end)
  // The first batch goes into empty families as ingested files (BulkLoad): only for a
  // generation that is not live yet and that nothing else writes to (a rebuild's).
  bool bulk_load = false;
};

// A rebuild's batches: bounded by trainers only, since a trainer's keys are written once per
// batch that touched them (max_views bounds the memory), so up to max_views trainers the whole
// log is one batch, bulk-loaded as files; later batches go without the WAL (the rebuild flushes
// before it switches).
inline RunnerOptions RebuildOptions() {
  // A rebuild of 40,000 trainers adds about 120 MB to the process (bench/README.md, "Memory"):
  // about 3 KB per trainer folded, counting its view, its keys gathered for the bulk load and the
  // chunks decoded ahead. 50,000 bound that near 150 MB.
  return RunnerOptions{.batch_events = std::numeric_limits<size_t>::max(),
                       .max_views = 50000,
                       .durable = false,
                       .bulk_load = true};
}

struct RebuildStats {
  uint64_t events = 0;
  double seconds = 0;
  std::string checksum;  // of the new generation holding exactly `events` events
};

class ProjectionRunner {
 public:
  ProjectionRunner(const EventStore& store, ReadModels& models) : store_(store), models_(models) {}

  // Applies every event after the live generation's checkpoint; answers the new checkpoint.
  Result<uint64_t> CatchUp(const ProgressFn& progress = {});

  // Builds a new generation from the whole log and switches to it.
  Result<RebuildStats> Rebuild(const ProgressFn& progress = {},
                               const RunnerOptions& options = RebuildOptions());

  // Blocks until the live read models have applied the log up to `position` or `deadline` has
  // passed; answers the position they have applied (short of `position` when the deadline
  // passed). Every catch-up and rebuild of this runner wakes it: a reader that must see its own
  // write (mctd's ?after=) waits for exactly that, not for a poll.
  Result<uint64_t> WaitFor(uint64_t position, std::chrono::steady_clock::time_point deadline);

 private:
  void WakeWaiters();
  // Applies events (checkpoint, target] of `generation`; answers the new checkpoint.
  Result<uint64_t> Apply(const Generation& generation, uint64_t target,
                         const RunnerOptions& options, const ProgressFn& progress);

  const EventStore& store_;
  ReadModels& models_;
  std::mutex live_mutex_;  // one catch-up of the live generation at a time
  std::mutex applied_mutex_;
  std::condition_variable applied_;
  uint64_t applications_ = 0;  // catch-ups and rebuilds done: a waiter sees that one came
};

}  // namespace mct::consumers
