#include "consumers/presized_wal.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "consumers/wal_file_system.h"

namespace mct::consumers {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxPiece = 1 << 20;

uint64_t RoundUp(uint64_t bytes, uint64_t step) { return (bytes + step - 1) / step * step; }

// One WAL file, written by RocksDB from offset 0. A descriptor of its own, on a thread of its own,
// writes zeros ahead of RocksDB's data and syncs them.
class PresizedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PresizedFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::string& name,
               uint64_t ahead)
      : FSWritableFileOwnerWrapper(std::move(file)),
        ahead_(ahead),
        piece_(std::clamp<uint64_t>(RoundUp(ahead / 16, kPage), kPage, kMaxPiece)) {
    fd_ = ::open(name.c_str(), O_WRONLY | O_CLOEXEC);
    struct stat info {};
    if (fd_ >= 0 && ::fstat(fd_, &info) == 0) {
      // A reused file's old bytes are written blocks already.
      ready_ = static_cast<uint64_t>(info.st_size);
    } else if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~PresizedFile() override { StopFilling(); }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    Reserve(data.size());
    return target()->Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& verification,
                           rocksdb::IODebugContext* debug) override {
    Reserve(data.size());
    return target()->Append(data, options, verification, debug);
  }
  // RocksDB trims the file to its data here: no zeros may follow.
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    StopFilling();
    return target()->Close(options, debug);
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    StopFilling();
    return target()->Truncate(size, options, debug);
  }

 private:
  // Called before RocksDB appends `bytes`: waits while they would land in a piece being zeroed
  // (rare: the filler keeps far ahead), and wakes the filler when the zeros ahead run short.
  void Reserve(uint64_t bytes) {
    std::unique_lock lock(mutex_);
    const uint64_t end = written_ + bytes;
    changed_.wait(lock, [&] { return !filling_from_ || end <= *filling_from_; });
    written_ = end;
    // The filler starts with the first write: a database opened only to be read (a command-line
    // query) writes no zeros.
    if (!filler_.joinable() && fd_ >= 0 && !stopping_) {
      filler_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "mct-wal-filler");  // else it has its creator's name
        FillLoop();
      });
    }
    if (!stopping_ && ready_ < written_ + Lead() / 2) {
      lock.unlock();
      changed_.notify_all();
    }
  }

  void FillLoop() {
    // Never destroyed: the filler is joined by whichever thread closes the WAL file, at times a
    // RocksDB background thread that outlives main(), so nothing orders the filler's last read
    // before a destructor run at exit.
    static const std::string& zeros = *new std::string(kMaxPiece, '\0');
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [&] { return stopping_ || ready_ < written_ + Lead(); });
      if (stopping_) return;
      // Past RocksDB's end, with a piece's margin when it has caught up, so that its next appends
      // go on beside the piece rather than wait for it.
      const uint64_t from = ready_ > written_ ? ready_ : RoundUp(written_ + piece_, kPage);
      filling_from_ = from;
      lock.unlock();
      // Best effort: if the disk is full or the write fails, the file simply grows with its data.
      const bool zeroed = ::pwrite(fd_, zeros.data(), piece_, static_cast<off_t>(from)) ==
                              static_cast<ssize_t>(piece_) &&
                          ::fdatasync(fd_) == 0;
      lock.lock();
      filling_from_.reset();
      if (zeroed) ready_ = from + piece_;
      changed_.notify_all();
      if (!zeroed) return;
    }
  }

  // How far ahead the zeros should reach: two pieces for a new file, growing with what RocksDB has
  // written up to `ahead_`. A WAL that takes a handful of writes (a command-line run, a test)
  // costs a couple of megabytes of zeros, not the whole lead. The filler is woken at half the
  // lead, so RocksDB always has at least a piece of zeros to write into while the next is made.
  uint64_t Lead() const { return std::clamp(written_, 2 * piece_, std::max(2 * piece_, ahead_)); }

  void StopFilling() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (filler_.joinable()) filler_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  const uint64_t ahead_;
  const uint64_t piece_;
  int fd_ = -1;
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t written_ = 0;  // bytes RocksDB appended
  uint64_t ready_ = 0;    // the file holds written blocks up to here (zeros past `written_`)
  std::optional<uint64_t> filling_from_;  // a piece from here is being zeroed: appends stay before
  bool stopping_ = false;
  std::thread filler_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> PresizedWal(std::shared_ptr<rocksdb::FileSystem> base,
                                                 uint64_t ahead) {
  return WrapWalFiles(std::move(base), [ahead](std::unique_ptr<rocksdb::FSWritableFile> file,
                                               const std::string& name) {
    return std::make_unique<PresizedFile>(std::move(file), name, ahead);
  });
}

}  // namespace mct::consumers
