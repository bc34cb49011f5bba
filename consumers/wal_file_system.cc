#include "consumers/wal_file_system.h"

namespace mct::consumers {
namespace {

class WalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  WalFileSystem(std::shared_ptr<rocksdb::FileSystem> base, WalFileWrapper wrap)
      : FileSystemWrapper(std::move(base)), wrap_(std::move(wrap)) {}
  const char* Name() const override { return "WalFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    return Wrap(name, target()->NewWritableFile(name, options, file, debug), file);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* debug) override {
    return Wrap(name, target()->ReuseWritableFile(name, old_name, options, file, debug), file);
  }

 private:
  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* file) const {
    if (opened.ok() && name.ends_with(".log")) *file = wrap_(std::move(*file), name);
    return opened;
  }

  const WalFileWrapper wrap_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> WrapWalFiles(std::shared_ptr<rocksdb::FileSystem> base,
                                                  WalFileWrapper wrap) {
  return std::make_shared<WalFileSystem>(std::move(base), std::move(wrap));
}

}  // namespace mct::consumers
