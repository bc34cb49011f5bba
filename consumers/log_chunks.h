// LogChunks: the log from a position up to a target, decoded, in chunks. A long read (a rebuild,
// a catch-up after a restart) is decoded ahead of the caller by reader threads, so that reading
// and decoding the log overlap with folding it; a short read (the live runner's few new events)
// decodes inline, since a thread would cost more than it saves.
//
// Chunk k holds the events at positions (after + k*C, after + (k+1)*C], C = chunk_events. Each
// reader thread has its own iterator and decodes every readers-th chunk, and the caller gets them
// back in order: decoding costs more than folding, so one reader alone would leave the folding
// thread waiting (bench/README.md, "Where the time goes").
//
// Thread-safety: one caller; the reader threads are internal and stopped by the destructor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "consumers/codec.h"
#include "consumers/rocks_db.h"
#include "domain/result.h"

namespace mct::consumers {

struct LogChunkOptions {
  size_t chunk_events = 2048;        // positions per chunk (at least 1)
  size_t chunks_ahead = 4;           // chunks decoded but not yet taken, at most (at least 1)
  uint64_t read_ahead_from = 50000;  // events to read before reader threads are worth starting
  size_t readers = 2;                // reader threads, when reading ahead
  DecodedFields fields = DecodedFields::kAll;
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
  // `spent`, the caller's previous chunk, is reused for a later one: its events are destroyed and
  // its memory refilled by a reader, so a long read does not map a fresh chunk from the system
  // every time, nor free most of its events on the caller's thread.
  Result<std::vector<EventEnvelope>> Next(std::vector<EventEnvelope> spent = {});

 private:
  using Chunk = std::vector<EventEnvelope>;
  struct Read {
    Result<Chunk> chunk;
    bool last = false;  // the log or the target ends within this chunk (or it is an error)
  };

  std::unique_ptr<rocksdb::Iterator> NewIterator() const;
  // Chunk `index`, read with `log` into `chunk`'s memory; on whichever thread reads.
  Read ReadChunk(rocksdb::Iterator& log, uint64_t index, Chunk chunk) const;
  void ReadAhead(size_t first_index);  // one reader thread's loop
  Read TakeReady();                    // the readers' chunk `next_index_`, once there
  void StopReaders();                  // tells the reader threads to stop, and joins them
  Chunk Reusable();                    // a spent chunk to refill, or a new one

  const RocksDb& db_;
  const uint64_t after_;
  const uint64_t target_;
  const LogChunkOptions options_;
  std::unique_ptr<rocksdb::Iterator> inline_log_;  // when reading inline
  uint64_t next_index_ = 0;  // the chunk the caller gets next (under mutex_ when read ahead)
  bool ended_ = false;       // the last chunk has been answered
  std::optional<Result<Chunk>> finished_;  // the final answer: empty or an error

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<uint64_t, Read> ready_;  // by chunk index
  std::vector<Chunk> spent_;        // handed back by the caller, to be refilled
  bool stopping_ = false;
  std::vector<std::thread> readers_;
};

}  // namespace mct::consumers
