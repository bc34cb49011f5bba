// WrapWalFiles: a rocksdb::FileSystem that hands every write-ahead-log file RocksDB opens (new or
// recycled, named *.log) to a wrapper of the caller's, and every other file through untouched.
// The product sizes WAL files ahead of their data with it (presized_wal.h); tests inject failing
// syncs with it.
#pragma once

#include <rocksdb/file_system.h>

#include <functional>
#include <memory>
#include <string>

namespace mct::consumers {

using WalFileWrapper = std::function<std::unique_ptr<rocksdb::FSWritableFile>(
    std::unique_ptr<rocksdb::FSWritableFile> file, const std::string& name)>;

std::shared_ptr<rocksdb::FileSystem> WrapWalFiles(std::shared_ptr<rocksdb::FileSystem> base,
                                                  WalFileWrapper wrap);

}  // namespace mct::consumers
