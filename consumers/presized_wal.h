// PresizedWal: a rocksdb::FileSystem that gives each write-ahead-log file its size ahead of the
// writes, in chunks, the way PostgreSQL prepares its WAL segments.
//
// Why: RocksDB appends to its WAL, so every group commit's sync must also record the file's new
// size: a journal commit on ext4 besides the data. Writing inside a file that is already that
// large needs no size change, and a sync costs about a third less on this VM (bench/README.md).
// RocksDB trims the file to its data when it closes it; after a crash the tail reads as zeros,
// which RocksDB's log reader skips as padding (the kZeroType records of preallocated files).
#pragma once

#include <rocksdb/file_system.h>

#include <cstdint>
#include <memory>

namespace mct::consumers {

// Wraps `base`: WAL files (*.log) grow in steps of `chunk` bytes ahead of the data.
std::shared_ptr<rocksdb::FileSystem> PresizedWal(std::shared_ptr<rocksdb::FileSystem> base,
                                                 uint64_t chunk);

}  // namespace mct::consumers
