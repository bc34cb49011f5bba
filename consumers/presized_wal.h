// PresizedWal: a rocksdb::FileSystem that writes zeros into each write-ahead-log file ahead of its
// data, in the background, the way PostgreSQL prepares its WAL segments.
//
// Why: RocksDB appends to its WAL, so every group commit's sync must also write the file's new
// size (on a journalled ext4, a journal commit) besides the data. Space reserved with fallocate is
// no better: its blocks are "unwritten" extents, and the first write into each one changes the
// extent tree, again metadata to write. Writing into blocks that already hold (zero) data needs
// neither, and a sync costs about 40% less on this VM (bench/README.md). A thread per WAL file
// writes and syncs the zeros a piece at a time, off the commit path; RocksDB's appends never enter
// a piece being zeroed.
// RocksDB trims the file to its data when it closes it; after a crash the tail reads as zeros,
// which RocksDB's log reader skips as padding (the kZeroType records of preallocated files).
#pragma once

#include <rocksdb/file_system.h>

#include <cstdint>
#include <memory>

namespace mct::consumers {

// Wraps `base`: WAL files (*.log) hold zeros up to about `ahead` bytes past their data (less while
// a file is young: the zeros ahead grow with the data written, from two pieces of `ahead` / 16).
std::shared_ptr<rocksdb::FileSystem> PresizedWal(std::shared_ptr<rocksdb::FileSystem> base,
                                                 uint64_t ahead);

}  // namespace mct::consumers
