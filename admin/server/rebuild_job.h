// RebuildJob: a rebuild of every read model run by mctd itself, in the background, while the live
// generation keeps serving (consumers/projection_runner.h). mctctl cannot rebuild while mctd
// holds the store, so this is how a running server gets fresh read models and how an auditor
// checks invariant 1 on live data: the rebuilt state's checksum must equal the live one's.
//
// One rebuild at a time; its progress goes to Status() and to a sink (mctd's: /metrics,
// mct_rebuild_progress_ratio). The destructor waits for a running rebuild (a graceful stop finishes it: a rebuild
// reads about a million events a second).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "admin/store.h"
#include "domain/values.h"

namespace mct::admin::server {

class RebuildJob {
 public:
  // `progress` gets the fraction done, 0 to 1, on the rebuild's thread.
  using ProgressSink = std::function<void(double fraction)>;
  RebuildJob(Store& store, ProgressSink progress) : store_(store), progress_(std::move(progress)) {}
  ~RebuildJob();
  RebuildJob(const RebuildJob&) = delete;
  RebuildJob& operator=(const RebuildJob&) = delete;

  // Gets the final Status() on the rebuild's thread.
  using FinishedFn = std::function<void(const nlohmann::json& status)>;
  // Starts a rebuild asked by `actor`; false when one is running already. Read models of
  // another build's layout (mctd's start-up) are rebuilt without the live checksum, which
  // cannot be read as this build's.
  bool Start(const domain::Actor& actor, FinishedFn finished = {});
  // {"state": "idle"|"running"|"done"|"failed", "asked_by", "started_at", "finished_at",
  //  "from_layout", "events_done", "events_total", "progress", "seconds", "events_per_second",
  //  "checksum_before", "checksum_after", "checksums_equal", "error"}; fields that do not apply
  // are absent ("from_layout" only for read models of another layout, which have no
  // "checksum_before").
  nlohmann::json Status() const;
  // Blocks until no rebuild is running (tests, shutdown).
  void Wait();

 private:
  void Run(const FinishedFn& finished);
  void Rebuild();

  Store& store_;
  ProgressSink progress_;
  mutable std::mutex mutex_;
  std::thread thread_;
  nlohmann::json status_ = {{"state", "idle"}};
};

}  // namespace mct::admin::server
