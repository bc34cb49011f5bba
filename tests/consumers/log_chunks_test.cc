// LogChunks on a real RocksDB store: read inline and read ahead by one or several threads, it
// gives the same events in log order, stops at its target, keeps answering the end (or the error)
// once reached, steps over positions that hold no event, names an undecodable event by its
// position, reuses the chunks handed back, and can be dropped half-way without hanging.
#include "consumers/log_chunks.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "consumers/keys.h"
#include "tests/consumers/audit_fixture.h"

namespace mct::consumers {
namespace {

using audit::McidText;
using audit::PlainDb;
using audit::TempDir;

constexpr int kTrainers = 12;
constexpr size_t kChunk = 7;

LogChunkOptions Inline() {
  return {.chunk_events = kChunk,
          .chunks_ahead = 1,
          .read_ahead_from = std::numeric_limits<uint64_t>::max()};
}
LogChunkOptions ReadAhead(size_t readers = 1) {
  return {.chunk_events = kChunk, .chunks_ahead = 1, .read_ahead_from = 0, .readers = readers};
}
// Every way of reading: inline, one reader thread, three (more than there are chunks ahead).
std::vector<LogChunkOptions> EveryWay() { return {Inline(), ReadAhead(1), ReadAhead(3)}; }

struct Read {
  std::vector<uint64_t> positions;
  std::vector<std::string> hashes;
  std::string error;  // the first error, if reading stopped on one
};

// Reads until the end or an error; checks every chunk's size on the way.
Read ReadAll(LogChunks& chunks) {
  Read read;
  std::vector<EventEnvelope> spent;
  while (true) {
    auto chunk = chunks.Next(std::move(spent));
    if (!chunk.ok()) {
      read.error = chunk.error().message;
      return read;
    }
    if (chunk->empty()) return read;
    EXPECT_LE(chunk->size(), kChunk);
    for (const EventEnvelope& envelope : chunk.value()) {
      read.positions.push_back(envelope.global_position);
      read.hashes.push_back(envelope.hash);
    }
    spent = std::move(chunk).value();  // handed back to be refilled
  }
}

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t position = first; position <= last; ++position) out.push_back(position);
  return out;
}

class LogChunksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    audit::MakeStore(dir_.path(), kTrainers);
    Open();
  }
  void Open() {
    auto opened = RocksDb::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
  }
  uint64_t Head() const { return kTrainers * audit::EventsPerTrainer(); }

  TempDir dir_;
  std::unique_ptr<RocksDb> db_;
};

TEST_F(LogChunksTest, InlineAndReadAheadGiveTheWholeLogInOrder) {
  LogChunks inline_chunks(*db_, 0, Head(), Inline());
  const Read inline_read = ReadAll(inline_chunks);
  EXPECT_EQ(inline_read.error, "");
  EXPECT_EQ(inline_read.positions, Range(1, Head()));
  for (const size_t readers : {1, 2, 3, 5}) {
    SCOPED_TRACE(std::to_string(readers) + " readers");
    LogChunks ahead_chunks(*db_, 0, Head(), ReadAhead(readers));
    const Read ahead_read = ReadAll(ahead_chunks);
    EXPECT_EQ(ahead_read.error, "");
    EXPECT_EQ(ahead_read.positions, inline_read.positions);
    EXPECT_EQ(ahead_read.hashes, inline_read.hashes);
  }
}

TEST_F(LogChunksTest, ReadsOnlyWhatItIsAskedToDecode) {
  LogChunkOptions folding = ReadAhead(2);
  folding.fields = DecodedFields::kForFolding;
  LogChunks chunks(*db_, 0, Head(), folding);
  const Read read = ReadAll(chunks);
  EXPECT_EQ(read.positions, Range(1, Head()));
  EXPECT_EQ(read.hashes, std::vector<std::string>(Head(), "")) << "hashes are not folded";
}

// Positions are dense in a store's log, but a missing one (a whole chunk's worth, even) is
// stepped over, never taken for the end of the log; missing last ones end the log early.
TEST_F(LogChunksTest, PositionsWithoutAnEventAreSteppedOver) {
  db_.reset();
  std::vector<uint64_t> kept;
  {
    PlainDb plain(dir_.path());
    for (uint64_t position = 1; position <= Head(); ++position) {
      const bool removed =
          (position >= 8 && position < 8 + 2 * kChunk + 3) || position > Head() - 3;
      if (removed) {
        plain.Delete(kLogFamily, keys::Position(position));
      } else {
        kept.push_back(position);
      }
    }
  }
  Open();
  for (const LogChunkOptions& options : EveryWay()) {
    LogChunks chunks(*db_, 0, Head(), options);
    const Read read = ReadAll(chunks);
    EXPECT_EQ(read.error, "");
    EXPECT_EQ(read.positions, kept);
  }
}

TEST_F(LogChunksTest, StopsAtTheTarget) {
  for (const LogChunkOptions& options : EveryWay()) {
    LogChunks chunks(*db_, 10, 25, options);
    EXPECT_EQ(ReadAll(chunks).positions, Range(11, 25));
  }
}

TEST_F(LogChunksTest, ATargetBeyondTheLogEndsWithTheLog) {
  for (const LogChunkOptions& options : EveryWay()) {
    LogChunks chunks(*db_, Head() - 3, Head() + 100, options);
    EXPECT_EQ(ReadAll(chunks).positions, Range(Head() - 2, Head()));
    auto again = chunks.Next();
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->empty()) << "the end is answered again, not read past";
  }
}

TEST_F(LogChunksTest, OptionsAtZeroStillReadEverything) {
  for (const uint64_t read_ahead_from : {uint64_t{0}, std::numeric_limits<uint64_t>::max()}) {
    LogChunks chunks(
        *db_, 0, Head(),
        {.chunk_events = 0, .chunks_ahead = 0, .read_ahead_from = read_ahead_from, .readers = 2});
    std::vector<uint64_t> positions;
    while (true) {
      auto chunk = chunks.Next();
      ASSERT_TRUE(chunk.ok()) << chunk.error().message;
      if (chunk->empty()) break;
      for (const EventEnvelope& envelope : chunk.value())
        positions.push_back(envelope.global_position);
    }
    EXPECT_EQ(positions, Range(1, Head()));
  }
}

TEST_F(LogChunksTest, AChunkHandedBackIsRefilled) {
  LogChunks chunks(*db_, 0, Head(), Inline());
  auto first = chunks.Next();
  ASSERT_TRUE(first.ok());
  const EventEnvelope* memory = first->data();
  const uint64_t last_of_first = first->back().global_position;
  auto second = chunks.Next(std::move(first).value());
  ASSERT_TRUE(second.ok());
  ASSERT_FALSE(second->empty());
  EXPECT_EQ(second->data(), memory) << "the same memory, refilled";
  EXPECT_EQ(second->front().global_position, last_of_first + 1);
}

TEST_F(LogChunksTest, NothingToReadIsAnEmptyChunk) {
  LogChunks chunks(*db_, Head(), Head(), ReadAhead());
  auto chunk = chunks.Next();
  ASSERT_TRUE(chunk.ok());
  EXPECT_TRUE(chunk->empty());
}

TEST_F(LogChunksTest, AnUndecodableEventStopsTheReadAndIsNamedByPosition) {
  db_.reset();
  uint64_t broken = 0;
  {
    PlainDb plain(dir_.path());
    const std::string log_key = plain.LogKeyOf(McidText(4), 2);
    broken = keys::ReadBigEndian64(log_key);
    std::string value = plain.Get(kLogFamily, log_key);
    value[1] ^= 0x40;  // the format version byte
    plain.Put(kLogFamily, log_key, value);
  }
  Open();
  for (const LogChunkOptions& options : EveryWay()) {
    LogChunks chunks(*db_, 0, Head(), options);
    const Read read = ReadAll(chunks);
    EXPECT_EQ(read.error, "event at position " + std::to_string(broken) +
                              " cannot be read: unknown format version 65 at byte 1; this build "
                              "reads version 1");
    ASSERT_FALSE(read.positions.empty());
    EXPECT_LT(read.positions.back(), broken) << "nothing after the broken event is answered";
    auto again = chunks.Next();
    ASSERT_FALSE(again.ok()) << "the error is answered again";
    EXPECT_EQ(again.error().message, read.error);
  }
}

TEST_F(LogChunksTest, DroppedHalfWayWhileTheReadersWait) {
  for (const size_t readers : {1, 3}) {
    LogChunks chunks(*db_, 0, Head(), ReadAhead(readers));
    auto first = chunks.Next();
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->size(), kChunk);
    // The reader threads are now blocked, the chunks ahead being full; the destructor must stop
    // them.
  }
}

}  // namespace
}  // namespace mct::consumers
