#include "consumers/projection_runner.h"

#include <rocksdb/write_batch.h>

#include <chrono>
#include <map>
#include <unordered_map>

#include "consumers/keys.h"
#include "projections/gaps.h"

namespace mct::consumers {
namespace {

// One trainer's view across a batch: as stored before it, and as folded so far.
struct ViewSlot {
  projections::TrainerView before;
  projections::TrainerView now;
};

bool Indexed(const projections::TrainerView& view) {
  return view.state.enrolled && !view.state.alumni;
}

StoredGaps GapsOf(const projections::TrainerView& view) {
  return StoredGaps{projections::ClosedGaps(view.state), view.state.anniversary};
}

// Writes what changed in one trainer's read models between `before` and `now`.
void WriteTrainer(rocksdb::WriteBatch& batch, const Generation& generation, const std::string& mcid,
                  const ViewSlot& slot) {
  const std::string encoded = EncodeView(slot.now);
  if (!slot.before.state.enrolled || encoded != EncodeView(slot.before)) {
    batch.Put(generation.status, mcid, encoded);
  }
  const auto& before = slot.before.state;
  const auto& now = slot.now.state;
  if (Indexed(slot.before) != Indexed(slot.now) || before.anniversary != now.anniversary) {
    if (Indexed(slot.before)) batch.Delete(generation.anniversary, AnniversaryKey(before.anniversary, mcid));
    if (Indexed(slot.now)) batch.Put(generation.anniversary, AnniversaryKey(now.anniversary, mcid), "");
  }
  if (before.enrolled != now.enrolled || before.email != now.email) {
    if (before.enrolled) batch.Delete(generation.email, EmailKey(before.email, mcid));
    if (now.enrolled) batch.Put(generation.email, EmailKey(now.email, mcid), "");
  }
  const StoredGaps gaps = GapsOf(slot.now);
  if (!before.enrolled || !(gaps == GapsOf(slot.before))) {
    batch.Put(generation.gaps, mcid, EncodeGaps(gaps));
  }
}

}  // namespace

Result<uint64_t> ProjectionRunner::Apply(const Generation& generation, uint64_t target,
                                         const RunnerOptions& options, const ProgressFn& progress) {
  rocksdb::DB* db = models_.db().db();
  auto checkpoint = models_.Checkpoint(generation);
  if (!checkpoint.ok()) return checkpoint.error();
  uint64_t position = checkpoint.value();

  rocksdb::ReadOptions scan;
  scan.readahead_size = 4 << 20;
  scan.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> log(db->NewIterator(scan, models_.db().log()));
  log->Seek(keys::Position(position + 1));

  while (position < target) {
    std::unordered_map<std::string, ViewSlot> views;
    std::map<std::string, int64_t> counters;  // "YYYY-MM/name" → delta
    std::vector<projections::CounterDelta> deltas;
    size_t folded = 0;
    for (; log->Valid() && folded < options.batch_events && position < target; log->Next()) {
      auto envelope = DecodeBinary(log->value().ToStringView());
      if (!envelope.ok()) {
        return Error{"event at position " + std::to_string(keys::ReadBigEndian64(log->key().ToStringView())) +
                     " cannot be read: " + envelope.error().message};
      }
      const domain::RecordedEvent& event = envelope->event;
      const std::string& mcid = event.meta.mcid.str();
      auto [slot, inserted] = views.try_emplace(mcid);
      if (inserted) {
        std::string stored;
        const rocksdb::Status got = db->Get(rocksdb::ReadOptions(), generation.status, mcid, &stored);
        if (got.ok()) {
          auto view = DecodeView(stored);
          if (!view.ok()) return view.error();
          slot->second.before = std::move(view).value();
          slot->second.now = slot->second.before;
        } else if (!got.IsNotFound()) {
          return FromRocks(got, "reading a trainer view").error();
        }
      }
      deltas.clear();
      projections::ApplyToView(slot->second.now, event, &deltas);
      for (const auto& delta : deltas) counters[delta.month + "/" + delta.name] += delta.delta;
      position = envelope->global_position;
      ++folded;
    }
    if (!log->status().ok()) return FromRocks(log->status(), "reading the log").error();
    if (folded == 0) break;  // the log ends before `target`

    rocksdb::WriteBatch batch;
    for (const auto& [mcid, slot] : views) WriteTrainer(batch, generation, mcid, slot);
    for (const auto& [key, delta] : counters) {
      if (delta == 0) continue;
      std::string stored;
      int64_t value = 0;
      if (db->Get(rocksdb::ReadOptions(), generation.reports, key, &stored).ok()) {
        value = static_cast<int64_t>(keys::ReadBigEndian64(stored));
      }
      batch.Put(generation.reports, key, keys::Position(static_cast<uint64_t>(value + delta)));
    }
    batch.Put(generation.checkpoint, "position", keys::Position(position));  // invariant 4
    rocksdb::WriteOptions write;
    write.disableWAL = !options.durable;
    if (Status written = FromRocks(db->Write(write, &batch), "writing read models"); !written.ok()) {
      return written.error();
    }
    if (progress) progress(position, target);
  }
  return position;
}

Result<uint64_t> ProjectionRunner::CatchUp(const ProgressFn& progress) {
  std::lock_guard lock(live_mutex_);
  const auto generation = models_.Current();
  RunnerOptions options;
  options.batch_events = 20000;
  return Apply(*generation, store_.Head(), options, progress);
}

Result<RebuildStats> ProjectionRunner::Rebuild(const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  auto next = models_.CreateNext();
  if (!next.ok()) return next.error();
  RunnerOptions bulk;
  bulk.durable = false;
  // The bulk of the log, while the live generation keeps serving and catching up.
  auto applied = Apply(*next.value(), store_.Head(), bulk, progress);
  if (applied.ok()) {
    // The rest, with the live runner paused, so nothing lands between catch-up and switch.
    std::lock_guard lock(live_mutex_);
    applied = Apply(*next.value(), store_.Head(), bulk, progress);
    if (applied.ok()) {
      rocksdb::FlushOptions flush;
      std::vector<rocksdb::ColumnFamilyHandle*> families;
      for (const auto& [name, family] : next.value()->Digested()) families.push_back(family);
      families.push_back(next.value()->checkpoint);
      // The rebuild skipped the WAL: make it durable before it becomes the live generation.
      const Status flushed = FromRocks(models_.db().db()->Flush(flush, families), "flushing the rebuild");
      if (!flushed.ok()) applied = flushed.error();
    }
    if (applied.ok()) {
      if (Status switched = models_.SwitchTo(next.value()); !switched.ok()) return switched.error();
    }
  }
  if (!applied.ok()) {
    (void)models_.Discard(*next.value());
    return applied.error();
  }
  RebuildStats stats;
  stats.events = applied.value();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto checksum = models_.Checksum();
  if (!checksum.ok()) return checksum.error();
  stats.checksum = checksum.value();
  return stats;
}

}  // namespace mct::consumers
