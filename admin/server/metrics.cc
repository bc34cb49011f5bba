#include "admin/server/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <vector>

namespace mct::admin::server {
namespace {

template <size_t N>
prometheus::Histogram::BucketBoundaries Bounds(const std::array<double, N>& bounds) {
  return {bounds.begin(), bounds.end()};
}

// What each bucket gained since `before`, for Histogram::ObserveMultiple.
template <size_t N>
std::vector<double> Increments(const std::array<uint64_t, N>& now,
                               const std::array<uint64_t, N>& before) {
  std::vector<double> out(N);
  for (size_t index = 0; index < N; ++index) {
    out[index] = static_cast<double>(now[index] - before[index]);
  }
  return out;
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  commands_ = &prometheus::BuildCounter()
                   .Name("mct_commands_total")
                   .Help("Commands answered, by command, outcome and rejection code")
                   .Register(*registry_);
  command_seconds_ = &prometheus::BuildHistogram()
                          .Name("mct_command_duration_seconds")
                          .Help("Time to answer a command, durable append included")
                          .Register(*registry_);
  http_responses_ = &prometheus::BuildCounter()
                         .Name("mct_http_responses_total")
                         .Help("HTTP responses by status class")
                         .Register(*registry_);
  rebuild_progress_ = &prometheus::BuildGauge()
                           .Name("mct_rebuild_progress_ratio")
                           .Help("Progress of the running read-model rebuild, 0 to 1")
                           .Register(*registry_)
                           .Add({});
  log_events_ = &prometheus::BuildGauge()
                     .Name("mct_log_events")
                     .Help("Events in the log (its last global position)")
                     .Register(*registry_)
                     .Add({});
  log_bytes_ = &prometheus::BuildGauge()
                    .Name("mct_log_bytes")
                    .Help("Estimated live bytes of the log column family")
                    .Register(*registry_)
                    .Add({});
  lag_events_ = &prometheus::BuildGauge()
                     .Name("mct_projection_lag_events")
                     .Help("Events in the log not yet applied to the read models")
                     .Register(*registry_)
                     .Add({});
  lag_seconds_ = &prometheus::BuildGauge()
                      .Name("mct_projection_lag_seconds")
                      .Help("Age of the oldest event not yet applied to the read models")
                      .Register(*registry_)
                      .Add({});
  batches_ = &prometheus::BuildCounter()
                  .Name("mct_append_batches_total")
                  .Help("Group commits: WAL syncs of the event store")
                  .Register(*registry_)
                  .Add({});
  batched_requests_ = &prometheus::BuildCounter()
                           .Name("mct_append_requests_total")
                           .Help("Append requests carried by the group commits")
                           .Register(*registry_)
                           .Add({});
  fsync_seconds_ = &prometheus::BuildCounter()
                        .Name("mct_append_fsync_seconds_total")
                        .Help("Time spent syncing the log's WAL")
                        .Register(*registry_)
                        .Add({});
  batch_sizes_ = &prometheus::BuildHistogram()
                      .Name("mct_append_batch_size")
                      .Help("Append requests carried by each group commit")
                      .Register(*registry_)
                      .Add({}, Bounds(consumers::kBatchSizeBounds));
  fsync_durations_ = &prometheus::BuildHistogram()
                          .Name("mct_append_fsync_duration_seconds")
                          .Help("Time each WAL sync of a group commit took")
                          .Register(*registry_)
                          .Add({}, Bounds(consumers::kSyncSecondsBounds));
  batch_size_average_ = &prometheus::BuildGauge()
                             .Name("mct_append_batch_size_average")
                             .Help("Average requests per group commit since start")
                             .Register(*registry_)
                             .Add({});
}

void Metrics::CommandAnswered(std::string_view command, std::string_view outcome,
                              std::string_view code, double seconds) {
  const CommandSeries& series = SeriesOf(command, outcome, code, /*timed=*/true);
  series.count->Increment();
  series.seconds->Observe(seconds);
}

void Metrics::CommandRefused(std::string_view command, std::string_view code) {
  SeriesOf(command, "invalid", code, /*timed=*/false).count->Increment();
}

const Metrics::CommandSeries& Metrics::SeriesOf(std::string_view command, std::string_view outcome,
                                                std::string_view code, bool timed) {
  std::string key;
  key.reserve(command.size() + outcome.size() + code.size() + 2);
  key.append(command).append(1, '/').append(outcome).append(1, '/').append(code);
  {
    std::shared_lock lock(series_mutex_);
    // A series first counted untimed (a body refused before it was decided) gains its histogram
    // below when a decided command of the same labels comes (invalid_input found by the rules).
    if (const auto found = command_series_.find(key);
        found != command_series_.end() && (!timed || found->second.seconds != nullptr)) {
      return found->second;
    }
  }
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1};
  std::unique_lock lock(series_mutex_);
  auto [entry, added] = command_series_.try_emplace(std::move(key));
  if (added) {
    entry->second.count = &commands_->Add({{"command", std::string(command)},
                                           {"outcome", std::string(outcome)},
                                           {"code", std::string(code)}});
  }
  // Set once, under the exclusive lock, and never changed: a reader that saw it set reads it.
  if (timed && entry->second.seconds == nullptr) {
    entry->second.seconds = &command_seconds_->Add({{"command", std::string(command)}}, kBuckets);
  }
  return entry->second;  // a map's elements stay where they are while it grows
}

void Metrics::HttpAnswered(int status) {
  const size_t status_class = std::clamp(status / 100, 1, 5);
  prometheus::Counter* counter = http_classes_[status_class].load(std::memory_order_acquire);
  if (counter == nullptr) {
    std::unique_lock lock(series_mutex_);
    counter = &http_responses_->Add({{"class", std::to_string(status_class) + "xx"}});
    http_classes_[status_class].store(counter, std::memory_order_release);
  }
  counter->Increment();
}

std::string Metrics::Render(const Store& store) {
  {
    std::lock_guard lock(sample_mutex_);
    const consumers::CommitStats stats = store.log->Stats();
    batches_->Increment(static_cast<double>(stats.syncs - last_stats_.syncs));
    batched_requests_->Increment(static_cast<double>(stats.requests - last_stats_.requests));
    fsync_seconds_->Increment(stats.sync_seconds - last_stats_.sync_seconds);
    batch_sizes_->ObserveMultiple(
        Increments(stats.syncs_by_requests, last_stats_.syncs_by_requests),
        static_cast<double>(stats.requests - last_stats_.requests));
    fsync_durations_->ObserveMultiple(
        Increments(stats.syncs_by_seconds, last_stats_.syncs_by_seconds),
        stats.sync_seconds - last_stats_.sync_seconds);
    batch_size_average_->Set(stats.syncs == 0 ? 0
                                              : static_cast<double>(stats.requests) /
                                                    static_cast<double>(stats.syncs));
    last_stats_ = stats;
    const uint64_t head = store.log->Head();
    log_events_->Set(static_cast<double>(head));
    uint64_t live_bytes = 0;
    store.db->db()->GetIntProperty(store.db->log(), "rocksdb.estimate-live-data-size", &live_bytes);
    uint64_t memtable_bytes = 0;
    store.db->db()->GetIntProperty(store.db->log(), "rocksdb.cur-size-all-mem-tables",
                                   &memtable_bytes);
    log_bytes_->Set(static_cast<double>(live_bytes + memtable_bytes));
    const auto checkpoint = store.models->Checkpoint(*store.models->Current());
    const uint64_t applied = checkpoint.ok() ? checkpoint.value() : 0;
    lag_events_->Set(static_cast<double>(head > applied ? head - applied : 0));
    double lag_seconds = 0;
    if (head > applied) {
      auto oldest = store.log->ReadLog(applied + 1, 1);
      if (oldest.ok() && !oldest.value().empty()) {
        const auto now = std::chrono::system_clock::now();
        lag_seconds =
            std::chrono::duration<double>(now - oldest.value().front().event.meta.at.point())
                .count();
      }
    }
    lag_seconds_->Set(lag_seconds < 0 ? 0 : lag_seconds);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace mct::admin::server
