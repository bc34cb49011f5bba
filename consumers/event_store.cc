#include "consumers/event_store.h"

#include <pthread.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

#include "consumers/keys.h"

namespace mct::consumers {
namespace {

// Sorted keys make RocksDB's memtable inserts cheap: each insert starts its skip-list search where
// the previous one ended. Later puts of a key win, as they would in the batch.
using Puts = std::vector<std::pair<std::string, std::string>>;

void PutSorted(rocksdb::WriteBatch& write, rocksdb::ColumnFamilyHandle* family, Puts& puts) {
  std::stable_sort(puts.begin(), puts.end(),
                   [](const auto& left, const auto& right) { return left.first < right.first; });
  for (const auto& [key, value] : puts) write.Put(family, key, value);
}

// The bucket of `value`: the first whose upper bound is at least `value`, or the one above all.
template <size_t N>
size_t BucketOf(const std::array<double, N>& bounds, double value) {
  return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
}

}  // namespace

EventStore::EventStore(RocksDb& db, StoreOptions options) : db_(db), options_(options) {}

Result<std::unique_ptr<EventStore>> EventStore::Open(RocksDb& db, StoreOptions options) {
  std::unique_ptr<EventStore> store(new EventStore(db, options));
  if (const Status loaded = store->LoadState(); !loaded.ok()) return loaded.error();
  store->written_position_ = store->head_position_.load();
  if (options.read_only) {
    store->stopping_ = true;  // Enqueue refuses every append
    return store;
  }
  // Named for `top -H` and profilers.
  store->committer_ = std::thread([raw = store.get()] {
    pthread_setname_np(pthread_self(), "mct-committer");
    raw->CommitLoop();
  });
  store->syncer_ = std::thread([raw = store.get()] {
    pthread_setname_np(pthread_self(), "mct-syncer");
    raw->SyncLoop();
  });
  return store;
}

EventStore::~EventStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_ready_.notify_all();
  if (committer_.joinable()) committer_.join();
  {
    std::lock_guard lock(sync_mutex_);
    committer_done_ = true;
  }
  sync_ready_.notify_all();
  if (syncer_.joinable()) syncer_.join();
}

Status EventStore::LoadState() {
  rocksdb::DB* db = db_.db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db_.meta()));
  for (it->Seek(keys::kHeadPrefix); it->Valid() && it->key().starts_with(keys::kHeadPrefix);
       it->Next()) {
    const std::string mcid = it->key().ToString().substr(keys::kHeadPrefix.size());
    const std::string value = it->value().ToString();
    heads_[mcid] = StreamHead{keys::ReadBigEndian64(value), value.substr(8)};
  }
  if (!it->status().ok()) return FromRocks(it->status(), "loading stream heads");
  for (it->Seek(keys::kVoucherPrefix); it->Valid() && it->key().starts_with(keys::kVoucherPrefix);
       it->Next()) {
    redeemed_vouchers_.insert(it->key().ToString().substr(keys::kVoucherPrefix.size()));
  }
  std::string value;
  if (db->Get(rocksdb::ReadOptions(), db_.meta(), keys::kNextOrder, &value).ok()) {
    persisted_order_number_ = keys::ReadBigEndian64(value);
    next_order_number_ = std::max<uint64_t>(1, persisted_order_number_);
  }
  std::unique_ptr<rocksdb::Iterator> log(db->NewIterator(rocksdb::ReadOptions(), db_.log()));
  log->SeekToLast();
  if (log->Valid()) head_position_ = keys::ReadBigEndian64(log->key().ToStringView());
  return FromRocks(log->status(), "finding the end of the log");
}

Error EventStore::NotTaking() const {
  return Error{options_.read_only ? "the store is open to read only"
                                  : "the event store is shutting down"};
}

Result<AppendOutcome> EventStore::Append(AppendRequest request) {
  Pending pending;
  pending.request = std::move(request);
  if (!Enqueue(pending)) return NotTaking();
  wakeups_.Wait(pending.drain, pending.answered);
  return std::move(*pending.answer);
}

void EventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  auto pending = std::make_unique<Pending>();
  pending->request = std::move(request);
  pending->done = std::move(done);
  if (!Enqueue(*pending)) {
    pending->done(NotTaking());
    return;
  }
  pending.release();  // the store's until answered
}

bool EventStore::Enqueue(Pending& pending) {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return false;
    pending.drain = drains_;
    queue_.push_back(&pending);
  }
  queue_ready_.notify_one();
  return true;
}

void EventStore::CommitLoop() {
  std::vector<Pending*> batch;
  std::vector<Delivery> deliveries;
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      committer_idle_ = true;
      queue_ready_.wait(lock,
                        [this] { return stopping_ || !queue_.empty() || !deliveries_.empty(); });
      // Not idle from here on, nor after it returns: the syncer then calls back itself.
      committer_idle_ = false;
      if (queue_.empty() && deliveries_.empty() && stopping_) return;
      deliveries.swap(deliveries_);
    }
    // The callbacks first, in two halves, each followed by a batch of what it sent: the syncer
    // waits for a batch now, and syncs the first half's while this thread runs the second half.
    // One batch for them all would keep the disk and this thread waiting for each other.
    if (deliveries.empty()) {
      CommitQueued(batch);
      continue;
    }
    const size_t half = (deliveries.size() + 1) / 2;
    for (size_t from = 0; from < deliveries.size(); from += half) {
      const size_t to = std::min(deliveries.size(), from + half);
      for (size_t index = from; index < to; ++index) {
        Answer(*deliveries[index].pending, std::move(deliveries[index].answer));
      }
      CommitQueued(batch);
    }
    deliveries.clear();
  }
}

void EventStore::CommitQueued(std::vector<Pending*>& batch) {
  uint64_t drain = 0;
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.empty()) return;
    // The whole queue, always: its blocked writers sleep on this drain's wake-up slot. It holds
    // one request per blocked caller and per AppendAsync not yet answered.
    batch.swap(queue_);
    drain = drains_++;
  }
  CommitBatch(batch, drain);
  batch.clear();
}

void EventStore::Deliver(std::vector<Delivery>& deliveries) {
  if (deliveries.empty()) return;
  {
    std::lock_guard lock(queue_mutex_);
    if (committer_idle_) {
      for (Delivery& delivery : deliveries) deliveries_.push_back(std::move(delivery));
      deliveries.clear();
    }
  }
  if (deliveries.empty()) return queue_ready_.notify_one();
  // The committer is busy writing (many writers: it is the bottleneck, and this thread has time
  // while the disk is idle), or has exited (closing: nothing a callback sends is taken any more).
  for (Delivery& delivery : deliveries) Answer(*delivery.pending, std::move(delivery.answer));
  deliveries.clear();
}

void EventStore::Answer(Pending& pending, Result<AppendOutcome> answer) {
  if (pending.done) {
    const std::unique_ptr<Pending> owned(&pending);
    owned->done(std::move(answer));
    return;
  }
  pending.answer = std::move(answer);
  // Its writer may return, and its Pending go, as soon as it sees this.
  pending.answered.store(true, std::memory_order_release);
}

void EventStore::AnswerAll(const std::vector<Pending*>& batch, uint64_t drain, const Error& error) {
  for (Pending* pending : batch) Answer(*pending, error);
  wakeups_.WakeAll(drain);
}

void EventStore::CommitBatch(std::vector<Pending*>& batch, uint64_t drain) {
  std::optional<Error> failed;
  {
    // After a failed sync nothing more is written: what reached the disk is unknown until a
    // restart recovers it, and later batches would be built on heads that may not be there.
    std::lock_guard lock(sync_mutex_);
    failed = failed_;
  }
  if (failed) {  // answered outside the lock: a callback may call into the store
    AnswerAll(batch, drain, *failed);
    return;
  }
  rocksdb::WriteBatch write;
  // Heads and vouchers as this batch leaves them; applied to the shared ones once it is written
  // (the next batch builds on them; after a failed sync no batch is written any more).
  std::unordered_map<std::string, StreamHead> new_heads;
  std::set<std::string> new_vouchers;
  // Command id → its index in `answers`; the id is the one its first event (or request) keeps.
  std::unordered_map<std::string_view, size_t> batch_commands;
  std::vector<Result<AppendOutcome>> answers;
  answers.reserve(batch.size());
  uint64_t position = written_position_;
  uint64_t events_written = 0;
  Puts stream_puts;
  Puts meta_puts;

  // The stream's head as this batch leaves it so far, to be moved on in place.
  auto head_of = [&](const std::string& mcid) -> StreamHead& {
    auto [found, inserted] = new_heads.try_emplace(mcid);
    if (inserted) {
      std::lock_guard lock(heads_mutex_);
      if (const auto shared = heads_.find(mcid); shared != heads_.end()) {
        found->second = shared->second;
      }
    }
    return found->second;
  };

  for (Pending* pending : batch) {
    // This batch's to consume: the writer only reads its answer.
    AppendRequest& request = pending->request;
    const std::string& command_id = request.meta.command_id;
    AppendOutcome outcome;
    // Invariant 5: the same command id, even racing itself, is written once.
    if (!command_id.empty()) {
      if (const auto in_batch = batch_commands.find(command_id); in_batch != batch_commands.end()) {
        outcome.refusal = AppendRefusal::kDuplicateCommand;
        outcome.written = answers[in_batch->second].value().written;
        answers.emplace_back(std::move(outcome));
        continue;
      }
    }
    if (!command_id.empty() && !request.fresh_command_id) {  // a minted id was never written
      auto earlier = FindWrittenCommand(command_id);
      if (!earlier.ok()) {
        answers.emplace_back(earlier.error());
        continue;
      }
      if (earlier.value()) {
        outcome.refusal = AppendRefusal::kDuplicateCommand;
        outcome.written = std::move(*earlier.value());
        answers.emplace_back(std::move(outcome));
        continue;
      }
    }
    StreamHead& head = head_of(request.meta.mcid.str());
    if (head.version != request.expected_version) {  // invariant 3
      outcome.refusal = AppendRefusal::kVersionConflict;
      answers.emplace_back(std::move(outcome));
      continue;
    }
    bool voucher_taken = false;
    for (const auto& event : request.events) {
      if (const auto* paid = std::get_if<domain::PaymentPlaced>(&event);
          paid != nullptr && !paid->voucher_code.empty()) {
        voucher_taken = voucher_taken || redeemed_vouchers_.contains(paid->voucher_code) ||
                        new_vouchers.contains(paid->voucher_code);
      }
    }
    if (voucher_taken) {  // PAY-2 across trainers, decided here where appends are serialised
      outcome.refusal = AppendRefusal::kVoucherRedeemed;
      answers.emplace_back(std::move(outcome));
      continue;
    }
    const uint64_t first_position = position + 1;
    const size_t event_count = request.events.size();
    outcome.written.reserve(event_count);
    for (size_t index = 0; index < event_count; ++index) {
      domain::Event& event = request.events[index];
      if (const auto* paid = std::get_if<domain::PaymentPlaced>(&event);
          paid != nullptr && !paid->voucher_code.empty()) {
        new_vouchers.insert(paid->voucher_code);
        meta_puts.emplace_back(keys::Voucher(paid->voucher_code),
                               keys::VoucherValue(request.meta.mcid.str(), paid->order_id));
      }
      EventEnvelope envelope;
      // The last event takes the request's meta rather than a copy of it.
      envelope.event.meta = index + 1 == event_count ? std::move(request.meta) : request.meta;
      envelope.event.payload = std::move(event);
      envelope.stream_version = ++head.version;
      envelope.global_position = ++position;
      envelope.prev_hash = std::move(head.hash);
      envelope.hash = ComputeEventHash(envelope);
      head.hash = envelope.hash;
      write.Put(db_.log(), keys::Position(envelope.global_position), EncodeBinary(envelope));
      stream_puts.emplace_back(
          keys::StreamEntry(envelope.event.meta.mcid.str(), envelope.stream_version),
          keys::Position(envelope.global_position));
      outcome.written.push_back(std::move(envelope));
    }
    // Where the meta is now; `outcome.written` no longer grows, so its events stay where they are.
    const domain::EventMeta& meta =
        outcome.written.empty() ? request.meta : outcome.written.front().event.meta;
    if (event_count > 0) {
      meta_puts.emplace_back(keys::Head(meta.mcid.str()), keys::HeadValue(head.version, head.hash));
      events_written += event_count;
    }
    if (!meta.command_id.empty()) {
      meta_puts.emplace_back(keys::Command(meta.command_id),
                             keys::CommandValue(meta.mcid.str(), first_position, event_count));
      // Moving the outcome below moves no event, so a view of the id stays valid.
      batch_commands.emplace(meta.command_id, answers.size());
    }
    answers.emplace_back(std::move(outcome));
  }

  const uint64_t next_order = next_order_number_.load();
  if (next_order > persisted_order_number_) {
    std::string value;
    keys::PutBigEndian64(&value, next_order);
    meta_puts.emplace_back(std::string(keys::kNextOrder), value);
  }
  PutSorted(write, db_.streams(), stream_puts);
  PutSorted(write, db_.meta(), meta_puts);

  // Written without waiting for the disk; the syncer makes it durable and answers.
  Status written = Ok();
  if (write.Count() > 0) {
    written = FromRocks(db_.db()->Write(rocksdb::WriteOptions(), &write), "appending to the log");
  }
  if (!written.ok()) {
    AnswerAll(batch, drain, written.error());
    return;
  }
  persisted_order_number_ = next_order;
  {
    std::lock_guard lock(heads_mutex_);
    for (auto& [mcid, head] : new_heads) {
      // Streams this batch only looked at (a conflict on a trainer with no events) stay unknown.
      if (head.version > 0) heads_[mcid] = std::move(head);
    }
    redeemed_vouchers_.insert(new_vouchers.begin(), new_vouchers.end());
  }
  written_position_ = position;
  WrittenBatch done;
  done.drain = drain;
  done.requests = std::move(batch);
  done.answers = std::move(answers);
  done.last_position = position;
  done.events = events_written;
  {
    std::lock_guard lock(sync_mutex_);
    unsynced_.push_back(std::move(done));
  }
  sync_ready_.notify_one();
}

void EventStore::SyncLoop() {
  using Clock = std::chrono::steady_clock;
  std::vector<WrittenBatch> taking;
  while (true) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_ready_.wait(lock, [this] { return committer_done_ || !unsynced_.empty(); });
      if (unsynced_.empty()) return;  // and the committer is done
      // Whatever is written now, without waiting for more: a sync takes about as long whether it
      // carries one request or a hundred, so the disk is best kept busy. The writers answered
      // by one sync are written while the next runs and share the one after.
      for (auto& written : unsynced_) taking.push_back(std::move(written));
      unsynced_.clear();
    }
    const auto started = Clock::now();
    std::optional<Error> failed_before;
    {
      std::lock_guard lock(sync_mutex_);
      failed_before = failed_;
    }
    // One sync covers every batch written before it began (and perhaps some after). After a
    // failed one none is tried: batches written during it are built on events that may not
    // survive, and a later sync that succeeded would acknowledge them over a hole.
    Status synced = Ok();
    if (failed_before) {
      synced = Error{failed_before->message, kOutcomeUnknown};
    } else if (options_.sync) {
      synced = FromRocks(db_.db()->SyncWAL(), "syncing the log to disk");
      if (!synced.ok()) synced = Error{synced.error().message, kOutcomeUnknown};
    }
    AnswerSynced(taking, synced, std::chrono::duration<double>(Clock::now() - started).count());
    taking.clear();
  }
}

void EventStore::AnswerSynced(std::vector<WrittenBatch>& synced, const Status& status,
                              double sync_seconds) {
  {
    std::lock_guard lock(sync_mutex_);
    if (status.ok()) {
      head_position_ = synced.back().last_position;
    } else if (!failed_) {
      // Batches after this one were built on it; none can be acknowledged any more, and no new
      // append is taken until a restart recovers what reached the disk.
      failed_ = Error{"the event store stopped after a failed sync (" + status.error().message +
                      "); restart the process"};
    }
  }
  durable_.notify_all();  // FindCommand waiters: durable now, or never acknowledged
  if (status.ok()) {
    size_t requests = 0;
    std::lock_guard lock(stats_mutex_);
    stats_.syncs += 1;
    stats_.sync_seconds += sync_seconds;
    for (const auto& written : synced) {
      requests += written.requests.size();
      stats_.events += written.events;
    }
    stats_.requests += requests;
    stats_.syncs_by_requests[BucketOf(kBatchSizeBounds, static_cast<double>(requests))] += 1;
    stats_.syncs_by_seconds[BucketOf(kSyncSecondsBounds, sync_seconds)] += 1;
  }
  // Blocked writers are answered and woken here; the callbacks are called back after them
  // (Deliver), so that no blocked writer waits for them.
  std::vector<Delivery> deliveries;
  for (auto& written : synced) {
    for (size_t index = 0; index < written.requests.size(); ++index) {
      Pending& pending = *written.requests[index];
      Result<AppendOutcome> answer =
          status.ok() ? std::move(written.answers[index]) : Result<AppendOutcome>(status.error());
      if (pending.done) {
        deliveries.push_back({&pending, std::move(answer)});
      } else {
        Answer(pending, std::move(answer));
      }
    }
    wakeups_.WakeAll(written.drain);
  }
  Deliver(deliveries);
}

Result<std::vector<EventEnvelope>> EventStore::ReadStream(const domain::Mcid& mcid) const {
  rocksdb::DB* db = db_.db();
  const std::string prefix = keys::StreamPrefix(mcid.str());
  std::vector<std::string> position_keys;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db_.streams()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    position_keys.push_back(it->value().ToString());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading a stream").error();
  std::vector<rocksdb::Slice> slices(position_keys.begin(), position_keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(slices.size(), db_.log());
  std::vector<std::string> values;
  const std::vector<rocksdb::Status> statuses =
      db->MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  std::vector<EventEnvelope> out;
  out.reserve(values.size());
  // A stream read must be the whole stream: a version missing from the index, or an event
  // missing from the log, would otherwise be folded around silently (status, history, as-of).
  const auto damaged = [&mcid](uint64_t version, const std::string& what) {
    return Error{"trainer " + mcid.str() + " version " + std::to_string(version) + ": " + what +
                 ": the store is damaged (run `mctctl verify`)"};
  };
  for (size_t index = 0; index < values.size(); ++index) {
    const uint64_t version = index + 1;
    if (statuses[index].IsNotFound()) return damaged(version, "its event is missing from the log");
    if (!statuses[index].ok()) return FromRocks(statuses[index], "reading an event").error();
    auto decoded = DecodeLogEntry(position_keys[index], values[index]);
    if (!decoded.ok()) return decoded.error();
    if (decoded->stream_version != version || decoded->event.meta.mcid != mcid) {
      return damaged(version, "the stream index names the event at log position " +
                                  std::to_string(decoded->global_position) + ", which is " +
                                  decoded->event.meta.mcid.str() + " version " +
                                  std::to_string(decoded->stream_version));
    }
    out.push_back(std::move(decoded).value());
  }
  return out;
}

Result<std::vector<EventEnvelope>> EventStore::ReadLog(uint64_t from, size_t max_events) const {
  std::vector<EventEnvelope> out;
  rocksdb::ReadOptions read;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_.db()->NewIterator(read, db_.log()));
  for (it->Seek(keys::Position(from)); it->Valid() && out.size() < max_events; it->Next()) {
    auto decoded = DecodeLogEntry(it->key().ToStringView(), it->value().ToStringView());
    if (!decoded.ok()) return decoded.error();
    out.push_back(std::move(decoded).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the log").error();
  return out;
}

uint64_t EventStore::StreamVersion(const domain::Mcid& mcid) const {
  std::lock_guard lock(heads_mutex_);
  const auto found = heads_.find(mcid.str());
  return found == heads_.end() ? 0 : found->second.version;
}

Result<std::optional<std::vector<EventEnvelope>>> EventStore::FindCommand(
    const std::string& command_id) const {
  auto found = FindWrittenCommand(command_id);
  if (found.ok() && found.value() && !found.value()->empty()) {
    if (Status durable = WaitDurable(found.value()->back().global_position); !durable.ok()) {
      return durable.error();
    }
  }
  return found;
}

Status EventStore::WaitDurable(uint64_t position) const {
  std::unique_lock lock(sync_mutex_);
  durable_.wait(lock, [&] { return head_position_.load() >= position || failed_.has_value(); });
  if (head_position_.load() >= position) return Ok();
  return *failed_;  // never acknowledged: whether it reached the disk is unknown
}

Result<std::optional<std::vector<EventEnvelope>>> EventStore::FindWrittenCommand(
    const std::string& command_id) const {
  std::string value;
  const rocksdb::Status got =
      db_.db()->Get(rocksdb::ReadOptions(), db_.meta(), keys::Command(command_id), &value);
  if (got.IsNotFound()) return std::optional<std::vector<EventEnvelope>>();
  if (!got.ok()) return FromRocks(got, "looking up a command id").error();
  const size_t separator = value.find('\0');
  const uint64_t first = keys::ReadBigEndian64(std::string_view(value).substr(separator + 1));
  const uint64_t count = keys::ReadBigEndian64(std::string_view(value).substr(separator + 9));
  if (count == 0) return std::optional<std::vector<EventEnvelope>>(std::vector<EventEnvelope>{});
  auto events = ReadLog(first, count);
  if (!events.ok()) return events.error();
  return std::optional<std::vector<EventEnvelope>>(std::move(events).value());
}

bool EventStore::VoucherRedeemed(const std::string& code) const {
  std::lock_guard lock(heads_mutex_);
  return redeemed_vouchers_.contains(code);
}

CommitStats EventStore::Stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace mct::consumers
