// The back office's trainer queries when an event was written but its WAL sync failed: the event
// sits in RocksDB (a retry may find it there after a restart) but was never acknowledged, so
// history, status and gaps as of any instant, which fold the trainer's stream, must not show it.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

#include "admin/queries.h"
#include "admin/store.h"
#include "consumers/wal_file_system.h"
#include "tests/consumers/store_support.h"

namespace mct::admin {
namespace {

using namespace consumers::testing;  // NOLINT(google-build-using-namespace)

// A WAL file whose syncs fail while `failing` is set.
class FailingSyncs : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingSyncs(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& failing)
      : FSWritableFileOwnerWrapper(std::move(file)), failing_(failing) {}
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* debug) override {
    if (failing_) return rocksdb::IOStatus::IOError("injected: the disk refused the sync");
    return target()->Sync(options, debug);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* debug) override {
    return Sync(options, debug);
  }

 private:
  const std::atomic<bool>& failing_;
};

TEST(UnsyncedEvents, AreNotShownByHistoryStatusOrGapsAsOfAnyInstant) {
  TempDir dir("unsynced-queries");
  std::atomic<bool> failing{false};
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(consumers::WrapWalFiles(
      rocksdb::FileSystem::Default(),
      [&failing](std::unique_ptr<rocksdb::FSWritableFile> file, const std::string&) {
        return std::make_unique<FailingSyncs>(std::move(file), failing);
      }));
  // The parts admin::Store::Open puts together, over the failing file system.
  Store store;
  auto db = consumers::RocksDb::Open(dir.path(), env.get());
  ASSERT_TRUE(db.ok()) << db.error().message;
  store.db = std::move(db).value();
  auto log = consumers::EventStore::Open(*store.db);
  ASSERT_TRUE(log.ok()) << log.error().message;
  store.log = std::move(log).value();
  auto models = consumers::ReadModels::Open(*store.db);
  ASSERT_TRUE(models.ok()) << models.error().message;
  store.models = std::move(models).value();
  store.commands = std::make_unique<consumers::CommandService>(*store.log, domain::Policy{});
  store.runner = std::make_unique<consumers::ProjectionRunner>(*store.log, *store.models);

  const std::string mcid = "1000001";
  auto enrolled = store.commands->Handle(
      Cmd(mcid, "2017-01-10T09:00:00Z", "enroll-1", Enroll(mcid, On("2017-05-01"))));
  ASSERT_TRUE(enrolled.ok()) << enrolled.error().message;
  ASSERT_EQ(Outcome(enrolled.value()), "accepted");
  const uint64_t durable = store.log->Head();

  const std::optional<domain::Instant> later = At("2017-03-01T00:00:00Z");
  const domain::Instant now = At("2017-03-01T00:00:00Z");
  auto history_before = HistoryQuery(store, M(mcid), later);
  auto status_before = StatusQuery(store, M(mcid), later, now);
  auto gaps_before = GapsQuery(store, M(mcid), later, now);
  ASSERT_TRUE(history_before.ok() && status_before.ok() && gaps_before.ok());

  failing = true;
  auto unsynced =
      store.commands->Handle(Cmd(mcid, "2017-02-01T09:00:00Z", "survey-1", Survey("2017-01-20")));
  ASSERT_FALSE(unsynced.ok()) << "a command whose sync failed was acknowledged";
  EXPECT_EQ(unsynced.error().code, consumers::EventStore::kOutcomeUnknown);
  ASSERT_EQ(store.log->Head(), durable);

  // The event is in the store's stream (what the branch under test exists for) ...
  auto stream = store.log->ReadStream(M(mcid));
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  ASSERT_EQ(stream->size(), history_before->at("events").size() + 1)
      << "the failed sync's event should have been written, or this test tests nothing";
  EXPECT_GT(stream->back().global_position, durable);

  // ... and in no answer of the queries, as of an instant after it or of none.
  for (const std::optional<domain::Instant>& as_of :
       {later, std::optional<domain::Instant>(At("2018-01-01T00:00:00Z"))}) {
    auto history = HistoryQuery(store, M(mcid), as_of);
    ASSERT_TRUE(history.ok()) << history.error().message;
    EXPECT_EQ(history.value(), history_before.value());
    auto status = StatusQuery(store, M(mcid), as_of, now);
    ASSERT_TRUE(status.ok()) << status.error().message;
    auto gaps = GapsQuery(store, M(mcid), as_of, now);
    ASSERT_TRUE(gaps.ok()) << gaps.error().message;
    if (as_of == later) {
      EXPECT_EQ(status.value(), status_before.value());
      EXPECT_EQ(gaps.value(), gaps_before.value());
    }
    EXPECT_EQ(status.value().dump().find("2017-01-20"), std::string::npos) << status.value().dump();
  }
  auto history_now = HistoryQuery(store, M(mcid), std::nullopt);
  ASSERT_TRUE(history_now.ok()) << history_now.error().message;
  EXPECT_EQ(history_now.value()["events"], history_before.value()["events"]);
}

}  // namespace
}  // namespace mct::admin
