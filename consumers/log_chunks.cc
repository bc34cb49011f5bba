#include "consumers/log_chunks.h"

#include <algorithm>
#include <exception>
#include <string>
#include <system_error>

#include "consumers/keys.h"

namespace mct::consumers {

namespace {

// A chunk holds at least one position, and readers may run at least one chunk ahead: with
// either at zero, nothing would ever be read.
LogChunkOptions Sane(LogChunkOptions options) {
  options.chunk_events = std::max<size_t>(options.chunk_events, 1);
  options.chunks_ahead = std::max<size_t>(options.chunks_ahead, 1);
  return options;
}

}  // namespace

LogChunks::LogChunks(const RocksDb& db, uint64_t after, uint64_t target, LogChunkOptions options)
    : db_(db), after_(after), target_(target), options_(Sane(options)) {
  const bool long_read = target > after && target - after >= options_.read_ahead_from;
  if (long_read && options_.readers > 0) {
    try {
      for (size_t reader = 0; reader < options_.readers; ++reader) {
        readers_.emplace_back([this, reader] { ReadAhead(reader); });
      }
      return;
    } catch (const std::system_error&) {
      StopReaders();  // no thread to be had: read inline instead
      readers_.clear();
    }
  }
  inline_log_ = NewIterator();
}

LogChunks::~LogChunks() { StopReaders(); }

void LogChunks::StopReaders() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& reader : readers_) {
    if (reader.joinable()) reader.join();
  }
}

std::unique_ptr<rocksdb::Iterator> LogChunks::NewIterator() const {
  rocksdb::ReadOptions scan;
  scan.readahead_size = 1 << 20;
  scan.fill_cache = false;  // a scan of the whole log would evict what the queries need
  return std::unique_ptr<rocksdb::Iterator>(db_.db()->NewIterator(scan, db_.log()));
}

LogChunks::Read LogChunks::ReadChunk(rocksdb::Iterator& log, uint64_t index, Chunk chunk) const {
  chunk.clear();
  const uint64_t first = after_ + index * options_.chunk_events + 1;
  if (first > target_) return {std::move(chunk), true};
  const uint64_t last = std::min(target_, first + options_.chunk_events - 1);
  chunk.reserve(last - first + 1);
  log.Seek(keys::Position(first));
  for (; log.Valid() && keys::ReadBigEndian64(log.key().ToStringView()) <= last; log.Next()) {
    const Status decoded = DecodeLogEntryInto(log.key().ToStringView(), log.value().ToStringView(),
                                              options_.fields, chunk.emplace_back());
    if (!decoded.ok()) return {decoded.error(), true};
  }
  if (!log.status().ok()) return {FromRocks(log.status(), "reading the log").error(), true};
  // The log ends within this chunk when nothing follows it; the target, when it is reached.
  return {std::move(chunk), !log.Valid() || last == target_};
}

void LogChunks::ReadAhead(size_t first_index) {
  const std::unique_ptr<rocksdb::Iterator> log = NewIterator();
  for (uint64_t index = first_index;; index += options_.readers) {
    Chunk reuse;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || index < next_index_ + options_.chunks_ahead; });
      if (stopping_) return;
      reuse = Reusable();
    }
    Read read = [&]() -> Read {
      try {
        return ReadChunk(*log, index, std::move(reuse));
      } catch (const std::exception& error) {  // out of memory, most likely: the caller is told
        return {Error{std::string("reading the log: ") + error.what()}, true};
      }
    }();
    const bool last = read.last;
    {
      std::lock_guard lock(mutex_);
      ready_.emplace(index, std::move(read));
    }
    changed_.notify_all();
    if (last) return;  // the chunks after it are past the end: another reader's, if anyone's
  }
}

LogChunks::Chunk LogChunks::Reusable() {
  if (spent_.empty()) return {};
  Chunk chunk = std::move(spent_.back());
  spent_.pop_back();
  return chunk;
}

Result<std::vector<EventEnvelope>> LogChunks::Next(Chunk spent) {
  if (finished_) return *finished_;
  if (ended_) {
    finished_ = Chunk{};
    return *finished_;
  }
  while (true) {
    if (spent.capacity() != 0 && !inline_log_) {
      std::lock_guard lock(mutex_);
      if (spent_.size() < options_.readers) spent_.push_back(std::move(spent));
    }
    Read read =
        inline_log_ ? ReadChunk(*inline_log_, next_index_++, std::move(spent)) : TakeReady();
    if (!read.chunk.ok()) {
      finished_ = read.chunk;  // every later call answers the same
      return read.chunk;
    }
    ended_ = read.last;
    if (!read.chunk->empty()) return std::move(read.chunk);  // a member: moved only when asked
    if (ended_) return Next();
    spent = std::move(read.chunk).value();  // no event at these positions: the next chunk
  }
}

LogChunks::Read LogChunks::TakeReady() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return ready_.count(next_index_) != 0; });
  auto found = ready_.find(next_index_);
  Read read = std::move(found->second);
  ready_.erase(found);
  ++next_index_;  // under the lock: the readers wait on it
  lock.unlock();
  changed_.notify_all();
  return read;
}

}  // namespace mct::consumers
