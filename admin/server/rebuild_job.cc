#include "admin/server/rebuild_job.h"

#include <spdlog/spdlog.h>

#include "admin/cli.h"

namespace mct::admin::server {

RebuildJob::~RebuildJob() { Wait(); }

bool RebuildJob::Start(const domain::Actor& actor, FinishedFn finished) {
  std::thread finished_thread;
  {
    std::lock_guard lock(mutex_);
    if (status_["state"] == "running") return false;
    finished_thread = std::move(thread_);
  }
  // The last rebuild's thread, done or about to be (its `finished` may still read Status()):
  // joined without the lock it may need.
  if (finished_thread.joinable()) finished_thread.join();
  std::lock_guard lock(mutex_);
  if (status_["state"] == "running" || thread_.joinable()) return false;  // another Start won
  status_ = {{"state", "running"},
             {"asked_by", {{"role", domain::ToString(actor.role)}, {"id", actor.id}}},
             {"started_at", Now().ToString()},
             {"events_done", 0},
             {"events_total", store_.log->Head()},
             {"progress", 0.0}};
  if (store_.models->NeedsRebuild()) status_["from_layout"] = store_.models->StoredLayout();
  thread_ = std::thread([this, finished = std::move(finished)] { Run(finished); });
  return true;
}

nlohmann::json RebuildJob::Status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void RebuildJob::Wait() {
  std::thread finished;
  {
    std::lock_guard lock(mutex_);
    finished = std::move(thread_);
  }
  if (finished.joinable()) finished.join();
}

void RebuildJob::Run(const FinishedFn& finished) {
  Rebuild();
  if (finished) finished(Status());
}

void RebuildJob::Rebuild() {
  progress_(0);
  // The live generation's digest now; the rebuilt one has applied at least as much, so the two
  // are compared only when no event came meanwhile. Read models of another layout have none
  // this build can read, and are not caught up: what the runner wrote there would be dropped.
  const uint64_t head_before = store_.log->Head();
  const bool other_layout = store_.models->NeedsRebuild();
  spdlog::info(R"({{"msg":"rebuild started","events":{}}})", head_before);
  Result<uint64_t> caught_up = other_layout ? Result<uint64_t>(0) : store_.runner->CatchUp();
  Result<std::string> before =
      other_layout ? Result<std::string>(std::string()) : store_.models->Checksum();
  auto stats = store_.runner->Rebuild([this](uint64_t folded, uint64_t target) {
    const double fraction = target == 0 ? 1.0 : static_cast<double>(folded) / static_cast<double>(target);
    progress_(fraction);
    std::lock_guard lock(mutex_);
    status_["events_done"] = folded;
    status_["events_total"] = target;
    status_["progress"] = fraction;
  });
  std::lock_guard lock(mutex_);
  status_["finished_at"] = Now().ToString();
  if (!caught_up.ok() || !before.ok() || !stats.ok()) {
    const Error& error = !caught_up.ok() ? caught_up.error()
                         : !before.ok()  ? before.error()
                                         : stats.error();
    status_["state"] = "failed";
    status_["error"] = error.message;
    spdlog::error(R"({{"msg":"rebuild failed","error":{}}})", nlohmann::json(error.message).dump());
    return;
  }
  progress_(1);
  status_["state"] = "done";
  status_["events_done"] = stats->events;
  status_["progress"] = 1.0;
  status_["seconds"] = stats->seconds;
  status_["events_per_second"] =
      stats->seconds > 0 ? static_cast<double>(stats->events) / stats->seconds : 0.0;
  status_["checksum_after"] = stats->checksum;
  if (!other_layout) {
    status_["checksum_before"] = before.value();
    if (stats->events == head_before)
      status_["checksums_equal"] = before.value() == stats->checksum;
  }
  spdlog::info(R"({{"msg":"rebuild done","events":{},"seconds":{}}})", stats->events, stats->seconds);
}

}  // namespace mct::admin::server
