#include "consumers/rocks_db.h"

#include <fcntl.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

#include "consumers/memtable_hints.h"
#include "consumers/presized_wal.h"

namespace mct::consumers {
namespace {

rocksdb::ColumnFamilyOptions FamilyOptions(const std::string& name) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // The log is read mostly in long runs (rebuilds, catch-ups, exports, verify): 16 KB blocks
  // read a quarter as many block headers and checksums per event, and LZ4 finds more to share
  // (bench/README.md: 209 -> 160 bytes per event on disk, rebuild and as-of queries faster).
  if (name == kLogFamily) table.block_size = 16 << 10;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = rocksdb::kLZ4Compression;
  // A Bloom filter over the memtable's keys: the committer looks up every command id a client
  // chose before writing it (invariant 5), and nearly all are new; without it each miss walks the
  // skip list.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  // Where the committer's inserts land next to its previous ones (consumers/memtable_hints.h).
  if (name == kLogFamily) {
    options.memtable_insert_with_hint_prefix_extractor = LogInsertHint();
  } else if (name == kStreamsFamily) {
    options.memtable_insert_with_hint_prefix_extractor = StreamInsertHint();
  } else if (name == kMetaFamily) {
    options.memtable_insert_with_hint_prefix_extractor = MetaInsertHint();
  }
  return options;
}

// A reader's info log: none. RocksDB would otherwise start DIR/LOG anew for it, moving the
// writer's aside.
class NoInfoLog : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*arguments*/) override {}
};

// How far ahead of its data a WAL file holds written zeros (consumers/presized_wal.h).
constexpr uint64_t kWalZerosAheadBytes = 16 << 20;

// A file of the store in `dir` when it lacks CURRENT (RocksDB's pointer to its manifest), or
// nullopt. Without CURRENT RocksDB would create a new, empty store there and delete the old one's
// files as obsolete: a damaged store must be refused, never replaced.
std::optional<std::string> StoreFileWithoutCurrent(const std::filesystem::path& dir) {
  std::error_code error;
  if (RocksDb::HoldsStore(dir)) return std::nullopt;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".sst") || name.ends_with(".log") || name.starts_with("MANIFEST-") ||
        name.starts_with("OPTIONS-") || name == "IDENTITY") {
      return name;
    }
  }
  return std::nullopt;
}

}  // namespace

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Ok();
  return Error{std::string(what) + ": " + status.ToString()};
}

std::optional<std::string> RocksDb::WhyNotOpenForWriting(const std::filesystem::path& dir) {
  const std::string lock_file = (dir / "LOCK").string();
  if (::access(dir.c_str(), W_OK) != 0 ||
      (::access(lock_file.c_str(), F_OK) == 0 && ::access(lock_file.c_str(), W_OK) != 0)) {
    return std::string(kNotWritable);
  }
  const int fd = ::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // no LOCK yet: nobody holds it
  // RocksDB holds a whole-file write lock (fcntl) on LOCK while a process has the store open.
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  ::close(fd);
  if (held) return std::string(kInUse);
  return std::nullopt;
}

bool RocksDb::HoldsStore(const std::filesystem::path& dir) {
  std::error_code error;
  return std::filesystem::exists(dir / "CURRENT", error);
}

std::optional<std::string> RocksDb::DamagedWithoutCurrent(const std::filesystem::path& dir) {
  const auto file = StoreFileWithoutCurrent(dir);
  if (!file) return std::nullopt;
  return "the store in " + dir.string() + " is damaged: it holds its files (" + *file +
         ", ...) but not CURRENT; it is not opened, and nothing was written (restore CURRENT from "
         "a backup, or import an export into an empty directory)";
}

Result<std::unique_ptr<RocksDb>> RocksDb::Open(const std::filesystem::path& dir, rocksdb::Env* env,
                                               bool info_log) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Error{"cannot create the data directory " + dir.string() + ": " + error.message()};
  if (auto damaged = DamagedWithoutCurrent(dir)) return Error{*std::move(damaged)};

  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  options.max_background_jobs = 2;
  // Column families written rarely would otherwise pin old WAL files forever (and a reopen would
  // replay them all): past this size RocksDB flushes the families holding the oldest WAL.
  options.max_total_wal_size = 128 << 20;
  // Reused WAL files are already allocated and sized: a sync then writes the data and flushes,
  // without updating the file's inode first (one disk write less per group commit).
  options.recycle_log_file_num = 4;
  // Each open starts DIR/LOG anew and keeps the old one: a few are enough to look back on.
  options.keep_log_file_num = 5;
  if (!info_log) options.info_log = std::make_shared<NoInfoLog>();
  // WAL files hold written zeros ahead of their data: a group commit's sync then need neither
  // record a new size nor convert reserved blocks.
  std::unique_ptr<RocksDb> out(new RocksDb());
  rocksdb::Env* base = env != nullptr ? env : rocksdb::Env::Default();
  out->env_ = rocksdb::NewCompositeEnv(PresizedWal(base->GetFileSystem(), kWalZerosAheadBytes));
  options.env = out->env_.get();

  std::vector<std::string> names;
  const rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(options, dir.string(), &names);
  if (!listed.ok()) names = {rocksdb::kDefaultColumnFamilyName};
  for (const char* required : {kLogFamily, kStreamsFamily, kMetaFamily}) {
    if (std::find(names.begin(), names.end(), required) == names.end()) names.push_back(required);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, FamilyOptions(name));

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(options, dir.string(), descriptors, &handles, &raw);
  if (!opened.ok()) {
    // RocksDB says "While lock file: DIR/LOCK: Resource temporarily unavailable" when another
    // process holds it, "lock hold by current process" when this one does.
    const std::string said = opened.ToString();
    const bool held_elsewhere = said.find("While lock file") != std::string::npos &&
                                said.find("Resource temporarily unavailable") != std::string::npos;
    if (opened.IsIOError() &&
        (held_elsewhere || said.find("lock hold by current process") != std::string::npos)) {
      return Error{"the store in " + dir.string() + " is in use by another process (mctd?)",
                   kInUse};
    }
    // An auditor's read-only copy, or a user who may read but not write: "while open a file for
    // lock: DIR/LOCK: Permission denied" (or "Read-only file system").
    if (opened.IsIOError() && said.find("for lock") != std::string::npos &&
        (said.find("Permission denied") != std::string::npos ||
         said.find("Read-only file system") != std::string::npos)) {
      return Error{"the store in " + dir.string() + " cannot be written by this user",
                   kNotWritable};
    }
    return Error{"cannot open the store in " + dir.string() + ": " + opened.ToString()};
  }
  out->dir_ = dir;
  out->db_.reset(raw);
  for (size_t index = 0; index < names.size(); ++index) out->families_[names[index]] = handles[index];
  return out;
}

namespace {

// Whether a read-only open failed because the writer beside it changed the files as it read them:
// a table file the manifest names was compacted away, or a column family dropped, between the
// reading of the manifest and of what it names. The next attempt reads the new manifest.
bool ChangedUnderTheReader(const rocksdb::Status& status) {
  const std::string said = status.ToString();
  return said.find("No such file or directory") != std::string::npos ||
         said.find("Column family not found") != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<RocksDb>> RocksDb::OpenReadOnly(const std::filesystem::path& dir) {
  rocksdb::DBOptions options;
  options.create_if_missing = false;
  options.info_log = std::make_shared<NoInfoLog>();
  // Every table file is opened with the database: one the writer deletes afterwards (a
  // compaction, a rebuild's dropped generation) stays readable through its open descriptor.
  options.max_open_files = -1;
  std::vector<std::string> names;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened;
  constexpr int kAttempts = 20;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    names.clear();
    handles.clear();
    opened = rocksdb::DB::ListColumnFamilies(options, dir.string(), &names);
    if (opened.ok()) {
      std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
      for (const auto& name : names) descriptors.emplace_back(name, FamilyOptions(name));
      opened = rocksdb::DB::OpenForReadOnly(options, dir.string(), descriptors, &handles, &raw);
    }
    // Only beside a writer: a file missing from a store nobody writes is damage, said at once.
    if (opened.ok() || !ChangedUnderTheReader(opened) ||
        WhyNotOpenForWriting(dir) != std::optional<std::string>(kInUse)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
  if (!opened.ok()) {
    return Error{"cannot read the store in " + dir.string() + ": " + opened.ToString() +
                 (ChangedUnderTheReader(opened) &&
                          WhyNotOpenForWriting(dir) == std::optional<std::string>(kInUse)
                      ? " (the process writing it kept changing its files; try again)"
                      : "")};
  }
  std::unique_ptr<RocksDb> out(new RocksDb());
  out->dir_ = dir;
  out->read_only_ = true;
  out->db_.reset(raw);
  for (size_t index = 0; index < names.size(); ++index)
    out->families_[names[index]] = handles[index];
  for (const char* required : {kLogFamily, kStreamsFamily, kMetaFamily}) {
    if (out->families_.count(required) == 0) return Error{"no store in " + dir.string()};
  }
  return out;
}

RocksDb::~RocksDb() {
  if (!db_) return;
  for (auto& [name, handle] : families_) db_->DestroyColumnFamilyHandle(handle);
  families_.clear();
  db_->Close();
}

rocksdb::ColumnFamilyHandle* RocksDb::Family(const std::string& name) const {
  std::lock_guard lock(families_mutex_);
  const auto found = families_.find(name);
  return found == families_.end() ? nullptr : found->second;
}

Result<rocksdb::ColumnFamilyHandle*> RocksDb::CreateFamily(const std::string& name) {
  std::lock_guard lock(families_mutex_);
  if (const auto found = families_.find(name); found != families_.end()) return found->second;
  if (read_only_) {
    return Error{"the store has no " + name + " yet, and is open to read only", kFamilyNotOpened};
  }
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  const rocksdb::Status created = db_->CreateColumnFamily(FamilyOptions(name), name, &handle);
  if (!created.ok()) return Error{"cannot create column family " + name + ": " + created.ToString()};
  families_[name] = handle;
  return handle;
}

Status RocksDb::DropFamily(const std::string& name) {
  std::lock_guard lock(families_mutex_);
  const auto found = families_.find(name);
  if (found == families_.end()) return Ok();
  const rocksdb::Status dropped = db_->DropColumnFamily(found->second);
  if (!dropped.ok()) return FromRocks(dropped, "dropping column family " + name);
  db_->DestroyColumnFamilyHandle(found->second);
  families_.erase(found);
  return Ok();
}

std::vector<std::string> RocksDb::FamilyNames() const {
  std::lock_guard lock(families_mutex_);
  std::vector<std::string> out;
  for (const auto& [name, handle] : families_) out.push_back(name);
  return out;
}

}  // namespace mct::consumers
