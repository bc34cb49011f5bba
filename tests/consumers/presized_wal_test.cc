// The presized write-ahead log on a real RocksDB on disk: WAL files hold written zeros (not
// fallocate's unwritten extents) ahead of their data and none after a clean close, and a crash
// image (the directory as the disk holds it while the database is open, with the WAL's zero tail)
// recovers every synced write and nothing else, also when RocksDB writes into a recycled WAL file.
#include "consumers/presized_wal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "consumers/rocks_db.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr uint64_t kChunk = 64 << 10;

// A plain RocksDB whose file system is the presized one.
struct PresizedDb {
  explicit PresizedDb(const fs::path& dir)
      : env(rocksdb::NewCompositeEnv(PresizedWal(rocksdb::FileSystem::Default(), kChunk))) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.env = env.get();
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened = rocksdb::DB::Open(options, dir.string(), &raw);
    if (!opened.ok()) throw std::runtime_error(opened.ToString());
    db.reset(raw);
  }
  void PutSynced(const std::string& key, const std::string& value) {
    rocksdb::WriteOptions synced;
    synced.sync = true;
    const rocksdb::Status put = db->Put(synced, key, value);
    if (!put.ok()) throw std::runtime_error(put.ToString());
  }

  std::unique_ptr<rocksdb::Env> env;  // outlives db
  std::unique_ptr<rocksdb::DB> db;
};

std::vector<fs::path> WalFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") out.push_back(entry.path());
  }
  return out;
}

std::string Key(int index) { return "key-" + std::to_string(index); }
std::string Value(int index) { return std::string(500, static_cast<char>('a' + index % 26)); }

// The file's extents within its size that are reserved but never written (fallocate's), which a
// write must convert, a journal commit; -1 when the file system cannot tell. (RocksDB reserves
// space past the end of a WAL file itself; that is outside the file's size.)
int UnwrittenExtents(const fs::path& file) {
  const uint64_t size = fs::file_size(file);
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  constexpr unsigned kMaxExtents = 256;
  std::vector<char> buffer(sizeof(fiemap) + kMaxExtents * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  map->fm_start = 0;
  map->fm_length = FIEMAP_MAX_OFFSET;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  map->fm_extent_count = kMaxExtents;
  const int mapped = ::ioctl(fd, FS_IOC_FIEMAP, map);
  ::close(fd);
  if (mapped != 0) return -1;
  int unwritten = 0;
  for (unsigned index = 0; index < map->fm_mapped_extents; ++index) {
    const fiemap_extent& extent = map->fm_extents[index];
    if ((extent.fe_flags & FIEMAP_EXTENT_UNWRITTEN) && extent.fe_logical < size) ++unwritten;
  }
  return unwritten;
}

// Polls `done` until it holds or 20 seconds have passed (the zeros are written in the background);
// answers its last result.
template <typename Done>
bool WaitUntil(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Whether the file's last `bytes` are all zero.
bool EndsInZeros(const fs::path& file, size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  const auto size = static_cast<std::streamoff>(fs::file_size(file));
  if (size < static_cast<std::streamoff>(bytes)) return false;
  in.seekg(size - static_cast<std::streamoff>(bytes));
  std::string tail(bytes, 'x');
  in.read(tail.data(), static_cast<std::streamsize>(bytes));
  return in && tail.find_first_not_of('\0') == std::string::npos;
}

TEST(PresizedWal, WritesZerosAheadOfItsDataAndNoneAfterClose) {
  TempDir dir("presized");
  fs::path log;
  constexpr uint64_t kData = 400 * 500;
  {
    PresizedDb db(dir.path());
    std::vector<fs::path> logs = WalFiles(dir.path());
    ASSERT_EQ(logs.size(), 1u);
    log = logs[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(fs::file_size(log), 0u) << "a database opened and not written gets no zeros";

    db.PutSynced(Key(0), Value(0));
    ASSERT_TRUE(WaitUntil([&] { return EndsInZeros(log, 1024); }))
        << "a young file gets zeros ahead too";
    // And time to overshoot, if it would.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_LE(fs::file_size(log), kChunk / 4)
        << "a file with a single write gets a piece or two of zeros, not the whole lead";

    for (int index = 1; index < 400; ++index) db.PutSynced(Key(index), Value(index));
    EXPECT_TRUE(WaitUntil([&] { return fs::file_size(log) >= kData + kChunk / 2; }))
        << "the file is ahead of the data written to it";
    const uint64_t size = fs::file_size(log);
    EXPECT_LE(size, kData + 2 * kChunk) << "and not much further";
    EXPECT_TRUE(EndsInZeros(log, 4096)) << "what is ahead of the data is zeros";
    // A file system without extent maps (tmpfs) has no reserved-but-unwritten blocks either:
    // there the zeros above are the whole check.
    const int unwritten = UnwrittenExtents(log);
    if (unwritten >= 0) {
      EXPECT_EQ(unwritten, 0)
          << "ahead of the data the blocks hold written zeros, not reserved space";
    } else {
      RecordProperty("extent_map", "not available on this file system");
    }
  }
  // RocksDB keeps the WAL of data it has not flushed; closed, the file holds its data alone.
  ASSERT_TRUE(fs::exists(log));
  EXPECT_LT(fs::file_size(log), kData + kChunk / 2);
  EXPECT_FALSE(EndsInZeros(log, 1)) << "no zeros were written after RocksDB trimmed the file";
}

TEST(PresizedWal, ACrashImageWithAZeroTailRecoversEverySyncedWrite) {
  TempDir dir("presized-live");
  TempDir image("presized-image");
  constexpr int kWrites = 300;
  {
    PresizedDb db(dir.path());
    for (int index = 0; index < kWrites; ++index) db.PutSynced(Key(index), Value(index));
    // The zeros ahead are written in the background: wait until they are there (checked below,
    // on the image).
    WaitUntil([&] {
      for (const auto& log : WalFiles(dir.path())) {
        if (EndsInZeros(log, 4096)) return true;
      }
      return false;
    });
    // What a power cut would leave: the files as they are now, the database still open and the
    // WAL longer than its data.
    fs::copy(dir.path(), image.path(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::remove(image.path() / "LOCK");
  }
  std::vector<fs::path> logs = WalFiles(image.path());
  ASSERT_FALSE(logs.empty());
  bool zero_tail = false;
  for (const auto& log : logs) zero_tail = zero_tail || EndsInZeros(log, 4096);
  ASSERT_TRUE(zero_tail) << "the image must hold a presized WAL for this test to mean anything";

  PresizedDb recovered(image.path());
  for (int index = 0; index < kWrites; ++index) {
    std::string value;
    ASSERT_TRUE(recovered.db->Get(rocksdb::ReadOptions(), Key(index), &value).ok()) << Key(index);
    EXPECT_EQ(value, Value(index));
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(recovered.db->NewIterator(rocksdb::ReadOptions()));
    int count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    EXPECT_EQ(count, kWrites) << "the zeros were read as nothing, not as records";
  }

  // And the recovered database takes new writes and keeps them across a clean reopen.
  recovered.PutSynced("after", "recovery");
  recovered.db.reset();
  PresizedDb reopened(image.path());
  std::string value;
  EXPECT_TRUE(reopened.db->Get(rocksdb::ReadOptions(), "after", &value).ok());
  EXPECT_EQ(value, "recovery");
}

// The product's own store (RocksDb::Open: presized and recycled WAL files). RocksDB reuses the file
// of a WAL it no longer needs for a later one, and the file keeps its old length: a crash image
// taken while such a file is being written recovers every synced write too.
TEST(PresizedWal, ARecycledWalFileRecoversFromACrashImage) {
  // In the build tree rather than TMPDIR: on tmpfs RocksDB was seen never to recycle a WAL file,
  // and this test needs one recycled.
  TempDir dir("presized-recycled", MCT_BINARY_DIR);
  TempDir image("presized-recycled-image", MCT_BINARY_DIR);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  int written = 0;
  bool reused = false;
  {
    auto opened = RocksDb::Open(dir.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    rocksdb::DB* db = opened.value()->db();
    std::map<ino_t, fs::path> seen;  // every WAL file so far, by inode
    // RocksDB sets a flushed WAL aside for reuse in its background work after the flush, so on a
    // busy machine the next rounds may still open new files: rounds go on until one is reused,
    // or this deadline says RocksDB does not reuse them at all.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!reused && std::chrono::steady_clock::now() < deadline) {
      for (int index = 0; index < 100; ++index, ++written) {
        ASSERT_TRUE(db->Put(synced, Key(written), Value(written)).ok());
      }
      for (const auto& log : WalFiles(dir.path())) {
        struct stat info {};
        ASSERT_EQ(::stat(log.c_str(), &info), 0);
        const auto [at, added] = seen.emplace(info.st_ino, log);
        reused = reused || (!added && at->second != log);
      }
      // A new WAL file for what comes next; the flushed one is kept for reuse.
      ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    }
    ASSERT_TRUE(reused) << "RocksDB never reused a WAL file: the test does not reach its case";
    for (int index = 0; index < 100; ++index, ++written) {
      ASSERT_TRUE(db->Put(synced, Key(written), Value(written)).ok());
    }
    fs::copy(dir.path(), image.path(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::remove(image.path() / "LOCK");
  }
  auto recovered = RocksDb::Open(image.path());
  ASSERT_TRUE(recovered.ok()) << recovered.error().message;
  for (int index = 0; index < written; ++index) {
    std::string value;
    ASSERT_TRUE(recovered.value()->db()->Get(rocksdb::ReadOptions(), Key(index), &value).ok())
        << Key(index);
    EXPECT_EQ(value, Value(index));
  }
}

}  // namespace
}  // namespace mct::consumers
