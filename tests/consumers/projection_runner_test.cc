// The projection runner against a real RocksDB on disk: catching up to the log head, exactly-once
// application after a crash (architecture invariant 4), and rebuilds that give the live state
// byte for byte (invariant 1), also while readers hold the live generation.
#include "consumers/projection_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "consumers/keys.h"
#include "consumers/log_export.h"
#include "consumers/read_models.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

constexpr uint64_t kMcidBase = 3000000;

class Projections : public ::testing::Test {
 protected:
  StoreParts& parts() { return *parts_; }
  EventStore& log() { return *parts_->log; }
  ReadModels& models() { return *parts_->models; }
  ProjectionRunner& runner() { return *parts_->runner; }

  // Closes everything and opens the directory again, as a restarted process would.
  void Reopen(StoreOptions options = {}) {
    parts_.reset();
    parts_ = std::make_unique<StoreParts>(dir_.path(), options);
  }

  void Lives(uint64_t first, uint64_t count, int threads = 4) {
    const Status lived = RunLives(*parts_->commands, kMcidBase, first, count, threads, "life");
    ASSERT_TRUE(lived.ok()) << lived.error().message;
  }

  uint64_t CatchUp() {
    auto caught_up = runner().CatchUp();
    if (!caught_up.ok()) throw std::runtime_error(caught_up.error().message);
    return caught_up.value();
  }
  uint64_t StoredCheckpoint() {
    auto checkpoint = models().Checkpoint(*models().Current());
    if (!checkpoint.ok()) throw std::runtime_error(checkpoint.error().message);
    return checkpoint.value();
  }
  std::string Checksum() {
    auto checksum = models().Checksum();
    if (!checksum.ok()) throw std::runtime_error(checksum.error().message);
    return checksum.value();
  }
  RebuildStats Rebuild() {
    auto rebuilt = runner().Rebuild();
    if (!rebuilt.ok()) throw std::runtime_error(rebuilt.error().message);
    return rebuilt.value();
  }

  TempDir dir_{"projections"};
  std::unique_ptr<StoreParts> parts_ = std::make_unique<StoreParts>(dir_.path());
};

TEST_F(Projections, CatchUpBringsTheCheckpointToTheHead) {
  EXPECT_EQ(StoredCheckpoint(), 0u);
  EXPECT_EQ(CatchUp(), 0u) << "an empty log is caught up";
  Lives(0, 2 * kLifeCount);
  ASSERT_GT(log().Head(), 100u);
  EXPECT_EQ(CatchUp(), log().Head());
  EXPECT_EQ(StoredCheckpoint(), log().Head());
  const std::string once = Checksum();

  EXPECT_EQ(CatchUp(), log().Head()) << "nothing new: nothing applied";
  EXPECT_EQ(Checksum(), once);
  EXPECT_EQ(StoredCheckpoint(), log().Head());

  auto view = models().View(M(LifeMcid(kMcidBase, 0)));
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view.value().has_value());
  EXPECT_EQ(view.value()->state.anniversary, On("2018-05-01")) << "renewed: TIME-2";
  EXPECT_EQ(view.value()->state.version,
            static_cast<int64_t>(log().StreamVersion(M(LifeMcid(kMcidBase, 0)))));
}

// Regression: an event record copied under a later position was folded as the position it names,
// so the checkpoint went back and every later catch-up folded the log again (a report's counts
// grew on each start). The runner now stops there and keeps its state.
TEST_F(Projections, ARecordUnderAnotherPositionStopsTheRunnerWithoutFoldingIt) {
  Lives(0, 3);
  CatchUp();
  const std::string before = Checksum();
  const uint64_t head = log().Head();
  const std::string copied = [&] {
    std::string value;
    EXPECT_TRUE(parts().db->db()->Get({}, parts().db->log(), keys::Position(2), &value).ok());
    return value;
  }();
  ASSERT_TRUE(parts().db->db()->Put({}, parts().db->log(), keys::Position(head + 1), copied).ok());
  Reopen();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto caught_up = runner().CatchUp();
    ASSERT_FALSE(caught_up.ok());
    EXPECT_NE(caught_up.error().message.find("log position " + std::to_string(head + 1) +
                                             " says it is at 2"),
              std::string::npos)
        << caught_up.error().message;
    EXPECT_EQ(StoredCheckpoint(), head);
    EXPECT_EQ(Checksum(), before);
  }
}

TEST_F(Projections, WaitForWakesWhenACatchUpAppliesThePosition) {
  Lives(0, 2);
  const uint64_t head = log().Head();
  ASSERT_GT(head, 0u);
  // The read models have applied nothing; a catch-up on another thread brings them to the head
  // while WaitFor waits (its deadline is far: only the catch-up can end the wait early).
  auto catch_up = std::async(std::launch::async, [this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return CatchUp();
  });
  auto applied = runner().WaitFor(head, std::chrono::steady_clock::now() + std::chrono::minutes(5));
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(applied.value(), head);
  EXPECT_EQ(catch_up.get(), head);
  // Applied already: answered at once, whatever the deadline.
  auto again = runner().WaitFor(head, std::chrono::steady_clock::now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), head);
}

TEST_F(Projections, WaitForAnswersWhatIsAppliedWhenItsDeadlinePasses) {
  Lives(0, 1);
  const uint64_t first = log().Head();
  EXPECT_EQ(CatchUp(), first);
  Lives(1, 1);
  ASSERT_GT(log().Head(), first);
  auto applied = runner().WaitFor(
      log().Head(), std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(applied.value(), first) << "no catch-up came: the wait ends short of the position";
}

TEST_F(Projections, RebuildGivesTheLiveChecksum) {
  Lives(0, 3 * kLifeCount);
  CatchUp();
  const std::string live = Checksum();
  const RebuildStats rebuilt = Rebuild();
  EXPECT_EQ(rebuilt.checksum, live);
  EXPECT_EQ(rebuilt.events, log().Head());
  EXPECT_EQ(Checksum(), live);
  EXPECT_EQ(StoredCheckpoint(), log().Head());
  EXPECT_EQ(models().Current()->number, 2u) << "the rebuild became the live generation";
  EXPECT_EQ(Rebuild().checksum, live) << "and a second rebuild again";
}

// A rebuild whose batches end after a few trainers or a few events writes each trainer many times
// over, reading back what the earlier batches left: the same state as one long batch.
TEST_F(Projections, RebuildInBatchesBoundedByTrainersEqualsLive) {
  Lives(0, 3 * kLifeCount);
  CatchUp();
  const std::string live = Checksum();
  uint64_t batches = 0;
  const auto count = [&](uint64_t, uint64_t) { ++batches; };
  auto by_trainers = runner().Rebuild(
      count, RunnerOptions{.batch_events = 1000, .max_views = 3, .durable = false});
  ASSERT_TRUE(by_trainers.ok()) << by_trainers.error().message;
  EXPECT_EQ(by_trainers->checksum, live);
  EXPECT_GE(batches, 3 * kLifeCount / 3) << "at most three trainers a batch";
  batches = 0;
  auto by_events = runner().Rebuild(
      count, RunnerOptions{.batch_events = 5, .max_views = 1000, .durable = false});
  ASSERT_TRUE(by_events.ok()) << by_events.error().message;
  EXPECT_EQ(by_events->checksum, live);
  EXPECT_GE(batches, log().Head() / 5);
}

// A rebuild bulk-loads its first batch into the empty generation as files, and writes the later
// batches on top as usual: the same state as the live runner's, and no scratch files left.
TEST_F(Projections, RebuildBulkLoadsItsFirstBatchThenWritesTheRest) {
  Lives(0, 3 * kLifeCount);
  CatchUp();
  const std::string live = Checksum();
  for (const size_t max_views : {size_t{3}, size_t{100000}}) {
    SCOPED_TRACE(std::to_string(max_views) + " trainers a batch");
    auto rebuilt = runner().Rebuild(
        {}, RunnerOptions{
                .batch_events = 1000, .max_views = max_views, .durable = false, .bulk_load = true});
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
    EXPECT_EQ(rebuilt->checksum, live);
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "rebuild-files"));
  }
  // The live generation keeps catching up on top of the ingested files.
  Lives(3 * kLifeCount, kLifeCount);
  CatchUp();
  const std::string after = Checksum();
  EXPECT_NE(after, live);
  EXPECT_EQ(Rebuild().checksum, after);
}

// The live runner sees the log in many small pieces while commands of many trainers (renewals,
// refunds, reinstatements, alumni, vouchers) are being written; the rebuild sees it in one piece.
TEST_F(Projections, LiveRunnerInSmallPiecesEqualsRebuild) {
  std::atomic<bool> writing{true};
  std::atomic<int> catch_ups{0};
  auto live_runner = std::async(std::launch::async, [&] {
    while (writing.load()) {
      auto caught_up = runner().CatchUp();
      if (!caught_up.ok()) return caught_up.error().message;
      catch_ups.fetch_add(1);
    }
    return std::string();
  });
  Lives(0, 6 * kLifeCount, 6);
  writing = false;
  EXPECT_EQ(live_runner.get(), "");
  EXPECT_GT(catch_ups.load(), 1);
  CatchUp();
  ASSERT_EQ(StoredCheckpoint(), log().Head());
  const std::string live = Checksum();
  EXPECT_EQ(Rebuild().checksum, live);

  // More of the same after the switch: the rebuilt generation goes on as the live one.
  for (uint64_t index = 6 * kLifeCount; index < 8 * kLifeCount; ++index) {
    Lives(index, 1, 1);
    CatchUp();
  }
  const std::string after = Checksum();
  EXPECT_NE(after, live);
  EXPECT_EQ(Rebuild().checksum, after);
}

TEST_F(Projections, ResumesFromTheStoredCheckpointAfterARestart) {
  Lives(0, 2 * kLifeCount);
  const uint64_t part = CatchUp();
  Lives(2 * kLifeCount, 2 * kLifeCount);
  ASSERT_GT(log().Head(), part);
  Reopen();  // the process "died" with the read models at `part`
  EXPECT_EQ(StoredCheckpoint(), part);
  EXPECT_EQ(CatchUp(), log().Head());
  const std::string resumed = Checksum();
  EXPECT_EQ(Rebuild().checksum, resumed);
}

// A runner dies between two batches of one catch-up: the first batch and its checkpoint were
// written together, the second never. The next catch-up resumes exactly there.
TEST_F(Projections, CrashBetweenBatchesAppliesNothingTwice) {
  Reopen(StoreOptions{.sync = false});  // bulk data for the test; durability is not under test here
  constexpr int kTrainers = 160;
  constexpr int kEventsEach = 150;  // 24000 events: two batches of a catch-up (20000 each)
  int64_t exceptions_written = 0, uploads_written = 0, alumni_written = 0;
  for (int trainer = 0; trainer < kTrainers; ++trainer) {
    const std::string mcid = LifeMcid(kMcidBase, trainer);
    std::vector<domain::Event> events;
    events.push_back(domain::TrainerEnrolled{"T " + mcid, mcid + "@example.jp",
                                             On("2017-05-01").AddDays(trainer % 40)});
    for (int index = 1; index < kEventsEach; ++index) {
      switch (index % 5) {
        case 0:
          ++exceptions_written;
          events.push_back(domain::ExceptionFiled{1, "20410D", On("2017-02-10"), 10, "Org", "Boss",
                                                  "boss@example.jp"});
          break;
        case 1:
          ++uploads_written;
          events.push_back(domain::MtmReportUploaded{"application/pdf", 1000, std::string(64, 'a'),
                                                     "T", "20410D", On("2017-02-10")});
          break;
        case 2:
          ++alumni_written;
          events.push_back(domain::AlumniApplied{});
          break;
        case 3:
          events.push_back(domain::AlumniSwitchedBack{});
          break;
        default:
          events.push_back(domain::MtmSurveyRecorded{"20410D", On("2017-02-10"), 7.0});
      }
    }
    AppendRequest request;
    request.meta =
        domain::EventMeta{M(mcid),
                          At("2017-0" + std::to_string(1 + trainer % 9) + "-05T10:00:00Z"),
                          SystemActor(),
                          "bulk-" + mcid,
                          "",
                          ""};
    request.expected_version = 0;
    request.events = std::move(events);
    auto appended = log().Append(std::move(request));
    ASSERT_TRUE(appended.ok()) << appended.error().message;
    ASSERT_EQ(appended->refusal, AppendRefusal::kNone);
  }
  ASSERT_EQ(log().Head(), static_cast<uint64_t>(kTrainers * kEventsEach));

  struct RunnerDied {};
  bool died = false;
  try {
    // Progress is told while folding too; the first report at or past 20000 comes right after
    // the first batch was written.
    (void)runner().CatchUp([](uint64_t applied, uint64_t) {
      if (applied >= 20000) throw RunnerDied{};
    });
  } catch (const RunnerDied&) {
    died = true;
  }
  ASSERT_TRUE(died) << "the catch-up should have needed more than one batch";
  const uint64_t first_batch = StoredCheckpoint();
  EXPECT_GT(first_batch, 0u);
  EXPECT_LT(first_batch, log().Head());

  Reopen(StoreOptions{.sync = false});
  EXPECT_EQ(StoredCheckpoint(), first_batch);
  EXPECT_EQ(CatchUp(), log().Head());
  const std::string resumed = Checksum();
  EXPECT_EQ(Rebuild().checksum, resumed);
  // The counters say every event was applied exactly once.
  auto report = models().Report("");
  ASSERT_TRUE(report.ok());
  int64_t exceptions = 0, uploads = 0, alumni = 0;
  for (const auto& [key, value] : report.value()) {
    if (key.ends_with("/exceptions_filed")) exceptions += value;
    if (key.ends_with("/uploads")) uploads += value;
    if (key.ends_with("/alumni_applied")) alumni += value;
  }
  EXPECT_EQ(exceptions, exceptions_written);
  EXPECT_EQ(uploads, uploads_written);
  EXPECT_EQ(alumni, alumni_written);
}

TEST_F(Projections, ReaderHoldingTheGenerationKeepsWorkingDuringARebuild) {
  Lives(0, 2 * kLifeCount);
  CatchUp();
  const std::string live = Checksum();
  const std::string mcid = LifeMcid(kMcidBase, 0);
  auto expected_view = models().View(M(mcid));
  ASSERT_TRUE(expected_view.ok() && expected_view.value().has_value());
  const std::string expected = EncodeView(**expected_view);

  std::atomic<bool> holding{false};
  std::atomic<bool> release{false};
  std::atomic<int> reads{0};
  std::atomic<int> wrong{0};
  auto reader = std::async(std::launch::async, [&] {
    std::shared_ptr<const Generation> held = models().Current();
    holding = true;
    while (!release.load() || reads.load() < 50) {
      std::string value;
      const rocksdb::Status got =
          models().db().db()->Get(rocksdb::ReadOptions(), held->status, mcid, &value);
      if (!got.ok() || value != expected) wrong.fetch_add(1);
      reads.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  while (!holding.load()) std::this_thread::yield();
  auto rebuild = std::async(std::launch::async, [&] { return runner().Rebuild(); });
  // Queries taking the current generation per call answer throughout.
  for (int query = 0; query < 50; ++query) {
    auto view = models().View(M(mcid));
    ASSERT_TRUE(view.ok()) << view.error().message;
    ASSERT_TRUE(view.value().has_value());
    EXPECT_EQ(EncodeView(**view), expected);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  release = true;
  reader.get();
  auto rebuilt = rebuild.get();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_EQ(wrong.load(), 0) << "a held generation stays readable until released";
  EXPECT_GE(reads.load(), 50);
  EXPECT_EQ(rebuilt->checksum, live);
  EXPECT_EQ(Checksum(), live);
}

TEST_F(Projections, CommandsDuringARebuildAreCaughtUpAfterTheSwitch) {
  Lives(0, 2 * kLifeCount);
  CatchUp();
  auto rebuild = std::async(std::launch::async, [&] { return runner().Rebuild(); });
  Lives(2 * kLifeCount, kLifeCount, 2);
  auto rebuilt = rebuild.get();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_EQ(CatchUp(), log().Head());
  const std::string live = Checksum();
  EXPECT_EQ(Rebuild().checksum, live);
}

// The rebuild's checksum is of exactly the events it applied, though the live runner goes on
// writing the new generation as soon as the switch is made: an export cut at that count and
// imported elsewhere (its read models built from nothing) gives the same digest.
TEST_F(Projections, RebuildChecksumIsOfTheEventsItAppliedWhileCommandsAndTheRunnerGoOn) {
  // As mctd decides: an import takes only streams kept in time order.
  parts_->commands = std::make_unique<CommandService>(
      log(), domain::Policy{}, CommandServiceOptions{.place_in_time_order = true});
  Lives(0, 2 * kLifeCount);
  CatchUp();
  std::atomic<bool> done{false};
  auto live = std::async(std::launch::async, [&] {
    uint64_t first = 2 * kLifeCount;
    while (!done) {
      const Status lived = RunLives(*parts_->commands, kMcidBase, first, kLifeCount, 2, "race");
      if (!lived.ok()) return lived;
      if (auto caught_up = runner().CatchUp(); !caught_up.ok()) return Status(caught_up.error());
      first += kLifeCount;
    }
    return Ok();
  });
  // Until a rebuild ends with commands written after it: the race this test is about.
  RebuildStats rebuilt;
  for (int attempt = 0; attempt < 50; ++attempt) {
    rebuilt = Rebuild();
    if (log().Head() > rebuilt.events) break;
  }
  // Left to write on into the new generation for a moment before stopping.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  done = true;
  const Status lived = live.get();
  ASSERT_TRUE(lived.ok()) << lived.error().message;
  ASSERT_GT(log().Head(), rebuilt.events) << "no command came after the rebuild: no race shown";

  std::stringstream cut;
  auto exported = ExportLog(*parts().db, cut, rebuilt.events);
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  ASSERT_EQ(exported.value(), rebuilt.events);
  TempDir elsewhere("projections-cut");
  auto imported = ImportLog(cut, elsewhere.path() / "data");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->events, rebuilt.events);
  EXPECT_EQ(imported->checksum, rebuilt.checksum);
}

TEST_F(Projections, ReopenedModelsKeepTheirGenerationAndChecksum) {
  Lives(0, kLifeCount);
  CatchUp();
  Rebuild();
  const std::string live = Checksum();
  Reopen();
  EXPECT_EQ(models().Current()->number, 2u);
  EXPECT_EQ(StoredCheckpoint(), log().Head());
  EXPECT_EQ(Checksum(), live);
  auto names = parts().db->FamilyNames();
  for (const auto& name : names) {
    EXPECT_FALSE(name.starts_with("rm.1.")) << "the replaced generation was dropped: " << name;
  }
}

}  // namespace
}  // namespace mct::consumers
