// EventStore: the durable event log on RocksDB, the embedded default of the product.
//
// Append(mcid, expected_version, events) is atomic per command (one WriteBatch) and durable when
// it returns: the WAL is synced. Concurrent appenders share one synced write (group commit): a
// single committer thread drains every pending request into one batch, checks each against the
// stream heads it keeps in memory (architecture invariant 3: a stale expected version is
// `version_conflict` and writes nothing), and syncs once for all of them.
//
// What it stores (keys.h): the log by global position, a per-stream index, the stream heads with
// their last hash (the hash chain, invariant 6), the command ids of accepted commands with their
// first answer (invariant 5), redeemed vouchers (PAY-2) and the next order number (PAY-7).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <future>
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
#include "domain/events.h"
#include "domain/result.h"

namespace mct::consumers {

struct AppendRequest {
  domain::EventMeta meta;  // mcid, at, actor and ids, shared by every event of the command
  uint64_t expected_version = 0;  // the stream version the command was decided on
  std::vector<domain::Event> events;
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

struct StoreOptions {
  bool sync = true;               // fsync the WAL before acknowledging (invariant 2)
  size_t max_batch_requests = 4096;
};

// What the committer did, for metrics and benchmarks.
struct CommitStats {
  uint64_t batches = 0;
  uint64_t requests = 0;
  uint64_t events = 0;
  double write_seconds = 0;  // time spent in synced writes (the fsyncs)
};

class EventStore {
 public:
  // Opens the log in `db` (which it does not own) and loads the stream heads.
  static Result<std::unique_ptr<EventStore>> Open(RocksDb& db, StoreOptions options = {});
  ~EventStore();  // finishes pending appends, then stops the committer
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends atomically and durably; blocks until the group commit that carries it is synced.
  // An I/O failure is an Error and writes nothing of this request.
  Result<AppendOutcome> Append(AppendRequest request);

  // One trainer's events in stream order.
  Result<std::vector<EventEnvelope>> ReadStream(const domain::Mcid& mcid) const;
  // Up to `max_events` events from global position `from` (1-based) in log order.
  Result<std::vector<EventEnvelope>> ReadLog(uint64_t from, size_t max_events) const;
  // The last global position written (0 for an empty log).
  uint64_t Head() const { return head_position_.load(); }
  // The current version of a stream (0 when it has no event).
  uint64_t StreamVersion(const domain::Mcid& mcid) const;
  // The first answer of an accepted command id, if any.
  Result<std::optional<std::vector<EventEnvelope>>> FindCommand(const std::string& command_id) const;
  bool VoucherRedeemed(const std::string& code) const;
  // A number no other order has had (PAY-7); numbers skipped by refused orders stay unused.
  uint64_t ReserveOrderNumber() { return next_order_number_.fetch_add(1); }
  CommitStats Stats() const;

  RocksDb& db() const { return db_; }

 private:
  struct Pending {
    AppendRequest request;
    std::promise<Result<AppendOutcome>> answer;
  };
  struct StreamHead {
    uint64_t version = 0;
    std::string hash;
  };

  EventStore(RocksDb& db, StoreOptions options);
  Status LoadState();
  void CommitLoop();
  void CommitBatch(std::vector<std::unique_ptr<Pending>>& batch);

  RocksDb& db_;
  StoreOptions options_;

  // Owned by the committer thread while it runs; readers of heads take heads_mutex_.
  mutable std::mutex heads_mutex_;
  std::unordered_map<std::string, StreamHead> heads_;
  std::set<std::string> redeemed_vouchers_;
  std::atomic<uint64_t> head_position_{0};
  std::atomic<uint64_t> next_order_number_{1};
  uint64_t persisted_order_number_ = 0;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread committer_;

  mutable std::mutex stats_mutex_;
  CommitStats stats_;
};

}  // namespace mct::consumers
