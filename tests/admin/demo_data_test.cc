// The demo generator: deterministic for a seed whatever the thread count, varied enough to show
// every employer type, track and payment method, and honest about the rules (it provokes only the
// rejections it means to, and AUD-2 holds in what it writes).
#include "admin/demo_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "admin/cli.h"
#include "admin/store.h"
#include "consumers/codec.h"
#include "domain/roles.h"

namespace mct::admin {
namespace {

namespace fs = std::filesystem;

class DemoDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("mct-demo-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A fresh store in its own directory under the test's root.
  std::unique_ptr<Store> OpenStore(const std::string& name) {
    auto store = Store::Open(root_ / name, {}, consumers::StoreOptions{.sync = false});
    EXPECT_TRUE(store.ok()) << store.error().message;
    return std::move(store).value();
  }

  DemoStats Generate(Store& store, uint64_t trainers, uint64_t seed, int threads) {
    auto stats = GenerateDemo(*store.commands, {trainers, seed, threads});
    EXPECT_TRUE(stats.ok()) << stats.error().message;
    return stats.ok() ? stats.value() : DemoStats{};
  }

  fs::path root_;
};

std::vector<consumers::EventEnvelope> WholeLog(const Store& store) {
  auto events = store.log->ReadLog(1, store.log->Head());
  EXPECT_TRUE(events.ok());
  return events.ok() ? events.value() : std::vector<consumers::EventEnvelope>{};
}

// Each trainer's events as JSON lines, without what depends on how workers interleaved: log
// positions, hashes (which cover them) and order numbers (PAY-7, reserved from the store).
std::map<std::string, std::vector<std::string>> HistoriesWithoutOrderNumbers(const Store& store) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& envelope : WholeLog(store)) {
    auto json = consumers::ToJson(envelope);
    for (const char* field : {"global_position", "prev_hash", "hash", "order_id"})
      json.erase(field);
    out[envelope.event.meta.mcid.str()].push_back(json.dump());
  }
  return out;
}

TEST_F(DemoDataTest, SameSeedGivesTheSameReadModelsWithOneThread) {
  auto first = OpenStore("first");
  auto second = OpenStore("second");
  const DemoStats first_stats = Generate(*first, 50, 42, 1);
  const DemoStats second_stats = Generate(*second, 50, 42, 1);
  ASSERT_TRUE(first->runner->CatchUp().ok());
  ASSERT_TRUE(second->runner->CatchUp().ok());
  EXPECT_EQ(first->log->Head(), second->log->Head());
  EXPECT_EQ(first_stats.events, first->log->Head());
  EXPECT_EQ(first_stats.commands, second_stats.commands);
  EXPECT_EQ(first->models->Checksum().value(), second->models->Checksum().value());
}

TEST_F(DemoDataTest, ThreadCountChangesOnlyOrderNumbersAndPositions) {
  auto single = OpenStore("single");
  auto parallel = OpenStore("parallel");
  const DemoStats single_stats = Generate(*single, 50, 42, 1);
  const DemoStats parallel_stats = Generate(*parallel, 50, 42, 4);
  EXPECT_EQ(single_stats.trainers, 50u);
  EXPECT_EQ(parallel_stats.trainers, 50u);
  EXPECT_EQ(single_stats.commands, parallel_stats.commands);
  EXPECT_EQ(single_stats.accepted, parallel_stats.accepted);
  EXPECT_EQ(single_stats.rejected, parallel_stats.rejected);
  EXPECT_EQ(single_stats.events, parallel_stats.events);
  EXPECT_EQ(single->log->Head(), parallel->log->Head());
  const auto single_histories = HistoriesWithoutOrderNumbers(*single);
  EXPECT_EQ(single_histories.size(), 50u);
  EXPECT_EQ(single_histories, HistoriesWithoutOrderNumbers(*parallel));
}

// Each trainer's events as "name at" lines: what a life looks like, leaving out the command ids
// (which name the seed).
std::map<std::string, std::vector<std::string>> Lives(const Store& store) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& envelope : WholeLog(store)) {
    out[envelope.event.meta.mcid.str()].push_back(
        std::string(domain::EventName(envelope.event.payload)) + " " +
        envelope.event.meta.at.ToString());
  }
  return out;
}

TEST_F(DemoDataTest, AnotherSeedGivesOtherHistories) {
  auto one = OpenStore("one");
  auto other = OpenStore("other");
  Generate(*one, 20, 1, 2);
  Generate(*other, 20, 2, 2);
  const auto one_histories = Lives(*one);
  const auto other_histories = Lives(*other);
  // The same MCIDs, with different lives.
  ASSERT_EQ(one_histories.size(), other_histories.size());
  int differing = 0;
  for (const auto& [mcid, events] : one_histories) differing += events != other_histories.at(mcid);
  EXPECT_EQ(differing, 20);
}

// What 300 trainers' histories hold, gathered from the log.
struct Census {
  std::set<std::string> employer_types, tracks, methods, card_brands, kinds;
  std::map<std::string, int> events;       // by name
  std::set<std::string> anniversary_days;  // MM-DD of enrolment anniversaries
  std::string first_at = "9999", last_at;
  int iw_chosen_beside_another_track = 0;  // AUD-2 forbids it
};

Census Count(const Store& store) {
  Census census;
  std::map<std::string, std::set<std::string>> tracks_held;
  for (const auto& envelope : WholeLog(store)) {
    const auto json = consumers::ToJson(envelope);
    const std::string name = json["event"].get<std::string>();
    const std::string mcid = envelope.event.meta.mcid.str();
    const std::string at = json["at"].get<std::string>();
    census.events[name] += 1;
    census.first_at = std::min(census.first_at, at);
    census.last_at = std::max(census.last_at, at);
    if (name == "TrainerEnrolled") {
      census.anniversary_days.insert(json["anniversary"].get<std::string>().substr(5));
    } else if (name == "CertificationRecorded") {
      tracks_held[mcid].insert(json["track"].get<std::string>());
    } else if (name == "ProfileChosen") {
      const std::string track = json["track"].get<std::string>();
      census.employer_types.insert(json["employer_type"].get<std::string>());
      census.tracks.insert(track);
      if (track == "iw" && tracks_held[mcid].size() > 1) census.iw_chosen_beside_another_track += 1;
    } else if (name == "PaymentPlaced") {
      census.methods.insert(json["method"].get<std::string>());
      if (!json["card_brand"].is_null())
        census.card_brands.insert(json["card_brand"].get<std::string>());
    } else if (name == "RenewalCompleted") {
      census.kinds.insert(json["kind"].get<std::string>());
    }
  }
  return census;
}

TEST_F(DemoDataTest, ThreeHundredTrainersShowEveryKindOfHistory) {
  auto store = OpenStore("census");
  const DemoStats stats = Generate(*store, 300, 7, 4);
  const Census census = Count(*store);

  EXPECT_EQ(census.employer_types,
            (std::set<std::string>{"microsoft_fte", "academic", "freelance", "government",
                                   "imagine_academy", "learning_partner", "other"}));
  EXPECT_EQ(census.tracks, (std::set<std::string>{"it_pro", "developer", "dynamics", "iw"}));
  EXPECT_EQ(census.methods,
            (std::set<std::string>{"credit_card", "debit_card", "paypal", "voucher"}));
  EXPECT_EQ(census.card_brands, (std::set<std::string>{"visa", "mastercard", "amex"}));
  EXPECT_EQ(census.kinds, (std::set<std::string>{"renewal", "reinstatement"}));
  EXPECT_EQ(census.iw_chosen_beside_another_track, 0);
  for (const char* name :
       {"FteCodeIssued", "ExceptionFiled", "MtmSurveyRecorded", "MtmReportUploaded",
        "VoucherApplied", "WelcomeKitOrdered", "RefundIssued", "RefundSettled", "AlumniApplied",
        "AlumniSwitchedBack"}) {
    EXPECT_GT(census.events.count(name) ? census.events.at(name) : 0, 0) << name;
  }
  EXPECT_EQ(census.events.at("TrainerEnrolled"), 300);
  // Each event came from a role that may send the command domain::CommandWriting names for it,
  // as an import checks (ROLE-1..3): the map from events to commands agrees with the decisions.
  for (const auto& envelope : WholeLog(*store)) {
    const domain::Event& event = envelope.event.payload;
    EXPECT_TRUE(domain::RoleMaySend(envelope.event.meta.actor.role, domain::CommandWriting(event)))
        << domain::EventName(event) << " by " << domain::ToString(envelope.event.meta.actor.role);
  }
  EXPECT_GT(census.anniversary_days.size(), 150u);  // spread over the year
  EXPECT_GE(census.first_at, "2015-01-01");
  EXPECT_LT(census.last_at, "2026-11-01");
  EXPECT_GT(census.last_at, "2026-09-01");  // histories run up to the end

  EXPECT_GT(stats.rejected, 0u);  // the mistakes users make
  EXPECT_EQ(stats.accepted + stats.rejected, stats.commands);
  EXPECT_EQ(stats.events, store->log->Head());
  const double per_trainer = static_cast<double>(stats.events) / 300.0;
  EXPECT_GT(per_trainer, 15.0);
  EXPECT_LT(per_trainer, 40.0);
}

// The generator checks every answer against its plan, so a store that already holds its
// trainers stops it with an Error instead of a muddle of histories.
TEST_F(DemoDataTest, StopsWhenTheStoreAlreadyHoldsItsTrainers) {
  auto store = OpenStore("taken");
  Generate(*store, 3, 1, 1);
  const uint64_t head = store->log->Head();
  // Another seed: new command ids, so the enrolment itself is refused.
  auto other_seed = GenerateDemo(*store->commands, {3, 2, 1});
  ASSERT_FALSE(other_seed.ok());
  EXPECT_NE(other_seed.error().message.find("already_enrolled"), std::string::npos)
      << other_seed.error().message;
  // The same seed: the same command ids, but domain.md's order puts already_enrolled before a
  // retried command.
  auto same_seed = GenerateDemo(*store->commands, {3, 1, 1});
  ASSERT_FALSE(same_seed.ok());
  EXPECT_NE(same_seed.error().message.find("already_enrolled"), std::string::npos)
      << same_seed.error().message;
  EXPECT_EQ(store->log->Head(), head);
}

// mctctl demo itself: it fills an empty directory, and refuses one whose log is not empty
// without writing anything.
TEST_F(DemoDataTest, MctctlDemoRefusesANonEmptyLog) {
  auto run = [this](const std::string& arguments) {
    CLI::App app;
    CliContext context;
    context.data_dir = root_ / "cli";
    context.json = true;
    AddDemoCommand(app, context);
    app.parse(arguments, /*program_name_included=*/false);
    return context.exit_code;
  };
  EXPECT_EQ(run("demo --trainers 5 --seed 3 --threads 2"), 0);
  uint64_t head = 0;
  {
    auto store = Store::Open(root_ / "cli");
    ASSERT_TRUE(store.ok());
    head = store.value()->log->Head();
    EXPECT_GT(head, 0u);
  }
  EXPECT_NE(run("demo --trainers 5 --seed 3"), 0);
  auto store = Store::Open(root_ / "cli");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store.value()->log->Head(), head);
}

}  // namespace
}  // namespace mct::admin
