// Metrics of mctd in Prometheus' text format (prometheus-cpp core): commands by type and outcome
// (the rejection code as a label: a closed set, so bounded), command latency, histograms of append
// batch sizes and fsync times, projection lag in events and seconds, log size, rebuild progress.
//
// Card data never reaches a label (architecture invariant 8): labels are command names, outcomes
// and rejection codes only.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "admin/store.h"

namespace mct::admin::server {

class Metrics {
 public:
  Metrics();

  // One command answered: `outcome` accepted, retried or rejected; `code` the rejection code or "".
  void CommandAnswered(std::string_view command, std::string_view outcome, std::string_view code,
                       double seconds);
  // One command refused before it was decided (malformed body, wrong type, unknown field...):
  // counted with the outcome "invalid"; `command` is a known command name or "unknown".
  void CommandRefused(std::string_view command, std::string_view code);
  void HttpAnswered(int status);
  void RebuildProgress(double fraction) { rebuild_progress_->Set(fraction); }

  // Samples the store (batches, fsync time, lag, log size) and renders every metric.
  std::string Render(const Store& store);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* commands_;
  prometheus::Family<prometheus::Histogram>* command_seconds_;
  prometheus::Family<prometheus::Counter>* http_responses_;
  prometheus::Gauge* rebuild_progress_;
  prometheus::Gauge* log_events_;
  prometheus::Gauge* log_bytes_;
  prometheus::Gauge* lag_events_;
  prometheus::Gauge* lag_seconds_;
  prometheus::Counter* batches_;
  prometheus::Counter* batched_requests_;
  prometheus::Counter* fsync_seconds_;
  prometheus::Gauge* batch_size_average_;
  prometheus::Histogram* batch_sizes_;
  prometheus::Histogram* fsync_durations_;

  // The series of each label set, found once: Family::Add builds and hashes a label map on
  // every call, which cost more than the rest of counting a command.
  struct CommandSeries {
    prometheus::Counter* count = nullptr;
    prometheus::Histogram* seconds = nullptr;
  };
  // The series of one label set, added on first use; `timed` ones have a latency histogram.
  const CommandSeries& SeriesOf(std::string_view command, std::string_view outcome,
                                std::string_view code, bool timed);
  std::shared_mutex series_mutex_;
  std::unordered_map<std::string, CommandSeries> command_series_;    // "command/outcome/code"
  std::array<std::atomic<prometheus::Counter*>, 6> http_classes_{};  // by status / 100

  std::mutex sample_mutex_;
  consumers::CommitStats last_stats_;
};

}  // namespace mct::admin::server
