#include "consumers/projection_runner.h"

#include <rocksdb/snapshot.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <unordered_map>

#include "consumers/bulk_load.h"
#include "consumers/keys.h"
#include "consumers/log_chunks.h"
#include "projections/gaps.h"

namespace mct::consumers {
namespace {

// One trainer's view across a batch: as stored before it, and as folded so far.
struct ViewSlot {
  // None when the generation holds nothing for the trainer yet, as for every trainer of a
  // rebuild's first batch: a view takes about 1 KB, and a batch holds tens of thousands.
  std::unique_ptr<const projections::TrainerView> stored;
  projections::TrainerView now;

  const projections::TrainerView& before() const {
    static const projections::TrainerView kNothingStored;
    return stored ? *stored : kNothingStored;
  }
};

bool Indexed(const projections::TrainerView& view) {
  return view.state.enrolled && !view.state.alumni;
}

StoredGaps GapsOf(const projections::TrainerView& view) {
  return StoredGaps{projections::ClosedGaps(view.state), view.state.anniversary};
}

// Writes what changed in one trainer's read models between `before` and `now`.
template <typename Batch>  // a rocksdb::WriteBatch or a BulkLoad
void WriteTrainer(Batch& batch, const Generation& generation, const std::string& mcid,
                  const ViewSlot& slot) {
  const projections::TrainerView& stored = slot.before();
  const std::string encoded = EncodeView(slot.now);
  if (!stored.state.enrolled || encoded != EncodeView(stored)) {
    batch.Put(generation.status, mcid, encoded);
  }
  const auto& before = stored.state;
  const auto& now = slot.now.state;
  if (Indexed(stored) != Indexed(slot.now) || before.anniversary != now.anniversary) {
    if (Indexed(stored))
      batch.Delete(generation.anniversary, AnniversaryKey(before.anniversary, mcid));
    if (Indexed(slot.now))
      batch.Put(generation.anniversary, AnniversaryKey(now.anniversary, mcid), "");
  }
  if (before.enrolled != now.enrolled || before.email != now.email) {
    if (before.enrolled) batch.Delete(generation.email, EmailKey(before.email, mcid));
    if (now.enrolled) batch.Put(generation.email, EmailKey(now.email, mcid), "");
  }
  const StoredGaps gaps = GapsOf(slot.now);
  if (!before.enrolled || !(gaps == GapsOf(stored))) {
    batch.Put(generation.gaps, mcid, EncodeGaps(gaps));
  }
}

// A trainer's view as the generation stores it (none yet: an empty view).
Status LoadView(rocksdb::DB* db, const Generation& generation, const std::string& mcid,
                ViewSlot& slot) {
  std::string stored;
  const rocksdb::Status got = db->Get(rocksdb::ReadOptions(), generation.status, mcid, &stored);
  if (got.IsNotFound()) return Ok();
  if (!got.ok()) return FromRocks(got, "reading a trainer view");
  auto view = DecodeView(stored);
  if (!view.ok()) return view.error();
  slot.now = view.value();
  slot.stored = std::make_unique<const projections::TrainerView>(std::move(view).value());
  return Ok();
}

// The entries of a hash map in key order, by pointer (folding looks up by hash; writing wants
// order).
template <typename Map>
std::vector<std::pair<const typename Map::key_type*, const typename Map::mapped_type*>> SortedByKey(
    const Map& map) {
  std::vector<std::pair<const typename Map::key_type*, const typename Map::mapped_type*>> sorted;
  sorted.reserve(map.size());
  for (const auto& [key, value] : map) sorted.emplace_back(&key, &value);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return sorted;
}

// Adds the batch's counter deltas to the stored counters; a generation with nothing applied yet
// has none stored, and is not asked.
template <typename Batch>
Status AddCounters(rocksdb::DB* db, const Generation& generation,
                   const std::unordered_map<std::string, int64_t>& counters, bool generation_empty,
                   Batch& batch) {
  for (const auto& [key, delta] : SortedByKey(counters)) {
    if (*delta == 0) continue;
    std::string stored;
    int64_t value = 0;
    const rocksdb::Status got =
        generation_empty ? rocksdb::Status::NotFound()
                         : db->Get(rocksdb::ReadOptions(), generation.reports, *key, &stored);
    if (got.ok()) {
      value = static_cast<int64_t>(keys::ReadBigEndian64(stored));
    } else if (!got.IsNotFound()) {
      return FromRocks(got, "reading a report counter");
    }
    batch.Put(generation.reports, *key, keys::Position(static_cast<uint64_t>(value + *delta)));
  }
  return Ok();
}

// Puts every changed key of one folded batch, the counters and the checkpoint into `batch`:
// one write, so the checkpoint lands with the state derived up to it (invariant 4). `second`,
// when given, takes the second half of the trainers, filled on another thread (a bulk load
// merges the two before its files are built; a WriteBatch is never split).
template <typename Batch>
Status FillBatch(rocksdb::DB* db, const Generation& generation,
                 const std::unordered_map<std::string, ViewSlot>& views,
                 const std::unordered_map<std::string, int64_t>& counters, bool generation_empty,
                 uint64_t position, Batch& batch, Batch* second = nullptr) {
  // In key order, so that each family's keys reach RocksDB sorted: cheap memtable inserts, and
  // most of the bulk load's files need no sorting.
  const auto sorted = SortedByKey(views);
  const auto half = second != nullptr
                        ? sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2)
                        : sorted.end();
  std::future<void> second_half;
  if (second != nullptr) {
    second_half = std::async(std::launch::async, [&] {
      for (auto it = half; it != sorted.end(); ++it)
        WriteTrainer(*second, generation, *it->first, *it->second);
    });
  }
  for (auto it = sorted.begin(); it != half; ++it)
    WriteTrainer(batch, generation, *it->first, *it->second);
  const Status counted = AddCounters(db, generation, counters, generation_empty, batch);
  if (second_half.valid()) second_half.get();  // joined before `sorted` goes, whatever happened
  if (!counted.ok()) return counted;
  batch.Put(generation.checkpoint, "position", keys::Position(position));
  return Ok();
}

}  // namespace

Result<uint64_t> ProjectionRunner::Apply(const Generation& generation, uint64_t target,
                                         const RunnerOptions& options, const ProgressFn& progress) {
  rocksdb::DB* db = models_.db().db();
  auto checkpoint = models_.Checkpoint(generation);
  if (!checkpoint.ok()) return checkpoint.error();
  uint64_t position = checkpoint.value();

  LogChunks log(models_.db(), position, target,
                LogChunkOptions{.fields = DecodedFields::kForFolding});
  std::vector<EventEnvelope> chunk;
  size_t next_in_chunk = 0;
  bool log_ended = false;
  bool generation_empty = position == 0;  // nothing applied yet: nothing stored to load or replace
  while (position < target && !log_ended) {
    std::unordered_map<std::string, ViewSlot> views;
    std::unordered_map<std::string, int64_t> counters;  // "YYYY-MM/name" → delta
    ViewSlot* last_slot = nullptr;  // a trainer's events often follow each other in the log
    const std::string* last_mcid = nullptr;
    std::vector<projections::CounterDelta> deltas;
    std::string counter_key;
    size_t folded = 0;
    while (folded < options.batch_events && views.size() < options.max_views) {
      if (next_in_chunk == chunk.size()) {
        if (progress && folded != 0) progress(position, target);
        auto read = log.Next(std::move(chunk));
        if (!read.ok()) return read.error();
        chunk = std::move(read).value();
        next_in_chunk = 0;
        if (chunk.empty()) {
          log_ended = true;  // the log may end before `target`
          break;
        }
      }
      const EventEnvelope& envelope = chunk[next_in_chunk++];
      const domain::RecordedEvent& event = envelope.event;
      const std::string& mcid = event.meta.mcid.str();
      if (last_mcid == nullptr || *last_mcid != mcid) {
        auto [slot, inserted] = views.try_emplace(mcid);
        last_mcid = &slot->first;
        last_slot = &slot->second;
        // A generation with nothing applied holds no view to load (views and checkpoint are
        // written together): a rebuild's first batch would otherwise look up every trainer.
        if (inserted && !generation_empty) {
          if (Status loaded = LoadView(db, generation, mcid, *last_slot); !loaded.ok()) {
            return loaded.error();
          }
        }
      }
      deltas.clear();
      projections::ApplyToView(last_slot->now, event, &deltas);
      for (const auto& delta : deltas) {
        // The key built in one reused buffer: a counter exists after its first event, and a
        // rebuild adds to counters about once per event.
        counter_key.assign(delta.month).append("/").append(delta.name);
        if (auto found = counters.find(counter_key); found != counters.end()) {
          found->second += delta.delta;
        } else {
          counters.emplace(counter_key, delta.delta);
        }
      }
      position = envelope.global_position;
      ++folded;
    }
    if (folded == 0) break;

    Status written = Ok();
    if (options.bulk_load && generation_empty) {
      BulkLoad load(db, models_.db().dir() / "rebuild-files");
      BulkLoad second_half(db, {});
      written = FillBatch(db, generation, views, counters, generation_empty, position, load,
                          &second_half);
      load.Absorb(std::move(second_half));
      views.clear();  // all in the load now: their memory can go to building its files
      if (written.ok()) written = load.Ingest();
    } else {
      rocksdb::WriteBatch batch;
      written = FillBatch(db, generation, views, counters, generation_empty, position, batch);
      rocksdb::WriteOptions write;
      write.disableWAL = !options.durable;
      if (written.ok()) written = FromRocks(db->Write(write, &batch), "writing read models");
    }
    if (!written.ok()) return written.error();
    generation_empty = false;
    if (progress) progress(position, target);
  }
  return position;
}

Result<uint64_t> ProjectionRunner::CatchUp(const ProgressFn& progress) {
  auto applied = [&] {
    std::lock_guard lock(live_mutex_);
    RunnerOptions options;
    options.batch_events = 20000;
    return Apply(*models_.Current(), store_.Head(), options, progress);
  }();
  WakeWaiters();
  return applied;
}

void ProjectionRunner::WakeWaiters() {
  {
    std::lock_guard lock(applied_mutex_);
    ++applications_;
  }
  applied_.notify_all();
}

Result<uint64_t> ProjectionRunner::WaitFor(uint64_t position,
                                           std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(applied_mutex_);
  for (;;) {
    // Counted before the checkpoint is read: a catch-up that ends in between wakes the wait.
    const uint64_t seen = applications_;
    lock.unlock();
    auto checkpoint = models_.Checkpoint(*models_.Current());
    if (!checkpoint.ok() || checkpoint.value() >= position) return checkpoint;
    lock.lock();
    if (!applied_.wait_until(lock, deadline, [&] { return applications_ != seen; })) {
      return checkpoint;
    }
  }
}

Result<RebuildStats> ProjectionRunner::Rebuild(const ProgressFn& progress,
                                               const RunnerOptions& bulk) {
  const auto started = std::chrono::steady_clock::now();
  auto next = models_.CreateNext();
  if (!next.ok()) return next.error();
  // The bulk of the log, while the live generation keeps serving and catching up.
  auto applied = Apply(*next.value(), store_.Head(), bulk, progress);
  if (applied.ok()) {
    // The rest, with the live runner paused, so nothing lands between catch-up and switch.
    std::unique_lock lock(live_mutex_);
    applied = Apply(*next.value(), store_.Head(), bulk, progress);
    if (applied.ok()) {
      rocksdb::FlushOptions flush;
      std::vector<rocksdb::ColumnFamilyHandle*> families;
      for (const auto& [name, family] : next.value()->Digested()) families.push_back(family);
      families.push_back(next.value()->checkpoint);
      // The rebuild skipped the WAL: make it durable before it becomes the live generation.
      const Status flushed =
          FromRocks(models_.db().db()->Flush(flush, families), "flushing the rebuild");
      if (!flushed.ok()) applied = flushed.error();
    }
    if (applied.ok()) {
      if (Status switched = models_.SwitchTo(next.value()); !switched.ok()) return switched.error();
      // Digested as of a snapshot taken before the live runner goes on, so that the checksum is
      // of exactly the events the rebuild applied (a command meanwhile would otherwise make an
      // equal rebuild differ), while the scan itself does not hold the live read models back.
      rocksdb::ManagedSnapshot snapshot(models_.db().db());
      lock.unlock();
      WakeWaiters();  // the new generation may already hold a position a reader waits for
      auto checksum = models_.ChecksumAt(*next.value(), snapshot.snapshot());
      if (!checksum.ok()) return checksum.error();
      RebuildStats stats;
      stats.events = applied.value();
      stats.checksum = checksum.value();
      stats.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return stats;
    }
  }
  (void)models_.Discard(*next.value());
  return applied.error();
}

}  // namespace mct::consumers
