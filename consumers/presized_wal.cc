#include "consumers/presized_wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "consumers/wal_file_system.h"

namespace mct::consumers {
namespace {

// One WAL file, written by RocksDB from offset 0; a descriptor of its own grows the file's size.
class PresizedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PresizedFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::string& name,
               uint64_t chunk)
      : FSWritableFileOwnerWrapper(std::move(file)), chunk_(chunk) {
    fd_ = ::open(name.c_str(), O_WRONLY | O_CLOEXEC);
    struct stat info {};
    if (fd_ >= 0 && ::fstat(fd_, &info) == 0) sized_ = static_cast<uint64_t>(info.st_size);
  }
  ~PresizedFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    Grow(data.size());
    return target()->Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& verification,
                           rocksdb::IODebugContext* debug) override {
    Grow(data.size());
    return target()->Append(data, options, verification, debug);
  }

 private:
  // Best effort: if the file system cannot allocate, the file simply grows with its data.
  void Grow(uint64_t bytes) {
    written_ += bytes;
    if (fd_ < 0 || written_ <= sized_) return;
    const uint64_t target_size = (written_ / chunk_ + 1) * chunk_;
    if (::fallocate(fd_, 0, static_cast<off_t>(sized_), static_cast<off_t>(target_size - sized_)) ==
        0) {
      sized_ = target_size;
    } else {
      ::close(fd_);
      fd_ = -1;
    }
  }

  const uint64_t chunk_;
  int fd_ = -1;
  uint64_t sized_ = 0;    // the file's size as this wrapper last made it
  uint64_t written_ = 0;  // bytes RocksDB appended
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> PresizedWal(std::shared_ptr<rocksdb::FileSystem> base,
                                                 uint64_t chunk) {
  return WrapWalFiles(std::move(base), [chunk](std::unique_ptr<rocksdb::FSWritableFile> file,
                                               const std::string& name) {
    return std::make_unique<PresizedFile>(std::move(file), name, chunk);
  });
}

}  // namespace mct::consumers
