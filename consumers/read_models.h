// ReadModels: the query side kept in RocksDB beside the log, as one *generation* of column
// families. A rebuild fills a new generation from position 0 while the live one keeps serving,
// then switches to it in one write; the old generation is dropped.
//
//   rm.<g>.status      mcid                      → TrainerView (view_codec.h)
//   rm.<g>.anniversary date(4) mcid              → ""   (who falls due, as a range scan)
//   rm.<g>.gaps        mcid                      → StoredGaps
//   rm.<g>.email       lowercase e-mail '\0' mcid → ""  (AUDIT-3)
//   rm.<g>.reports     YYYY-MM '/' counter        → int64(8)
//   rm.<g>.checkpoint  "position"                → the last log position applied(8)
//   meta               "readmodels/generation"   → g(8)
//   meta               "readmodels/layout"       → g(8) and the layout g was written in(8)
//
// The checkpoint is written in the same WriteBatch as the state derived up to it (invariant 4).
//
// Thread-safety: queries may run from any thread, concurrently with a runner and a rebuild.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "consumers/rocks_db.h"
#include "consumers/view_codec.h"
#include "domain/result.h"
#include "projections/trainer_view.h"

namespace mct::consumers {

// The families of one generation. Handles stay valid while a reader holds the shared pointer.
struct Generation {
  uint64_t number = 0;
  rocksdb::ColumnFamilyHandle* status = nullptr;
  rocksdb::ColumnFamilyHandle* anniversary = nullptr;
  rocksdb::ColumnFamilyHandle* gaps = nullptr;
  rocksdb::ColumnFamilyHandle* email = nullptr;
  rocksdb::ColumnFamilyHandle* reports = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoint = nullptr;
  // Every family but the checkpoint, in a fixed order (what the checksum digests).
  std::vector<std::pair<std::string, rocksdb::ColumnFamilyHandle*>> Digested() const;
};

struct DueEntry {
  domain::Date anniversary;
  domain::Mcid mcid;
};

class ReadModels {
 public:
  // What this build's projections and view codec store. Raise it whenever they store something
  // else (a new counter, a field of a view): a store written in another layout is rebuilt from
  // the log on its next writable open (admin::Store), never read as if it were this one.
  // 2: orders keep their currency, and refunds are counted per order currency.
  static constexpr uint64_t kLayout = 2;
  // The code of a query's refusal while the current generation is in another layout.
  static constexpr std::string_view kOtherLayout = "read_models_in_other_layout";

  // Opens the current generation (creating generation 1 on a new store) and drops stale ones.
  static Result<std::unique_ptr<ReadModels>> Open(RocksDb& db);

  // The layout the current generation was written in. Without a record for that generation (a
  // store from before layouts were recorded, or one an older build rebuilt, which leaves the
  // record of the generation before), 1 if it holds anything: an empty generation is in any
  // layout, so a new store reads as kLayout.
  uint64_t StoredLayout() const;
  bool NeedsRebuild() const { return StoredLayout() != kLayout; }

  std::shared_ptr<const Generation> Current() const;
  // Creates the families of a fresh generation after the current one.
  Result<std::shared_ptr<const Generation>> CreateNext();
  // Makes `next` current in one write, then drops the families of the old one once no reader
  // holds it (one it cannot drop is stale, dropped by the next Open). An error means no switch.
  Status SwitchTo(std::shared_ptr<const Generation> next);
  // Drops a generation that will not be used (a rebuild that failed).
  Status Discard(const Generation& generation);

  // --- queries, on the current generation; refused while it is in another layout -------------
  Result<std::optional<projections::TrainerView>> View(const domain::Mcid& mcid) const;
  Result<std::vector<DueEntry>> Due(const domain::Date& from, const domain::Date& to) const;
  Result<std::vector<domain::Mcid>> LookupEmail(const std::string& email) const;
  Result<std::optional<StoredGaps>> Gaps(const domain::Mcid& mcid) const;
  // Counters of one month, or of every month when `month` is empty (keyed "YYYY-MM/name").
  Result<std::map<std::string, int64_t>> Report(const std::string& month) const;
  Result<uint64_t> Checkpoint(const Generation& generation) const;
  // Hex SHA-256 over every key and value of the read models (not the log, not the checkpoint),
  // read from one snapshot, so a runner writing meanwhile cannot mix two states into one digest.
  Result<std::string> Checksum() const;
  // The same digest of `generation` as `snapshot` holds it; the caller keeps both alive.
  Result<std::string> ChecksumAt(const Generation& generation,
                                 const rocksdb::Snapshot* snapshot) const;

  RocksDb& db() const { return db_; }

 private:
  explicit ReadModels(RocksDb& db) : db_(db) {}
  Result<std::shared_ptr<const Generation>> OpenGeneration(uint64_t number);
  // The current generation, or why its read models cannot be read as this build's.
  Result<std::shared_ptr<const Generation>> Readable() const;

  RocksDb& db_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Generation> current_;
  uint64_t stored_layout_ = kLayout;  // of current_; under mutex_
};

// Key helpers shared by the runner and the queries.
std::string AnniversaryKey(const domain::Date& anniversary, const std::string& mcid);
std::string EmailKey(const std::string& email, const std::string& mcid);
std::string LowercaseEmail(std::string_view email);

}  // namespace mct::consumers
