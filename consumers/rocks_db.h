// RocksDb: the one RocksDB database of a data directory, opened with every column family the
// product uses, and the translation of rocksdb::Status into the project's Status at this edge
// (style.md: RocksDB types never leak inward).
//
// Thread-safety: the handle is safe for concurrent reads and writes (RocksDB's own guarantee);
// creating and dropping column families is serialised inside.
#pragma once

#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"

namespace mct::consumers {

// The column families that always exist.
inline constexpr const char* kLogFamily = "log";
inline constexpr const char* kStreamsFamily = "streams";
inline constexpr const char* kMetaFamily = "meta";

class RocksDb {
 public:
  // Opens (creating if needed) the database in `dir`, with every column family it holds, its WAL
  // files sized ahead of their data (consumers/presized_wal.h). The file system of `env`
  // replaces the operating system's (tests inject disk failures through it); `env` must outlive
  // the database.
  // When another process holds the database (mctd), the error's code is kInUse; when this user
  // may not write it (a read-only copy, another user's files), kNotWritable. Without
  // `info_log` RocksDB keeps no DIR/LOG for this opening: RocksDB starts its log before it takes
  // the lock, so an opening refused beside mctd would otherwise move mctd's LOG aside.
  static Result<std::unique_ptr<RocksDb>> Open(const std::filesystem::path& dir,
                                               rocksdb::Env* env = nullptr, bool info_log = true);
  // Opens an existing database to read only, beside the process that writes it (mctd holds the
  // lock that Open takes): it sees the data as it was when opened, and never writes.
  static Result<std::unique_ptr<RocksDb>> OpenReadOnly(const std::filesystem::path& dir);
  // Whether `dir` holds a store: its CURRENT file, RocksDB's pointer to its manifest.
  static bool HoldsStore(const std::filesystem::path& dir);
  // Why `dir` cannot be opened when it holds a store's files but not CURRENT (which names the
  // rest): nullopt when it has CURRENT, or no store's files at all.
  static std::optional<std::string> DamagedWithoutCurrent(const std::filesystem::path& dir);
  // What Open would refuse for the lock, without taking it: kInUse when another process holds
  // the store, kNotWritable when this user may not write it, nullopt when neither.
  static std::optional<std::string> WhyNotOpenForWriting(const std::filesystem::path& dir);
  static constexpr const char* kInUse = "store_in_use";
  // A family a reader looked for is not among those it opened: the writer created it since
  // (a rebuild's next generation, named by the meta family the reader read after its listing).
  static constexpr const char* kFamilyNotOpened = "family_not_opened";
  static constexpr const char* kNotWritable = "store_not_writable";
  ~RocksDb();
  RocksDb(const RocksDb&) = delete;
  RocksDb& operator=(const RocksDb&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  // The named family, or nullptr when it does not exist.
  rocksdb::ColumnFamilyHandle* Family(const std::string& name) const;
  rocksdb::ColumnFamilyHandle* log() const { return Family(kLogFamily); }
  rocksdb::ColumnFamilyHandle* streams() const { return Family(kStreamsFamily); }
  rocksdb::ColumnFamilyHandle* meta() const { return Family(kMetaFamily); }
  // Creates the family if missing and answers it.
  Result<rocksdb::ColumnFamilyHandle*> CreateFamily(const std::string& name);
  Status DropFamily(const std::string& name);
  std::vector<std::string> FamilyNames() const;
  const std::filesystem::path& dir() const { return dir_; }
  bool read_only() const { return read_only_; }

 private:
  RocksDb() = default;
  std::unique_ptr<rocksdb::Env> env_;  // the file system RocksDB writes through; outlives db_
  std::filesystem::path dir_;
  bool read_only_ = false;
  std::unique_ptr<rocksdb::DB> db_;
  mutable std::mutex families_mutex_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;
};

// rocksdb::Status → Status, with `what` saying what was being done.
Status FromRocks(const rocksdb::Status& status, std::string_view what);

}  // namespace mct::consumers
