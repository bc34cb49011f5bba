// The event store against a real RocksDB on disk: positions and stream versions, the hash chain,
// expected versions (architecture invariant 3), command ids (invariant 5), vouchers (PAY-2), and
// what survives closing and reopening the store (invariant 2).
#include "consumers/event_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "consumers/codec.h"
#include "consumers/keys.h"
#include "consumers/rocks_db.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// A store on a fresh directory, reopenable.
class StoreOnDisk {
 public:
  StoreOnDisk() { Open(); }
  ~StoreOnDisk() { Close(); }

  void Open(StoreOptions options = {}) {
    auto db = RocksDb::Open(dir_.path());
    if (!db.ok()) throw std::runtime_error(db.error().message);
    db_ = std::move(db).value();
    auto store = EventStore::Open(*db_, options);
    if (!store.ok()) throw std::runtime_error(store.error().message);
    store_ = std::move(store).value();
  }
  void Close() {
    store_.reset();
    db_.reset();
  }
  void Reopen() {
    Close();
    Open();
  }
  EventStore& store() { return *store_; }

 private:
  TempDir dir_{"event-store"};
  std::unique_ptr<RocksDb> db_;
  std::unique_ptr<EventStore> store_;
};

domain::EventMeta Meta(const std::string& mcid, const std::string& command_id,
                       std::string_view at = "2017-03-01T09:00:00Z") {
  return domain::EventMeta{M(mcid), At(at), SystemActor(), command_id, command_id, command_id};
}

domain::Event SurveyEvent(std::string course = "20410D") {
  return domain::MtmSurveyRecorded{std::move(course), On("2017-02-10"), 8.5};
}

domain::Event VoucherPayment(const std::string& order_id, const std::string& code) {
  domain::PaymentPlaced paid;
  paid.order_id = order_id;
  paid.method = domain::PaymentMethod::kVoucher;
  paid.payer_name = "HANAKO SATO";
  paid.amount_minor = 40000;
  paid.currency = "USD";
  paid.idempotency_key = "key-" + order_id;
  paid.voucher_code = code;
  return paid;
}

AppendRequest Request(const std::string& mcid, const std::string& command_id, uint64_t expected,
                      std::vector<domain::Event> events) {
  return AppendRequest{Meta(mcid, command_id), expected, std::move(events)};
}

AppendOutcome MustAppend(EventStore& store, AppendRequest request) {
  auto outcome = store.Append(std::move(request));
  if (!outcome.ok()) throw std::runtime_error(outcome.error().message);
  return std::move(outcome).value();
}

std::vector<EventEnvelope> WholeLog(const EventStore& store) {
  auto log = store.ReadLog(1, 1000000);
  if (!log.ok()) throw std::runtime_error(log.error().message);
  return std::move(log).value();
}

std::string RefusalName(AppendRefusal refusal) {
  switch (refusal) {
    case AppendRefusal::kNone:
      return "none";
    case AppendRefusal::kVersionConflict:
      return "version_conflict";
    case AppendRefusal::kVoucherRedeemed:
      return "voucher_redeemed";
    case AppendRefusal::kDuplicateCommand:
      return "duplicate_command";
  }
  return "?";
}

// "position:mcid@version" for each envelope, joined by spaces.
std::string Positions(const std::vector<EventEnvelope>& envelopes) {
  std::string out;
  for (const auto& envelope : envelopes) {
    if (!out.empty()) out += ' ';
    out += std::to_string(envelope.global_position) + ":" + envelope.event.meta.mcid.str() + "@" +
           std::to_string(envelope.stream_version);
  }
  return out;
}

TEST(EventStoreAppend, AssignsPositionsAndStreamVersions) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  EXPECT_EQ(store.Head(), 0u);
  const AppendOutcome first =
      MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent(), SurveyEvent()}));
  const AppendOutcome second = MustAppend(store, Request("2000002", "c-2", 0, {SurveyEvent()}));
  const AppendOutcome third = MustAppend(store, Request("1000001", "c-3", 2, {SurveyEvent()}));
  EXPECT_EQ(first.refusal, AppendRefusal::kNone);
  EXPECT_EQ(Positions(first.written), "1:1000001@1 2:1000001@2");
  EXPECT_EQ(Positions(second.written), "3:2000002@1");
  EXPECT_EQ(Positions(third.written), "4:1000001@3");
  EXPECT_EQ(store.Head(), 4u);
  EXPECT_EQ(store.StreamVersion(M("1000001")), 3u);
  EXPECT_EQ(store.StreamVersion(M("2000002")), 1u);
  EXPECT_EQ(store.StreamVersion(M("3000003")), 0u);
  EXPECT_EQ(Positions(WholeLog(store)), "1:1000001@1 2:1000001@2 3:2000002@1 4:1000001@3");
  auto stream = store.ReadStream(M("1000001"));
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  EXPECT_EQ(Positions(stream.value()), "1:1000001@1 2:1000001@2 4:1000001@3");
  // What Append answered is what the log holds, byte for byte.
  EXPECT_EQ(stream.value()[0], first.written[0]);
  EXPECT_EQ(stream.value()[2], third.written[0]);
  const CommitStats stats = store.Stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.events, 4u);
}

TEST(EventStoreAppend, EveryEventOfACommandCarriesItsWholeMetaAndPayload) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  AppendRequest request =
      Request("1000001", "a-command-id-longer-than-any-short-string", 0,
              {SurveyEvent("first"), SurveyEvent("second"), SurveyEvent("third")});
  request.meta.correlation_id = "correlation-of-the-whole-renewal-session";
  request.meta.causation_id = "the-command-that-caused-this-one";
  const AppendRequest sent = request;
  const AppendOutcome outcome = MustAppend(store, std::move(request));
  ASSERT_EQ(outcome.written.size(), 3u);
  const auto logged = store.ReadStream(M("1000001"));
  ASSERT_TRUE(logged.ok()) << logged.error().message;
  ASSERT_EQ(logged.value().size(), 3u);
  for (size_t index = 0; index < 3; ++index) {
    SCOPED_TRACE("event " + std::to_string(index));
    EXPECT_EQ(outcome.written[index].event.meta, sent.meta);
    EXPECT_EQ(outcome.written[index].event.payload, sent.events[index]);
    EXPECT_EQ(logged.value()[index], outcome.written[index]);
  }
}

TEST(EventStoreAppend, ACommandWithoutEventsKeepsItsIdAndItsEmptyAnswer) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  const AppendOutcome first = MustAppend(store, Request("1000001", "nothing-to-write", 0, {}));
  EXPECT_EQ(RefusalName(first.refusal), "none");
  EXPECT_TRUE(first.written.empty());
  const AppendOutcome again =
      MustAppend(store, Request("1000001", "nothing-to-write", 0, {SurveyEvent()}));
  EXPECT_EQ(RefusalName(again.refusal), "duplicate_command");
  EXPECT_TRUE(again.written.empty());
  EXPECT_EQ(store.Head(), 0u);
  EXPECT_EQ(store.StreamVersion(M("1000001")), 0u);
}

TEST(EventStoreAppend, HashesChainWithinEachStream) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  (void)MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent("a"), SurveyEvent("b")}));
  (void)MustAppend(store, Request("2000002", "c-2", 0, {SurveyEvent("c")}));
  (void)MustAppend(store, Request("1000001", "c-3", 2, {SurveyEvent("d")}));
  std::map<std::string, std::string> last_hash;
  for (const auto& envelope : WholeLog(store)) {
    const std::string& mcid = envelope.event.meta.mcid.str();
    EXPECT_EQ(envelope.prev_hash, last_hash[mcid]) << "at position " << envelope.global_position;
    EXPECT_EQ(envelope.hash, ComputeEventHash(envelope))
        << "at position " << envelope.global_position;
    EXPECT_EQ(envelope.hash.size(), 64u);
    last_hash[mcid] = envelope.hash;
  }
  EXPECT_EQ(last_hash.size(), 2u);
  EXPECT_NE(last_hash["1000001"], last_hash["2000002"]);
}

TEST(EventStoreAppend, StaleExpectedVersionWritesNothing) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  (void)MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent()}));
  (void)MustAppend(store, Request("1000001", "c-2", 1, {SurveyEvent()}));
  for (const uint64_t stale : {0u, 1u, 3u}) {
    const AppendOutcome outcome = MustAppend(
        store, Request("1000001", "c-stale-" + std::to_string(stale), stale, {SurveyEvent()}));
    EXPECT_EQ(RefusalName(outcome.refusal), "version_conflict") << "expected version " << stale;
    EXPECT_TRUE(outcome.written.empty());
  }
  EXPECT_EQ(store.Head(), 2u);
  EXPECT_EQ(store.StreamVersion(M("1000001")), 2u);
  EXPECT_EQ(WholeLog(store).size(), 2u);
  // A refused command left no trace: its id is free, and a retry on the right version succeeds.
  auto found = store.FindCommand("c-stale-0");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found.value().has_value());
  const AppendOutcome retried =
      MustAppend(store, Request("1000001", "c-stale-0", 2, {SurveyEvent()}));
  EXPECT_EQ(RefusalName(retried.refusal), "none");
  EXPECT_EQ(Positions(retried.written), "3:1000001@3");
}

TEST(EventStoreAppend, RepeatedCommandIdAnswersTheFirstAndWritesNothing) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  const AppendOutcome first =
      MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent("a"), SurveyEvent("b")}));
  // The retry carries other events and a version that would now conflict: the first answer wins.
  const AppendOutcome again = MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent("z")}));
  EXPECT_EQ(RefusalName(again.refusal), "duplicate_command");
  EXPECT_EQ(again.written, first.written);
  const AppendOutcome on_head = MustAppend(store, Request("1000001", "c-1", 2, {SurveyEvent("z")}));
  EXPECT_EQ(RefusalName(on_head.refusal), "duplicate_command");
  EXPECT_EQ(on_head.written, first.written);
  EXPECT_EQ(store.Head(), 2u);
  EXPECT_EQ(store.StreamVersion(M("1000001")), 2u);
  auto found = store.FindCommand("c-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(*found.value(), first.written);
}

TEST(EventStoreAppend, IdenticalCommandIdsRacingAreWrittenOnce) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  constexpr int kRacers = 16;
  for (int round = 0; round < 20; ++round) {
    const std::string mcid = std::to_string(1000000 + round);
    const std::string command_id = "race-" + std::to_string(round);
    std::latch start(kRacers);
    std::vector<std::future<AppendOutcome>> answers;
    for (int racer = 0; racer < kRacers; ++racer) {
      answers.push_back(std::async(std::launch::async, [&] {
        start.arrive_and_wait();
        return MustAppend(store, Request(mcid, command_id, 0, {SurveyEvent(), SurveyEvent()}));
      }));
    }
    std::vector<AppendOutcome> outcomes;
    for (auto& answer : answers) outcomes.push_back(answer.get());
    const auto winners =
        std::count_if(outcomes.begin(), outcomes.end(),
                      [](const AppendOutcome& o) { return o.refusal == AppendRefusal::kNone; });
    ASSERT_EQ(winners, 1) << "round " << round;
    const auto winner = std::find_if(outcomes.begin(), outcomes.end(), [](const AppendOutcome& o) {
      return o.refusal == AppendRefusal::kNone;
    });
    for (const auto& outcome : outcomes) {
      if (outcome.refusal == AppendRefusal::kNone) continue;
      EXPECT_EQ(RefusalName(outcome.refusal), "duplicate_command") << "round " << round;
      EXPECT_EQ(outcome.written, winner->written) << "round " << round;
    }
    EXPECT_EQ(store.StreamVersion(M(mcid)), 2u);
  }
  EXPECT_EQ(store.Head(), 40u);
  // Two identical command ids inside one group commit: the store batches whatever is queued, so
  // with 16 racers per round most rounds put several into one batch.
  const CommitStats stats = store.Stats();
  EXPECT_EQ(stats.requests, 20u * kRacers);
  EXPECT_LT(stats.syncs, stats.requests);
}

TEST(EventStoreVouchers, SameVoucherRacingRedeemsOnce) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  for (int round = 0; round < 20; ++round) {
    const std::string code = "MCT-V-" + std::to_string(round);
    const std::string first_mcid = std::to_string(1000000 + 2 * round);
    const std::string second_mcid = std::to_string(1000001 + 2 * round);
    std::latch start(2);
    auto pay = [&](const std::string& mcid, const std::string& order) {
      return std::async(std::launch::async, [&, mcid, order] {
        start.arrive_and_wait();
        return MustAppend(store, Request(mcid, "pay-" + mcid, 0, {VoucherPayment(order, code)}));
      });
    };
    auto first = pay(first_mcid, "CT1" + std::to_string(round));
    auto second = pay(second_mcid, "CT2" + std::to_string(round));
    const AppendOutcome a = first.get();
    const AppendOutcome b = second.get();
    const std::multiset<std::string> refusals{RefusalName(a.refusal), RefusalName(b.refusal)};
    EXPECT_EQ(refusals, (std::multiset<std::string>{"none", "voucher_redeemed"}))
        << "round " << round;
    const AppendOutcome& loser = a.refusal == AppendRefusal::kNone ? b : a;
    const std::string& loser_mcid = a.refusal == AppendRefusal::kNone ? second_mcid : first_mcid;
    EXPECT_TRUE(loser.written.empty());
    EXPECT_EQ(store.StreamVersion(M(loser_mcid)), 0u) << "the loser wrote nothing";
    auto found = store.FindCommand("pay-" + loser_mcid);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found.value().has_value()) << "a refused command leaves no command id";
    EXPECT_TRUE(store.VoucherRedeemed(code));
  }
  EXPECT_EQ(store.Head(), 20u);
}

TEST(EventStoreVouchers, RedeemedVoucherIsRefusedLater) {
  StoreOnDisk disk;
  EventStore& store = disk.store();
  EXPECT_FALSE(store.VoucherRedeemed("MCT-V-1"));
  (void)MustAppend(store,
                   Request("1000001", "pay-1", 0, {VoucherPayment("CT00000001", "MCT-V-1")}));
  EXPECT_TRUE(store.VoucherRedeemed("MCT-V-1"));
  const AppendOutcome later =
      MustAppend(store, Request("2000002", "pay-2", 0, {VoucherPayment("CT00000002", "MCT-V-1")}));
  EXPECT_EQ(RefusalName(later.refusal), "voucher_redeemed");
  // A request of which one event redeems a redeemed code is refused whole.
  const AppendOutcome twice = MustAppend(store, Request("3000003", "pay-3", 0,
                                                        {VoucherPayment("CT00000003", "MCT-V-2"),
                                                         VoucherPayment("CT00000004", "MCT-V-1")}));
  EXPECT_EQ(RefusalName(twice.refusal), "voucher_redeemed");
  EXPECT_FALSE(store.VoucherRedeemed("MCT-V-2"));
  EXPECT_EQ(store.Head(), 1u);
}

TEST(EventStoreReopen, HeadsVouchersAndOrderNumbersSurvive) {
  StoreOnDisk disk;
  std::string last_hash;
  uint64_t reserved = 0;
  {
    EventStore& store = disk.store();
    (void)MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent(), SurveyEvent()}));
    (void)MustAppend(store,
                     Request("2000002", "c-2", 0, {VoucherPayment("CT00000001", "MCT-V-9")}));
    for (int order = 0; order < 5; ++order) reserved = store.ReserveOrderNumber();
    const AppendOutcome third = MustAppend(store, Request("1000001", "c-3", 2, {SurveyEvent()}));
    last_hash = third.written.back().hash;
  }
  disk.Reopen();
  EventStore& store = disk.store();
  EXPECT_EQ(store.Head(), 4u);
  EXPECT_EQ(store.StreamVersion(M("1000001")), 3u);
  EXPECT_EQ(store.StreamVersion(M("2000002")), 1u);
  EXPECT_TRUE(store.VoucherRedeemed("MCT-V-9"));
  EXPECT_FALSE(store.VoucherRedeemed("MCT-V-8"));
  EXPECT_GT(store.ReserveOrderNumber(), reserved)
      << "PAY-7: an order number is never handed out twice";
  auto found = store.FindCommand("c-2");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(Positions(*found.value()), "3:2000002@1");
  // The stream goes on where it stopped: next version, and the chain continues.
  EXPECT_EQ(RefusalName(MustAppend(store, Request("1000001", "c-4", 2, {SurveyEvent()})).refusal),
            "version_conflict");
  const AppendOutcome next = MustAppend(store, Request("1000001", "c-4", 3, {SurveyEvent()}));
  EXPECT_EQ(Positions(next.written), "5:1000001@4");
  EXPECT_EQ(next.written[0].prev_hash, last_hash);
  EXPECT_EQ(RefusalName(MustAppend(store, Request("3000003", "c-5", 0,
                                                  {VoucherPayment("CT00000009", "MCT-V-9")}))
                            .refusal),
            "voucher_redeemed");
  EXPECT_EQ(RefusalName(MustAppend(store, Request("1000001", "c-1", 4, {SurveyEvent()})).refusal),
            "duplicate_command");
}

TEST(EventStoreReopen, OrderNumbersReservedWithoutAnAppendAreNotReused) {
  StoreOnDisk disk;
  uint64_t reserved = 0;
  {
    EventStore& store = disk.store();
    reserved = store.ReserveOrderNumber();
    (void)MustAppend(store, Request("1000001", "c-1", 0, {SurveyEvent()}));
  }
  disk.Reopen();
  EXPECT_GT(disk.store().ReserveOrderNumber(), reserved);
}

TEST(EventStoreDurability, AcknowledgedAppendsAreInTheLogAfterReopen) {
  StoreOnDisk disk;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::future<std::vector<EventEnvelope>>> writers;
  for (int thread = 0; thread < kThreads; ++thread) {
    writers.push_back(std::async(std::launch::async, [&disk, thread] {
      std::vector<EventEnvelope> acknowledged;
      const std::string mcid = std::to_string(1000000 + thread);
      for (int index = 0; index < kPerThread; ++index) {
        AppendOutcome outcome =
            MustAppend(disk.store(),
                       Request(mcid, mcid + "-" + std::to_string(index), index, {SurveyEvent()}));
        if (outcome.refusal != AppendRefusal::kNone) throw std::runtime_error("refused");
        acknowledged.insert(acknowledged.end(), outcome.written.begin(), outcome.written.end());
      }
      return acknowledged;
    }));
  }
  std::vector<EventEnvelope> acknowledged;
  for (auto& writer : writers) {
    auto part = writer.get();
    acknowledged.insert(acknowledged.end(), part.begin(), part.end());
  }
  disk.Reopen();
  const std::vector<EventEnvelope> log = WholeLog(disk.store());
  ASSERT_EQ(log.size(), acknowledged.size());
  std::sort(acknowledged.begin(), acknowledged.end(),
            [](const EventEnvelope& a, const EventEnvelope& b) {
              return a.global_position < b.global_position;
            });
  for (size_t index = 0; index < log.size(); ++index) {
    EXPECT_EQ(log[index].global_position, index + 1);
    EXPECT_EQ(log[index], acknowledged[index]);
  }
  EXPECT_EQ(disk.store().Head(), static_cast<uint64_t>(kThreads * kPerThread));
}

// The syncer answers a writer only once the WAL sync covering its batch is done, and moves the
// durable head (what projection runners read up to) before answering: an acknowledged event is
// never beyond Head(), and Head() never passes an event that is not yet acknowledged-durable.
TEST(EventStoreDurability, HeadCoversEveryAcknowledgedEvent) {
  StoreOnDisk disk;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 30;
  std::atomic<int> behind{0};
  std::vector<std::thread> writers;
  for (int thread = 0; thread < kThreads; ++thread) {
    writers.emplace_back([&disk, &behind, thread] {
      const std::string mcid = std::to_string(2000000 + thread);
      for (int index = 0; index < kPerThread; ++index) {
        AppendOutcome outcome =
            MustAppend(disk.store(),
                       Request(mcid, mcid + "-" + std::to_string(index), index, {SurveyEvent()}));
        if (disk.store().Head() < outcome.written.back().global_position) behind.fetch_add(1);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(behind.load(), 0);
  EXPECT_EQ(disk.store().Head(), static_cast<uint64_t>(kThreads * kPerThread));
  // Fewer syncs than commands: the group commit shared them.
  const CommitStats stats = disk.store().Stats();
  EXPECT_EQ(stats.requests, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LE(stats.syncs, stats.requests);
}

// A retried command id answered by FindCommand is durable by then: its events are within Head().
TEST(EventStoreDurability, FoundCommandIsDurable) {
  StoreOnDisk disk;
  const AppendOutcome first =
      MustAppend(disk.store(), Request("1000001", "cmd-1", 0, {SurveyEvent()}));
  auto found = disk.store().FindCommand("cmd-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  ASSERT_EQ(found.value()->size(), 1u);
  EXPECT_EQ(found.value()->front(), first.written.front());
  EXPECT_GE(disk.store().Head(), found.value()->back().global_position);
  auto missing = disk.store().FindCommand("cmd-2");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());
}

// A reader beside the writer (mctctl beside mctd): it sees the log as it was when opened,
// refuses every append, and creates nothing; the writer goes on.
TEST(EventStoreReadOnly, ReadsBesideTheWriterAndWritesNothing) {
  TempDir dir("read-only");
  auto writer_db = RocksDb::Open(dir.path());
  ASSERT_TRUE(writer_db.ok());
  auto writer = EventStore::Open(*writer_db.value());
  ASSERT_TRUE(writer.ok());
  MustAppend(*writer.value(), Request("1000001", "c-1", 0, {SurveyEvent(), SurveyEvent()}));

  const auto second = RocksDb::Open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, RocksDb::kInUse) << second.error().message;
  auto reader_db = RocksDb::OpenReadOnly(dir.path());
  ASSERT_TRUE(reader_db.ok()) << reader_db.error().message;
  EXPECT_TRUE(reader_db.value()->read_only());
  auto reader = EventStore::Open(*reader_db.value(), StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader.value()->Head(), 2u);
  EXPECT_EQ(Positions(WholeLog(*reader.value())), "1:1000001@1 2:1000001@2");
  const auto refused = reader.value()->Append(Request("1000001", "c-2", 2, {SurveyEvent()}));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("read only"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(reader_db.value()->CreateFamily("rm.9.status").ok());

  MustAppend(*writer.value(), Request("1000001", "c-3", 2, {SurveyEvent()}));
  EXPECT_EQ(WholeLog(*writer.value()).size(), 3u);
  EXPECT_EQ(WholeLog(*reader.value()).size(), 2u);  // as it stood when opened
}

// Regression: a store that lost its CURRENT file was opened as a new, empty store, and RocksDB then
// deleted the old store's files as obsolete. It is refused, and the directory left as it was.
TEST(EventStoreReopen, AStoreWithoutCurrentIsRefusedNotReplaced) {
  TempDir dir("no-current");
  {
    auto db = RocksDb::Open(dir.path());
    ASSERT_TRUE(db.ok());
    auto log = EventStore::Open(*db.value());
    ASSERT_TRUE(log.ok());
    MustAppend(*log.value(), Request("1000001", "c-1", 0, {SurveyEvent(), SurveyEvent()}));
  }
  std::filesystem::remove(dir.path() / "CURRENT");
  auto listing = [&] {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      names.insert(entry.path().filename().string() + ":" +
                   std::to_string(entry.is_regular_file() ? entry.file_size() : 0));
    }
    return names;
  };
  const std::set<std::string> before = listing();
  for (int attempt = 0; attempt < 2; ++attempt) {  // a service manager would try again
    const auto opened = RocksDb::Open(dir.path());
    ASSERT_FALSE(opened.ok());
    EXPECT_NE(opened.error().message.find("is damaged"), std::string::npos)
        << opened.error().message;
    EXPECT_NE(opened.error().message.find("not CURRENT"), std::string::npos);
  }
  EXPECT_EQ(listing(), before);
  // An empty directory, or one holding only the product's own files, is still a new store.
  TempDir fresh("fresh");
  std::ofstream(fresh.path() / "tokens") << "";
  EXPECT_TRUE(RocksDb::Open(fresh.path()).ok());
}

// Regression: a version missing from the stream index was skipped (history and as-of reads
// folded around it), and an event missing from the log said only "NotFound". Both are said.
TEST(EventStoreReadStream, AStreamWithAMissingPieceIsAnErrorNotAShorterStream) {
  TempDir dir("stream-holes");
  auto db = RocksDb::Open(dir.path());
  ASSERT_TRUE(db.ok());
  auto log = EventStore::Open(*db.value());
  ASSERT_TRUE(log.ok());
  MustAppend(*log.value(),
             Request("1000001", "c-1", 0, {SurveyEvent(), SurveyEvent(), SurveyEvent()}));
  const domain::Mcid mcid = *domain::Mcid::Parse("1000001");
  ASSERT_EQ(log.value()->ReadStream(mcid)->size(), 3u);
  rocksdb::DB* raw = db.value()->db();
  std::string third;
  ASSERT_TRUE(raw->Get({}, db.value()->streams(), keys::StreamEntry("1000001", 3), &third).ok());
  std::string third_event;
  ASSERT_TRUE(raw->Get({}, db.value()->log(), third, &third_event).ok());
  ASSERT_TRUE(raw->Delete({}, db.value()->log(), third).ok());
  auto missing_event = log.value()->ReadStream(mcid);
  ASSERT_FALSE(missing_event.ok());
  EXPECT_NE(missing_event.error().message.find(
                "trainer 1000001 version 3: its event is missing from the log"),
            std::string::npos)
      << missing_event.error().message;
  ASSERT_TRUE(raw->Put({}, db.value()->log(), third, third_event).ok());
  ASSERT_TRUE(raw->Delete({}, db.value()->streams(), keys::StreamEntry("1000001", 2)).ok());
  auto missing_entry = log.value()->ReadStream(mcid);
  ASSERT_FALSE(missing_entry.ok());
  EXPECT_NE(missing_entry.error().message.find("trainer 1000001 version 2: the stream index "
                                               "names the event at log position 3"),
            std::string::npos)
      << missing_entry.error().message;
  EXPECT_NE(missing_entry.error().message.find("run `mctctl verify`"), std::string::npos);
}

}  // namespace
}  // namespace mct::consumers
