// EventStore: the durable event log on RocksDB, the embedded default of the product.
//
// Append(mcid, expected_version, events) is atomic per command (one WriteBatch) and durable when
// it returns: the WAL is synced. Concurrent appenders share one WAL sync (group commit), in a
// two-stage pipeline so that the disk and the CPU work at the same time:
//   - the committer thread drains every pending request into one WriteBatch, checks each against
//     the stream heads it keeps in memory (architecture invariant 3: a stale expected version is
//     `version_conflict` and writes nothing) and writes the batch without waiting for the disk;
//   - the syncer thread syncs the WAL once for every batch written since its last sync, then
//     answers their writers. While it waits for the disk, the committer writes the next batches.
// A writer either blocks in Append, or hands AppendAsync a callback that gets the answer. A blocked
// writer is a thread the syncer must wake, and on two cores each wake-up also preempts the
// syncer: with 16 writers that was about a third of the group commit's cycle (bench/README.md).
// A callback costs neither. When the committer is idle (a few writers) the syncer hands it the
// answers: it calls back in two halves, writing what each half sends as a batch, so the syncer
// syncs the first while the second is prepared. When it is busy (many writers) the syncer calls
// back itself, while the disk has nothing to do.
// Head() is the last durable position, and the projection runners read no further: a read model
// never applies an event that a power cut could still take away. ReadStream may return events
// written but not yet synced (the command path decides on them; they become durable in order,
// before any later event).
//
// What it stores (keys.h): the log by global position, a per-stream index, the stream heads with
// their last hash (the hash chain, invariant 6), the command ids of accepted commands with their
// first answer (invariant 5), redeemed vouchers (PAY-2) and the next order number (PAY-7).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "consumers/codec.h"
#include "consumers/rocks_db.h"
#include "consumers/wakeup_slots.h"
#include "domain/events.h"
#include "domain/result.h"

namespace mct::consumers {

struct AppendRequest {
  domain::EventMeta meta;         // mcid, at, actor and ids, shared by every event of the command
  uint64_t expected_version = 0;  // the stream version the command was decided on
  std::vector<domain::Event> events;
  // The command id was minted for this command just now (command_ids.h), so no earlier answer can
  // exist and the store does not look one up. The id is still recorded, for retries.
  bool fresh_command_id = false;
};

// Why an append wrote nothing although the store works.
enum class AppendRefusal : uint8_t {
  kNone,
  kVersionConflict,   // another command on the same trainer won the race
  kVoucherRedeemed,   // another order redeemed the same voucher first (PAY-2)
  kDuplicateCommand,  // the command id was accepted before: `written` holds its first answer
};

struct AppendOutcome {
  AppendRefusal refusal = AppendRefusal::kNone;
  std::vector<EventEnvelope> written;  // what the command wrote (or wrote the first time)
};

// Called once with the answer of an AppendAsync.
using AppendCallback = std::function<void(Result<AppendOutcome>)>;

struct StoreOptions {
  bool sync = true;  // fsync the WAL before acknowledging (invariant 2)
  // No committer and no syncer: every append is refused (RocksDb::OpenReadOnly's database).
  bool read_only = false;
  // RocksDB's own log, DIR/LOG: the server keeps one; mctctl none (RocksDb::Open).
  bool info_log = true;
};

// Upper bounds of the buckets CommitStats sorts group commits into (one more bucket above the
// last), for the metrics' histograms: requests carried, and seconds a WAL sync took.
inline constexpr std::array<double, 10> kBatchSizeBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
inline constexpr std::array<double, 10> kSyncSecondsBounds = {0.0005, 0.001, 0.002, 0.005, 0.01,
                                                              0.02,   0.05,  0.1,   0.25,  1};

// What the group commit did, for metrics and benchmarks.
struct CommitStats {
  uint64_t syncs = 0;     // WAL syncs: one per group commit
  uint64_t requests = 0;  // append requests they made durable
  uint64_t events = 0;
  double sync_seconds = 0;  // time the syncer spent in WAL syncs
  std::array<uint64_t, kBatchSizeBounds.size() + 1> syncs_by_requests{};  // by kBatchSizeBounds
  std::array<uint64_t, kSyncSecondsBounds.size() + 1> syncs_by_seconds{};  // by kSyncSecondsBounds
};

class EventStore {
 public:
  // Opens the log in `db` (which it does not own) and loads the stream heads.
  static Result<std::unique_ptr<EventStore>> Open(RocksDb& db, StoreOptions options = {});
  ~EventStore();  // finishes pending appends, then stops the committer
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // The code of an append's Error when its events were written but the WAL sync that was to
  // make them durable failed: they may or may not be in the log after a restart (the store has
  // stopped). Retrying the command under its command id is then answered, not done twice.
  static constexpr const char* kOutcomeUnknown = "outcome_unknown";

  // Appends atomically and durably; blocks until the group commit that carries it is synced.
  // An I/O failure is an Error; it wrote nothing of this request, unless its code is
  // kOutcomeUnknown (the sync failed after the write).
  Result<AppendOutcome> Append(AppendRequest request);
  // Appends like Append without blocking the caller: `done` gets the same answer, once the WAL
  // sync that carries the request is done, on one of the store's two threads (two callbacks may
  // run at the same time, one on each). The group commit waits for `done` to return, so it must
  // neither throw nor block on this store (no Append, no FindCommand); it may call AppendAsync.
  // When the store is shutting down, `done` is called with an Error before AppendAsync returns.
  void AppendAsync(AppendRequest request, AppendCallback done);

  // One trainer's events in stream order.
  Result<std::vector<EventEnvelope>> ReadStream(const domain::Mcid& mcid) const;
  // Up to `max_events` events from global position `from` (1-based) in log order.
  Result<std::vector<EventEnvelope>> ReadLog(uint64_t from, size_t max_events) const;
  // The last durable global position (0 for an empty log).
  uint64_t Head() const { return head_position_.load(); }
  // The current version of a stream (0 when it has no event).
  uint64_t StreamVersion(const domain::Mcid& mcid) const;
  // The first answer of an accepted command id, if any; once that answer is durable.
  Result<std::optional<std::vector<EventEnvelope>>> FindCommand(
      const std::string& command_id) const;
  bool VoucherRedeemed(const std::string& code) const;
  // A number no other order has had (PAY-7); numbers skipped by refused orders stay unused.
  uint64_t ReserveOrderNumber() { return next_order_number_.fetch_add(1); }
  CommitStats Stats() const;

  RocksDb& db() const { return db_; }

 private:
  // Why an append is refused when the store takes none: read only, or shutting down.
  Error NotTaking() const;
  // One waiting Append, on its caller's stack; answered once, then woken through wakeups_. Or one
  // AppendAsync, on the heap and owned by the store until `done` has been called.
  struct Pending {
    AppendRequest request;
    AppendCallback done;  // set for an AppendAsync
    uint64_t drain = 0;  // the number of the queue drain that takes it
    std::optional<Result<AppendOutcome>> answer;
    std::atomic<bool> answered{false};
  };
  struct StreamHead {
    uint64_t version = 0;
    std::string hash;
  };
  // An AppendAsync's answer on its way from the syncer to the thread that calls back (Deliver).
  struct Delivery {
    Pending* pending;
    Result<AppendOutcome> answer;
  };
  // One written batch waiting for the WAL sync that makes it durable.
  struct WrittenBatch {
    uint64_t drain = 0;
    std::vector<Pending*> requests;
    std::vector<Result<AppendOutcome>> answers;
    uint64_t last_position = 0;
    uint64_t events = 0;
  };

  EventStore(RocksDb& db, StoreOptions options);
  Status LoadState();
  void CommitLoop();
  // Writes whatever is queued as one batch (one drain of the queue); `batch` is scratch space.
  void CommitQueued(std::vector<Pending*>& batch);
  void CommitBatch(std::vector<Pending*>& batch, uint64_t drain);
  // Sets one request's answer; its writer is woken by a WakeAll for its drain afterwards. An
  // AppendAsync's callback is called at once, and its Pending deleted.
  static void Answer(Pending& pending, Result<AppendOutcome> answer);
  // Queues a request for the committer; false (and nothing queued) when the store is shutting down.
  bool Enqueue(Pending& pending);
  // Gives every request of a drain the same answer and wakes their writers.
  void AnswerAll(const std::vector<Pending*>& batch, uint64_t drain, const Error& error);
  void SyncLoop();
  void AnswerSynced(std::vector<WrittenBatch>& synced, const Status& status, double sync_seconds);
  // Calls back: on the committer thread when it is idle, else (it is busy, or has exited) here.
  void Deliver(std::vector<Delivery>& deliveries);
  Result<std::optional<std::vector<EventEnvelope>>> FindWrittenCommand(
      const std::string& command_id) const;
  Status WaitDurable(uint64_t position) const;

  RocksDb& db_;
  StoreOptions options_;

  // Owned by the committer thread while it runs; readers of heads take heads_mutex_.
  mutable std::mutex heads_mutex_;
  std::unordered_map<std::string, StreamHead> heads_;
  std::set<std::string> redeemed_vouchers_;
  std::atomic<uint64_t> head_position_{0};  // durable
  uint64_t written_position_ = 0;           // written, perhaps not yet synced; committer only
  std::atomic<uint64_t> next_order_number_{1};
  uint64_t persisted_order_number_ = 0;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::vector<Pending*> queue_;
  std::vector<Delivery> deliveries_;  // for the committer to call back
  // Waiting for work: it takes the callbacks, not the syncer. False once it has exited.
  bool committer_idle_ = false;
  uint64_t drains_ = 0;  // how often the committer has taken the whole queue
  bool stopping_ = false;
  std::thread committer_;

  // Between the committer and the syncer.
  mutable std::mutex sync_mutex_;
  std::condition_variable sync_ready_;
  mutable std::condition_variable durable_;  // head_position_ moved
  std::deque<WrittenBatch> unsynced_;
  bool committer_done_ = false;
  std::optional<Error> failed_;  // a failed sync stops the store: what is durable is unknown
  std::thread syncer_;
  WakeupSlots wakeups_;

  mutable std::mutex stats_mutex_;
  CommitStats stats_;
};

}  // namespace mct::consumers
