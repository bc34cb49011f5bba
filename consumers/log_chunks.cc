#include "consumers/log_chunks.h"

#include "consumers/keys.h"

namespace mct::consumers {

LogChunks::LogChunks(const RocksDb& db, uint64_t after, uint64_t target, LogChunkOptions options)
    : position_(after), target_(target), options_(options) {
  rocksdb::ReadOptions scan;
  scan.readahead_size = 4 << 20;
  scan.fill_cache = false;  // a scan of the whole log would evict what the queries need
  log_.reset(db.db()->NewIterator(scan, db.log()));
  log_->Seek(keys::Position(after + 1));
  if (target > after && target - after >= options_.read_ahead_from) {
    reader_ = std::thread([this] { ReadAhead(); });
  }
}

LogChunks::~LogChunks() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
}

Result<std::vector<EventEnvelope>> LogChunks::ReadChunk() {
  std::vector<EventEnvelope> chunk;
  chunk.reserve(std::min<uint64_t>(options_.chunk_events, target_ - std::min(target_, position_)));
  for (; log_->Valid() && chunk.size() < options_.chunk_events && position_ < target_; log_->Next()) {
    auto envelope = DecodeLogEntry(log_->key().ToStringView(), log_->value().ToStringView());
    if (!envelope.ok()) return envelope.error();
    position_ = envelope->global_position;
    chunk.push_back(std::move(envelope).value());
  }
  if (!log_->status().ok()) return FromRocks(log_->status(), "reading the log").error();
  return chunk;
}

void LogChunks::ReadAhead() {
  while (true) {
    auto chunk = ReadChunk();
    const bool last = !chunk.ok() || chunk->empty();
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || ready_.size() < options_.chunks_ahead; });
      if (stopping_) return;
      ready_.push_back(std::move(chunk));
    }
    changed_.notify_all();
    if (last) return;
  }
}

Result<std::vector<EventEnvelope>> LogChunks::Next() {
  if (finished_) return *finished_;
  Result<std::vector<EventEnvelope>> chunk = reader_.joinable() ? TakeReady() : ReadChunk();
  if (!chunk.ok() || chunk->empty()) finished_ = chunk;  // every later call answers the same
  return chunk;
}

Result<std::vector<EventEnvelope>> LogChunks::TakeReady() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty(); });
  auto chunk = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return chunk;
}

}  // namespace mct::consumers
