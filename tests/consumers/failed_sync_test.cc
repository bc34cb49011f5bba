// The store when the disk refuses a WAL sync (a full or failing disk), on a real RocksDB whose
// file system fails syncs of the write-ahead log on demand: the append being synced gets an
// error, the store stops taking appends until a restart (fail-stop: what reached the disk is not
// known), Head() and FindCommand never treat the unacknowledged events as durable, and a restart
// recovers a log whose chains verify, where a retried command is written exactly once.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "consumers/chain_verifier.h"
#include "consumers/event_store.h"
#include "consumers/rocks_db.h"
#include "consumers/wal_file_system.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// A WAL file whose syncs fail while `failing` is set.
class FailingSyncs : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingSyncs(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& failing)
      : FSWritableFileOwnerWrapper(std::move(file)), failing_(failing) {}
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (failing_) return rocksdb::IOStatus::IOError("injected: the disk refused the sync");
    return target()->Sync(options, debug);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (failing_) return rocksdb::IOStatus::IOError("injected: the disk refused the sync");
    return target()->Fsync(options, debug);
  }

 private:
  const std::atomic<bool>& failing_;
};

TEST(FailedSync, StopsTheStoreAndNeverCallsTheUnsyncedEventsDurable) {
  TempDir dir("failed-sync");
  // The operating system's file system, except that syncing a WAL file fails while `failing` is
  // set. Declared before the database, which must not outlive it.
  std::atomic<bool> failing{false};
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(WrapWalFiles(
      rocksdb::FileSystem::Default(),
      [&failing](std::unique_ptr<rocksdb::FSWritableFile> file, const std::string&) {
        return std::make_unique<FailingSyncs>(std::move(file), failing);
      }));
  {
    auto db = RocksDb::Open(dir.path(), env.get());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto store = EventStore::Open(*db.value());
    ASSERT_TRUE(store.ok()) << store.error().message;
    EventStore& log = *store.value();

    auto first = log.Append(SurveyAppend("1000001", 0, "cmd-synced"));
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first->refusal, AppendRefusal::kNone);
    ASSERT_EQ(log.Head(), 1u);

    failing = true;
    auto refused = log.Append(SurveyAppend("1000002", 0, "cmd-unsynced"));
    ASSERT_FALSE(refused.ok()) << "an append whose sync failed was acknowledged";
    EXPECT_NE(refused.error().message.find("injected: the disk refused the sync"), std::string::npos)
        << refused.error().message;
    // Written, not made durable: it may be in the log after a restart, and the caller is told so.
    EXPECT_EQ(refused.error().code, EventStore::kOutcomeUnknown);
    EXPECT_EQ(log.Head(), 1u) << "the unsynced event is not durable: no read model may apply it";

    auto found = log.FindCommand("cmd-unsynced");
    ASSERT_FALSE(found.ok()) << "a retry must not get an answer that was never acknowledged";
    EXPECT_NE(found.error().message.find("restart the process"), std::string::npos);
    auto synced = log.FindCommand("cmd-synced");
    ASSERT_TRUE(synced.ok()) << synced.error().message;
    ASSERT_TRUE(synced.value().has_value());

    failing = false;  // the disk is back, but what reached it is still unknown
    auto later = log.Append(SurveyAppend("1000003", 0, "cmd-later"));
    ASSERT_FALSE(later.ok()) << "the store must stay stopped until a restart";
    EXPECT_NE(later.error().message.find("stopped after a failed sync"), std::string::npos)
        << later.error().message;
    EXPECT_EQ(later.error().code, "") << "refused before it was written: nothing of it is there";
    EXPECT_EQ(log.Head(), 1u);

    // A writer that is a callback gets the same refusal, through its callback.
    std::promise<Result<AppendOutcome>> async_answer;
    log.AppendAsync(SurveyAppend("1000004", 0, "cmd-async"), [&](Result<AppendOutcome> answer) {
      async_answer.set_value(std::move(answer));
    });
    const Result<AppendOutcome> async = async_answer.get_future().get();
    ASSERT_FALSE(async.ok()) << "the store must stay stopped for callbacks too";
    EXPECT_NE(async.error().message.find("stopped after a failed sync"), std::string::npos)
        << async.error().message;
  }

  // The restart: the first command once; the unacknowledged one there at most once, and once
  // exactly after its retry; every chain verifies.
  StoreParts parts(dir.path());
  EventStore& log = *parts.log;
  auto retried =
      log.Append(SurveyAppend("1000002", log.StreamVersion(M("1000002")), "cmd-unsynced"));
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_TRUE(retried->refusal == AppendRefusal::kNone || retried->refusal == AppendRefusal::kDuplicateCommand);
  auto stream = log.ReadStream(M("1000002"));
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->size(), 1u);
  auto first_stream = log.ReadStream(M("1000001"));
  ASSERT_TRUE(first_stream.ok());
  EXPECT_EQ(first_stream->size(), 1u);
  EXPECT_EQ(log.StreamVersion(M("1000003")), 0u) << "refused after the failure: never written";
  EXPECT_EQ(log.StreamVersion(M("1000004")), 0u) << "refused after the failure: never written";
  auto verified = VerifyLog(*parts.db);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->ok());
  EXPECT_EQ(verified->events_checked, 2u);
}

// A WAL file whose first sync, once `armed`, fails after a while; later syncs succeed.
class OneSlowFailingSync : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  OneSlowFailingSync(std::unique_ptr<rocksdb::FSWritableFile> file, std::atomic<bool>& armed,
                     std::atomic<bool>& failing_now)
      : FSWritableFileOwnerWrapper(std::move(file)), armed_(armed), failing_now_(failing_now) {}
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    if (armed_.exchange(false)) {
      failing_now_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return rocksdb::IOStatus::IOError("injected: the disk refused the sync");
    }
    return target()->Sync(options, debug);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    return Sync(options, debug);
  }

 private:
  std::atomic<bool>& armed_;
  std::atomic<bool>& failing_now_;
};

// Regression: batches written while the failing sync ran were synced by the next sync, which
// succeeded, and acknowledged on top of a log that may have lost the batch before them.
TEST(FailedSync, WhatWasWrittenDuringTheFailedSyncIsNotAcknowledgedByALaterOne) {
  TempDir dir("failed-sync-in-flight");
  std::atomic<bool> armed{false};
  std::atomic<bool> failing_now{false};
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(WrapWalFiles(
      rocksdb::FileSystem::Default(),
      [&](std::unique_ptr<rocksdb::FSWritableFile> file, const std::string&) {
        return std::make_unique<OneSlowFailingSync>(std::move(file), armed, failing_now);
      }));
  auto db = RocksDb::Open(dir.path(), env.get());
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto store = EventStore::Open(*db.value());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EventStore& log = *store.value();
  armed = true;
  auto first = std::async(std::launch::async,
                          [&] { return log.Append(SurveyAppend("1000001", 0, "cmd-first")); });
  while (!failing_now) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Written while the first sync is failing; its own sync would succeed.
  auto second = log.Append(SurveyAppend("1000002", 0, "cmd-second"));
  const auto first_answer = first.get();
  ASSERT_FALSE(first_answer.ok());
  EXPECT_EQ(first_answer.error().code, EventStore::kOutcomeUnknown);
  EXPECT_FALSE(second.ok()) << "acknowledged over a failed sync";
  EXPECT_EQ(log.Head(), 0u);
}

}  // namespace
}  // namespace mct::consumers
