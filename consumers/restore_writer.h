// RestoreWriter: the write side of an import (log_export.h). Checks each event of an export as the
// next event of the log, and writes it under exactly the keys EventStore writes (keys.h): the log
// value, the stream entry, the stream head, the command id of its command, a redeemed voucher, and
// at the end the next order number. Events are written as they are: nothing is decided again.
//
// Writes go in batches without the WAL into a database nobody else uses yet; Finish flushes them
// to disk. A refused event leaves the database half filled: the caller throws the directory away.
//
// Memory: one batch of events and the heads, command ids and vouchers it touches, and each
// stream's latest instant; everything older is looked up in the database being filled.
//
// Not thread-safe: one writer, fed from one thread.
#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "consumers/codec.h"
#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::consumers {

class RestoreWriter {
 public:
  // `db` must be empty and outlive the writer.
  // `accept_out_of_time_order`: ImportOptions::legacy.
  // Events dated more than an hour after the writer is made are refused (a clock's skew allowed).
  explicit RestoreWriter(RocksDb& db, bool accept_out_of_time_order = false);

  // Checks `envelope` as the next event of the log: position, stream version, prev_hash, hash,
  // command id and voucher (see ImportLog), and that it is an event the write path could have
  // written there (StreamShapeProblem). An Error says what is wrong, without a line number.
  Status Add(const EventEnvelope& envelope);
  // Writes what is left (the open command, heads, the next order number) and flushes to disk.
  Status Finish();

  uint64_t events() const { return position_; }
  uint64_t streams() const { return streams_; }

 private:
  struct Head {
    uint64_t version = 0;
    std::string hash;
  };
  // The events of one command: consecutive, one trainer, one command id (invariant 5).
  struct OpenCommand {
    std::string command_id;
    std::string mcid;
    uint64_t first_position = 0;
    uint64_t count = 0;
  };

  Result<Head> LoadHead(const std::string& mcid) const;
  Result<bool> MetaKeyExists(const std::string& key) const;
  Status TrackCommand(const EventEnvelope& envelope);
  void CloseCommand();
  Status TrackVoucher(const EventEnvelope& envelope);
  Status WriteBatch();

  RocksDb& db_;
  bool accept_out_of_time_order_;
  domain::Instant latest_at_;  // the latest `at` taken
  rocksdb::WriteBatch batch_;
  uint64_t batch_events_ = 0;
  // What the batch changed and the database does not show yet.
  std::unordered_map<std::string, Head> staged_heads_;
  std::unordered_set<std::string> staged_keys_;  // meta keys: "cmd/…" and "voucher/…"
  std::optional<OpenCommand> open_command_;
  // Each stream's latest instant, for the time order, across batches: a few bytes a trainer,
  // where reading it back from the database being filled costs three reads and a decode.
  std::unordered_map<std::string, int64_t> last_at_millis_;
  uint64_t position_ = 0;
  uint64_t streams_ = 0;
  uint64_t max_order_number_ = 0;
};

}  // namespace mct::consumers
