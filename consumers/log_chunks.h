// LogChunks: the log from a position up to a target, decoded, in chunks. A long read (a rebuild,
// a catch-up after a restart) decodes on a thread of its own, a few chunks ahead of the caller,
// so that reading and decoding the log overlap with folding it on a second core; a short read
// (the live runner's few new events) decodes inline, since a thread would cost more than it saves.
//
// Thread-safety: one caller; the read-ahead thread is internal and stopped by the destructor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "consumers/codec.h"
#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::consumers {

struct LogChunkOptions {
  size_t chunk_events = 4096;
  size_t chunks_ahead = 4;             // how far the read-ahead thread may run (memory bound)
  uint64_t read_ahead_from = 50000;    // events to read before a thread is worth starting
};

class LogChunks {
 public:
  // Events at positions (after, target].
  LogChunks(const RocksDb& db, uint64_t after, uint64_t target, LogChunkOptions options = {});
  ~LogChunks();
  LogChunks(const LogChunks&) = delete;
  LogChunks& operator=(const LogChunks&) = delete;

  // The next chunk in log order; empty once the log or the target is reached. An event that
  // cannot be decoded, or a failed read, is an error, and nothing after it is answered.
  Result<std::vector<EventEnvelope>> Next();

 private:
  Result<std::vector<EventEnvelope>> ReadChunk();  // on whichever thread reads
  void ReadAhead();
  Result<std::vector<EventEnvelope>> TakeReady();  // the read-ahead thread's next chunk

  std::unique_ptr<rocksdb::Iterator> log_;
  uint64_t position_;
  const uint64_t target_;
  const LogChunkOptions options_;
  std::optional<Result<std::vector<EventEnvelope>>> finished_;  // the last answer: empty or error

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Result<std::vector<EventEnvelope>>> ready_;  // the last is an empty chunk or an error
  bool stopping_ = false;
  std::thread reader_;
};

}  // namespace mct::consumers
