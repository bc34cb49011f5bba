// EventStore::AppendAsync against a real RocksDB on disk: writers that are callbacks instead of
// blocked threads. Each callback is answered once, after the sync that makes its events durable,
// with what Append would have answered; a callback may send its writer's next append; a store
// that shuts down answers every request it took and refuses the rest through their callbacks.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "consumers/event_store.h"
#include "consumers/rocks_db.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// Counts answers; a test waits until it has seen `expected` of them.
class Answers {
 public:
  void Add(Result<AppendOutcome> answer) {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
    changed_.notify_all();
  }
  std::vector<Result<AppendOutcome>> WaitFor(size_t expected) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return answers_.size() >= expected; });
    return answers_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Result<AppendOutcome>> answers_;
};

class AppendAsyncTest : public ::testing::Test {
 protected:
  TempDir dir_{"append-async"};
  StoreParts parts_{dir_.path()};
  std::unique_ptr<EventStore>& store_ = parts_.log;
};

TEST_F(AppendAsyncTest, AnswersAfterTheSyncWithWhatTheLogHolds) {
  Answers answers;
  uint64_t head_when_answered = 0;
  store_->AppendAsync(SurveyAppend("1000001", 0, "c-1"), [&](Result<AppendOutcome> answer) {
    head_when_answered = store_->Head();
    answers.Add(std::move(answer));
  });
  const auto got = answers.WaitFor(1);
  ASSERT_TRUE(got[0].ok()) << got[0].error().message;
  ASSERT_EQ(got[0]->refusal, AppendRefusal::kNone);
  ASSERT_EQ(got[0]->written.size(), 1u);
  EXPECT_EQ(got[0]->written[0].global_position, 1u);
  EXPECT_EQ(got[0]->written[0].stream_version, 1u);
  EXPECT_EQ(head_when_answered, 1u) << "answered before its event was durable";
  auto stream = store_->ReadStream(M("1000001"));
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 1u);
  EXPECT_EQ(stream->front(), got[0]->written[0]);
}

TEST_F(AppendAsyncTest, RefusesAStaleVersionAndAnswersARetryWithTheFirstAnswer) {
  ASSERT_TRUE(store_->Append(SurveyAppend("1000001", 0, "c-1")).ok());
  Answers answers;
  auto add = [&](Result<AppendOutcome> answer) { answers.Add(std::move(answer)); };
  store_->AppendAsync(SurveyAppend("1000001", 0, "c-stale"), add);
  store_->AppendAsync(SurveyAppend("1000001", 1, "c-1"), add);
  const auto got = answers.WaitFor(2);
  ASSERT_TRUE(got[0].ok() && got[1].ok());
  EXPECT_EQ(got[0]->refusal, AppendRefusal::kVersionConflict);
  EXPECT_TRUE(got[0]->written.empty());
  EXPECT_EQ(got[1]->refusal, AppendRefusal::kDuplicateCommand);
  ASSERT_EQ(got[1]->written.size(), 1u);
  EXPECT_EQ(got[1]->written[0].global_position, 1u);
  EXPECT_EQ(store_->StreamVersion(M("1000001")), 1u);
  EXPECT_EQ(store_->Head(), 1u);
}

// Writers as callbacks: each sends its next append from the callback of the last, on the version
// that append left. The streams have no holes, and the writers share syncs. With few writers the
// committer calls back while idle; with many it is busy and the syncer calls back: both run.
class AppendAsyncWriters : public AppendAsyncTest, public ::testing::WithParamInterface<int> {};

INSTANTIATE_TEST_SUITE_P(Counts, AppendAsyncWriters, ::testing::Values(2, 16, 256));

TEST_P(AppendAsyncWriters, ChainTheirAppendsWithoutHoles) {
  const int kWriters = GetParam();
  constexpr uint64_t kAppendsEach = 40;
  struct Writer {
    std::string mcid;
    uint64_t version = 0;
  };
  std::vector<Writer> writers(static_cast<size_t>(kWriters));
  std::atomic<int> failures{0};
  Answers finished;  // one per writer, when its last append is answered
  std::function<void(int)> send = [&](int index) {
    Writer& writer = writers[static_cast<size_t>(index)];
    store_->AppendAsync(
        SurveyAppend(writer.mcid, writer.version,
                     writer.mcid + "-" + std::to_string(writer.version)),
        [&, index](Result<AppendOutcome> answer) {
          Writer& self = writers[static_cast<size_t>(index)];
          if (!answer.ok() || answer->refusal != AppendRefusal::kNone ||
              answer->written.at(0).stream_version != self.version + 1) {
            failures.fetch_add(1);
            finished.Add(std::move(answer));
            return;
          }
          self.version += 1;
          if (self.version == kAppendsEach) return finished.Add(std::move(answer));
          send(index);
        });
  };
  for (int index = 0; index < kWriters; ++index) {
    writers[static_cast<size_t>(index)].mcid = std::to_string(2000000 + index);
    send(index);
  }
  finished.WaitFor(static_cast<size_t>(kWriters));
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->Head(), static_cast<uint64_t>(kWriters) * kAppendsEach);
  for (const Writer& writer : writers) {
    auto stream = store_->ReadStream(M(writer.mcid));
    ASSERT_TRUE(stream.ok());
    ASSERT_EQ(stream->size(), kAppendsEach) << writer.mcid;
    for (uint64_t index = 0; index < kAppendsEach; ++index) {
      EXPECT_EQ((*stream)[index].stream_version, index + 1) << writer.mcid;
    }
  }
  const CommitStats stats = store_->Stats();
  EXPECT_EQ(stats.requests, static_cast<uint64_t>(kWriters) * kAppendsEach);
  // Two writers may each get a sync of their own: the committer answers them in two halves.
  if (kWriters >= 16) {
    EXPECT_LT(stats.syncs, stats.requests) << kWriters << " writers in flight must share syncs";
  }
}

// Writers that never stop while the store closes: every request it took is answered once, and
// each writer's next one is refused at once through its callback.
TEST_F(AppendAsyncTest, ClosingAnswersEveryRequestOnceAndRefusesTheRest) {
  constexpr int kWriters = 8;
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> refused_closing{0};
  std::atomic<uint64_t> other_errors{0};
  Answers first_answers;
  std::vector<uint64_t> versions(kWriters, 0);
  // Not through store_: reset() empties it before the store's destructor runs the last callbacks.
  EventStore* const store = store_.get();
  std::function<void(int)> send = [&](int index) {
    sent.fetch_add(1);
    const std::string mcid = std::to_string(3000000 + index);
    store->AppendAsync(SurveyAppend(mcid, versions[static_cast<size_t>(index)], ""),
                       [&, index](Result<AppendOutcome> answer) {
                         answered.fetch_add(1);
                         if (!answer.ok()) {
                           const bool closing =
                               answer.error().message.find("shutting down") != std::string::npos;
                           (closing ? refused_closing : other_errors).fetch_add(1);
                           return;
                         }
                         versions[static_cast<size_t>(index)] += 1;
                         if (versions[static_cast<size_t>(index)] == 3) first_answers.Add(answer);
                         send(index);
                       });
  };
  for (int index = 0; index < kWriters; ++index) send(index);
  first_answers.WaitFor(kWriters);  // every writer is well under way
  store_.reset();
  EXPECT_EQ(answered.load(), sent.load());
  EXPECT_EQ(refused_closing.load(), static_cast<uint64_t>(kWriters))
      << "each writer's chain ends in exactly one refusal";
  EXPECT_EQ(other_errors.load(), 0u);

  // What was acknowledged is in the log, and nothing more.
  auto reopened = EventStore::Open(*parts_.db);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  uint64_t acknowledged = 0;
  for (int index = 0; index < kWriters; ++index) {
    acknowledged += versions[static_cast<size_t>(index)];
    EXPECT_EQ(reopened.value()->StreamVersion(M(std::to_string(3000000 + index))),
              versions[static_cast<size_t>(index)]);
  }
  EXPECT_EQ(reopened.value()->Head(), acknowledged);
}

}  // namespace
}  // namespace mct::consumers
