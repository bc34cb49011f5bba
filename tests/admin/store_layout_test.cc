// Read models written by a build whose projections stored something else (another layout,
// ReadModels::kLayout) are never read as this build's: a writable open rebuilds them from the
// log, a read-only open beside the writer refuses them, and a new store records its layout.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "admin/queries.h"
#include "admin/store.h"
#include "consumers/keys.h"
#include "consumers/log_export.h"
#include "tests/command_output.h"
#include "tests/consumers/store_support.h"

namespace mct::admin {
namespace {

using namespace consumers::testing;  // NOLINT(google-build-using-namespace)

constexpr uint64_t kBase = 4100000;
constexpr std::string_view kNow = "2017-04-10T00:00:00Z";
// The meta key read_models.h documents.
constexpr std::string_view kLayoutKey = "readmodels/layout";

std::string BigEndian(uint64_t value) {
  std::string bytes;
  consumers::keys::PutBigEndian64(&bytes, value);
  return bytes;
}

// The record: the generation it speaks for, then that generation's layout.
std::string LayoutRecord(uint64_t generation, uint64_t layout) {
  return BigEndian(generation) + BigEndian(layout);
}

// The layout record the meta family holds, as stored; empty when none is.
std::string RecordedLayout(Store& store) {
  std::string recorded;
  if (!store.db->db()->Get(rocksdb::ReadOptions(), store.db->meta(), kLayoutKey, &recorded).ok())
    return {};
  return recorded;
}

// How an older build left the store.
enum class Older : uint8_t {
  kRecordedLayoutOne,      // a build that recorded layout 1
  kNothingRecorded,        // a build from before layouts were recorded
  kRebuiltAfterTheRecord,  // a build that records none rebuilt a store this build had recorded
  kMalformedRecord,        // a record of another size (a development build's, 8 bytes)
};

// What an older build left: the record as `older` says, and a counter that differs from what
// this build's projections count.
void MakeOlderLayout(Store& store, Older older) {
  rocksdb::DB* db = store.db->db();
  const uint64_t generation = store.models->Current()->number;
  switch (older) {
    case Older::kRecordedLayoutOne:
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), store.db->meta(), kLayoutKey,
                          LayoutRecord(generation, 1))
                      .ok());
      break;
    case Older::kNothingRecorded:
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), store.db->meta(), kLayoutKey).ok());
      break;
    case Older::kMalformedRecord:
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), store.db->meta(), kLayoutKey,
                          BigEndian(consumers::ReadModels::kLayout))
                      .ok());
      break;
    case Older::kRebuiltAfterTheRecord:
      // This build's record of the generation before; the older build's switch left it so.
      ASSERT_TRUE(store.runner->Rebuild().ok());
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), store.db->meta(), kLayoutKey,
                          LayoutRecord(generation, consumers::ReadModels::kLayout))
                      .ok());
      break;
  }
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), store.models->Current()->reports,
                      "2017-03/completed.renewal", BigEndian(12345))
                  .ok());
}

class OlderLayout : public ::testing::TestWithParam<Older> {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ(store.value()->models->StoredLayout(), consumers::ReadModels::kLayout);
    const Status lived = RunLives(*store.value()->commands, kBase, 0, kLifeCount, 1, "l");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
    ASSERT_TRUE(store.value()->runner->CatchUp().ok());
    auto report = ReportQuery(*store.value(), std::nullopt, At(kNow));
    ASSERT_TRUE(report.ok()) << report.error().message;
    report_ = report->dump();
    head_ = store.value()->log->Head();
    MakeOlderLayout(*store.value(), GetParam());
  }

  TempDir dir_{"layout"};
  std::string report_;
  uint64_t head_ = 0;
};

TEST_P(OlderLayout, AWritableOpenRebuildsThemFromTheLog) {
  uint64_t progress_calls = 0;
  auto store = Store::Open(dir_.path(), {}, {}, [&](uint64_t, uint64_t) { ++progress_calls; });
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(store.value()->layout_rebuild.has_value());
  EXPECT_EQ(store.value()->layout_rebuild->from_layout, 1U);
  EXPECT_EQ(store.value()->layout_rebuild->stats.events, head_);
  EXPECT_GT(progress_calls, 0U);
  EXPECT_EQ(store.value()->models->StoredLayout(), consumers::ReadModels::kLayout);
  EXPECT_FALSE(store.value()->models->NeedsRebuild());
  // The older build's counter is gone with its generation: the report is this build's again.
  auto report = ReportQuery(*store.value(), std::nullopt, At(kNow));
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->dump(), report_);
  auto checksum = store.value()->models->Checksum();
  ASSERT_TRUE(checksum.ok());
  EXPECT_EQ(checksum.value(), store.value()->layout_rebuild->stats.checksum);
  EXPECT_EQ(RecordedLayout(*store.value()),
            LayoutRecord(store.value()->models->Current()->number, consumers::ReadModels::kLayout));
  store.value().reset();
  // Once rebuilt, the next open only catches up.
  auto again = Store::Open(dir_.path());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again.value()->layout_rebuild.has_value());
}

// Read beside a writer (or where this user may not write): the read models' questions are
// refused, naming the fix; the log's (history, status and gaps as of an instant) still answer.
TEST_P(OlderLayout, AReaderRefusesTheirQueriesButNotTheLogs) {
  {
    auto reader = Store::Open(dir_.path(), {}, consumers::StoreOptions{.read_only = true});
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    const Store& store = *reader.value();
    EXPECT_TRUE(store.models->NeedsRebuild());
    const domain::Mcid mcid = *domain::Mcid::Parse(LifeMcid(kBase, 0));
    auto report = ReportQuery(store, std::nullopt, At(kNow));
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.error().message.find("layout 1"), std::string::npos) << report.error().message;
    EXPECT_NE(report.error().message.find("mctctl rebuild"), std::string::npos);
    EXPECT_FALSE(StatusQuery(store, mcid, std::nullopt, At(kNow)).ok());
    EXPECT_FALSE(GapsQuery(store, mcid, std::nullopt, At(kNow)).ok());
    EXPECT_FALSE(store.models->Checksum().ok());
    auto history = HistoryQuery(store, mcid, std::nullopt);
    ASSERT_TRUE(history.ok()) << history.error().message;
    EXPECT_FALSE(history->at("events").empty());
    auto past = StatusQuery(store, mcid, At(kNow), At(kNow));
    ASSERT_TRUE(past.ok()) << past.error().message;
    EXPECT_TRUE(GapsQuery(store, mcid, At(kNow), At(kNow)).ok());
  }
  // The reader changed nothing: the next writable open still finds them to rebuild.
  auto store = Store::Open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(store.value()->layout_rebuild.has_value());
  EXPECT_EQ(store.value()->layout_rebuild->from_layout, 1U);
}

// `mctctl rebuild` on such a store: the open rebuilds, says so, and the command does not rebuild
// a second time.
TEST_P(OlderLayout, MctctlSaysItRebuiltThemOnce) {
  const testing::CommandOutcome run =
      testing::RunCapturing(std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" +
                            dir_.path().string() + "' rebuild 2>&1");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("note: the read models were in layout 1; rebuilt them from the log for "
                         "layout " +
                         std::to_string(consumers::ReadModels::kLayout) + " (" +
                         std::to_string(head_) + " events)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("rebuilt " + std::to_string(head_) + " events"), std::string::npos)
      << run.out;
  auto store = Store::Open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_FALSE(store.value()->layout_rebuild.has_value());
  // One rebuild, not two: one generation after the older build's.
  EXPECT_EQ(store.value()->models->Current()->number,
            GetParam() == Older::kRebuiltAfterTheRecord ? 3U : 2U);
}

// The JSON log line of mctd's output whose "msg" is `msg`; null when there is none.
nlohmann::json LogLine(const std::string& out, const std::string& msg) {
  const size_t found = out.find("\"msg\":\"" + msg + "\"");
  if (found == std::string::npos) return nullptr;
  const size_t start = out.rfind('\n', found) + 1;  // npos + 1: the first line
  return nlohmann::json::parse(out.substr(start, out.find('\n', found) - start), nullptr, false);
}

// mctd on such a store: rebuilds them while it serves, and says so before and after.
TEST_P(OlderLayout, MctdRebuildsThemWhileServingAndSaysSo) {
  const testing::CommandOutcome run = testing::RunCapturing(
      "timeout -k 10 --preserve-status -s TERM 3 " + std::string(MCT_BINARY_DIR) +
      "/admin/mctd --data '" + dir_.path().string() + "' --listen 127.0.0.1:0 2>&1");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string rebuilding_msg =
      "the read models are in another build's layout: rebuilding them from the log while serving "
      "the log's questions";
  const std::string rebuilt_msg = "rebuilt the read models for this build's layout";
  const nlohmann::json rebuilding = LogLine(run.out, rebuilding_msg);
  const nlohmann::json rebuilt = LogLine(run.out, rebuilt_msg);
  ASSERT_TRUE(rebuilding.is_object()) << run.out;
  ASSERT_TRUE(rebuilt.is_object()) << run.out;
  ASSERT_TRUE(LogLine(run.out, "listening").is_object()) << run.out;
  EXPECT_LT(run.out.find(rebuilding_msg), run.out.find(rebuilt_msg));
  EXPECT_EQ(rebuilding.value("from_layout", 0), 1) << rebuilding;
  EXPECT_EQ(rebuilding.value("events", 0U), head_) << rebuilding;
  EXPECT_EQ(rebuilt.value("from_layout", 0), 1) << rebuilt;
  EXPECT_EQ(rebuilt.value("layout", 0U), consumers::ReadModels::kLayout) << rebuilt;
  EXPECT_EQ(rebuilt.value("events", 0U), head_) << rebuilt;
  EXPECT_EQ(LogLine(run.out, "stopped").value("read_models_caught_up", false), true) << run.out;
  auto store = Store::Open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_FALSE(store.value()->layout_rebuild.has_value());
}

// mctd on such a store whose log cannot be folded: says why and stops with 1, the store as it was.
TEST_P(OlderLayout, MctdThatCannotRebuildThemStops) {
  const std::string damaged_key = consumers::keys::Position(head_ / 2);
  {
    auto db = consumers::RocksDb::Open(dir_.path());
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE(db.value()
                    ->db()
                    ->Put(rocksdb::WriteOptions(), db.value()->log(), damaged_key, "\x07garbage")
                    .ok());
  }
  const testing::CommandOutcome run = testing::RunCapturing(
      "timeout -k 10 --preserve-status -s TERM 20 " + std::string(MCT_BINARY_DIR) +
      "/admin/mctd --data '" + dir_.path().string() + "' --listen 127.0.0.1:0 2>&1");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const nlohmann::json failed =
      LogLine(run.out, "cannot rebuild the read models for this build's layout: stopping");
  ASSERT_TRUE(failed.is_object()) << run.out;
  EXPECT_NE(failed.value("error", "").find("event at position " + std::to_string(head_ / 2)),
            std::string::npos)
      << failed;
  EXPECT_EQ(LogLine(run.out, "stopped").value("read_models_caught_up", true), false) << run.out;
  auto reader = Store::Open(dir_.path(), {}, consumers::StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_TRUE(reader.value()->models->NeedsRebuild());
  EXPECT_EQ(reader.value()->log->Head(), head_);
}

// `mctctl demo` refuses a store that holds events: before it rebuilds anything of it.
TEST_P(OlderLayout, ARefusedDemoLeavesThemAsTheyAre) {
  const testing::CommandOutcome run =
      testing::RunCapturing(std::string(MCT_BINARY_DIR) + "/admin/mctctl --data '" +
                            dir_.path().string() + "' demo --trainers 5 2>&1");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("already holds " + std::to_string(head_) + " events"), std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("rebuilt"), std::string::npos) << run.out;
  auto store = Store::Open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE(store.value()->layout_rebuild.has_value());  // still to do: the demo did not
  EXPECT_EQ(store.value()->log->Head(), head_);
}

// A rebuild that fails inside the open (here an event of the log no longer decodes) leaves the
// store as the older build left it, the half-built generation gone, and the next open tries again.
TEST_P(OlderLayout, ARebuildThatFailsChangesNothingAndIsTriedAgain) {
  const std::string damaged_key = consumers::keys::Position(head_ / 2);
  std::string original;
  std::string record_before;
  uint64_t generation_before = 0;
  {
    auto db = consumers::RocksDb::Open(dir_.path());
    ASSERT_TRUE(db.ok()) << db.error().message;
    rocksdb::DB* raw = db.value()->db();
    ASSERT_TRUE(raw->Get(rocksdb::ReadOptions(), db.value()->log(), damaged_key, &original).ok());
    ASSERT_TRUE(
        raw->Put(rocksdb::WriteOptions(), db.value()->log(), damaged_key, "\x07garbage").ok());
    raw->Get(rocksdb::ReadOptions(), db.value()->meta(), kLayoutKey, &record_before);
  }
  {
    auto reader = Store::Open(dir_.path(), {}, consumers::StoreOptions{.read_only = true});
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    generation_before = reader.value()->models->Current()->number;
  }
  auto failed = Store::Open(dir_.path());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("rebuilding the read models of layout"), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("event at position " + std::to_string(head_ / 2)),
            std::string::npos)
      << failed.error().message;
  {
    auto db = consumers::RocksDb::Open(dir_.path());
    ASSERT_TRUE(db.ok()) << db.error().message;
    std::string record_after;
    db.value()->db()->Get(rocksdb::ReadOptions(), db.value()->meta(), kLayoutKey, &record_after);
    EXPECT_EQ(record_after, record_before);
    // Only the older build's generation is left: the one the failed rebuild began was dropped.
    for (const std::string& name : db.value()->FamilyNames()) {
      EXPECT_EQ(name.find("." + std::to_string(generation_before + 1) + "."), std::string::npos)
          << name;
    }
    ASSERT_TRUE(db.value()
                    ->db()
                    ->Put(rocksdb::WriteOptions(), db.value()->log(), damaged_key, original)
                    .ok());
  }
  {
    auto reader = Store::Open(dir_.path(), {}, consumers::StoreOptions{.read_only = true});
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    EXPECT_EQ(reader.value()->models->Current()->number, generation_before);
    EXPECT_TRUE(reader.value()->models->NeedsRebuild());
    EXPECT_EQ(reader.value()->log->Head(), head_);
  }
  // Mended, the next open rebuilds as if nothing had happened.
  auto store = Store::Open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(store.value()->layout_rebuild.has_value());
  EXPECT_EQ(store.value()->layout_rebuild->stats.events, head_);
  auto report = ReportQuery(*store.value(), std::nullopt, At(kNow));
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->dump(), report_);
}

INSTANTIATE_TEST_SUITE_P(Ways, OlderLayout,
                         ::testing::Values(Older::kRecordedLayoutOne, Older::kNothingRecorded,
                                           Older::kRebuiltAfterTheRecord, Older::kMalformedRecord));

TEST(NewStoreLayout, IsRecordedAtTheFirstOpen) {
  TempDir dir("layout-new");
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ(RecordedLayout(*store.value()), LayoutRecord(1, consumers::ReadModels::kLayout));
    const Status lived = RunLives(*store.value()->commands, kBase, 0, 2, 1, "n");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
  }
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_FALSE(store.value()->layout_rebuild.has_value());
}

// A new store opened only to read, before anything records its layout: nothing to refuse.
TEST(NewStoreLayout, AReaderOfAnEmptyStoreWithoutARecordReadsIt) {
  TempDir dir("layout-empty");
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store.value()
                    ->db->db()
                    ->Delete(rocksdb::WriteOptions(), store.value()->db->meta(), kLayoutKey)
                    .ok());
  }
  auto reader = Store::Open(dir.path(), {}, consumers::StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_FALSE(reader.value()->models->NeedsRebuild());
  auto report = ReportQuery(*reader.value(), std::nullopt, At(kNow));
  ASSERT_TRUE(report.ok()) << report.error().message;
}

// An import builds the read models of the store it creates: in this build's layout, recorded,
// so that opening it catches up instead of rebuilding.
TEST(ImportedStoreLayout, IsRecordedAndNotRebuiltOnOpen) {
  TempDir source("layout-export");
  TempDir target("layout-import");
  std::ostringstream exported;
  {
    auto store = Store::Open(source.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    const Status lived = RunLives(*store.value()->commands, kBase, 0, kLifeCount, 1, "i");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
    ASSERT_TRUE(consumers::ExportLog(*store.value()->db, exported).ok());
  }
  std::istringstream in(exported.str());
  auto imported = consumers::ImportLog(in, target.path() / "data");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  auto store = Store::Open(target.path() / "data");
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_FALSE(store.value()->layout_rebuild.has_value());
  EXPECT_EQ(RecordedLayout(*store.value()),
            LayoutRecord(store.value()->models->Current()->number, consumers::ReadModels::kLayout));
}

}  // namespace
}  // namespace mct::admin
