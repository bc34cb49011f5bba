// BulkLoad: the keys of fresh (empty) column families, gathered in memory, then written as one
// SST file per family and ingested into all of them in one step. A rebuild's first batch puts
// every trainer's read models into a new generation's empty families; building their files
// directly skips the memtable and the flush that a write batch of that size would need.
//
// Only for families nothing else writes to until Ingest returns (a rebuild's generation before
// its switch). Not thread-safe: to gather on several threads, give each its own BulkLoad and
// Absorb them into one.
#pragma once

#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::consumers {

class BulkLoad {
 public:
  // The files are built under `scratch`, which Ingest empties and removes again.
  BulkLoad(rocksdb::DB* db, std::filesystem::path scratch)
      : db_(db), scratch_(std::move(scratch)) {}

  // The same calls as a rocksdb::WriteBatch, so that one function can fill either.
  void Put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
           const rocksdb::Slice& value) {
    families_[family].emplace_back(key.ToString(), value.ToString());
  }
  // An empty family holds nothing to delete: a delete means the families were not empty after
  // all, and Ingest refuses the whole load rather than leave the key behind.
  void Delete(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key) {
    if (refused_.empty())
      refused_ = family->GetName() + " is not empty: asked to delete " + key.ToString(true);
  }

  // Takes every key `other` was given, as if they had been put here.
  void Absorb(BulkLoad&& other);

  // Builds each family's file (on two threads) and ingests them all at once: either every family
  // gets its keys or none does. A key put twice in one family, or any delete, is an error.
  Status Ingest();

 private:
  using Entries = std::vector<std::pair<std::string, std::string>>;
  Status WriteFile(rocksdb::ColumnFamilyHandle* family, Entries& entries,
                   const std::filesystem::path& file) const;

  rocksdb::DB* db_;
  std::filesystem::path scratch_;
  std::map<rocksdb::ColumnFamilyHandle*, Entries> families_;
  std::string refused_;  // why the load cannot be ingested, from the first delete asked for
};

}  // namespace mct::consumers
