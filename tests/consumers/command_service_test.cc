// The command path against a real RocksDB on disk: retried commands (architecture invariant 5,
// PAY-8), rejections that write nothing, one writer per trainer stream under many threads
// (invariant 3) and group commit across trainers. Every test runs twice: through Handle (a blocked
// thread) and through HandleAsync (a callback), which must give the same answers.
#include "consumers/command_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "consumers/keys.h"
#include "tests/consumers/store_support.h"

namespace mct::consumers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// "position:command_id@version" of each event, joined by spaces: what a failure shows.
std::string Written(const std::vector<EventEnvelope>& events) {
  std::string out;
  for (const auto& envelope : events) {
    if (!out.empty()) out += ' ';
    out += std::to_string(envelope.global_position) + ":" + envelope.event.meta.command_id + "@" +
           std::to_string(envelope.stream_version);
  }
  return out;
}

enum class Path : uint8_t { kBlocking, kCallback };

class CommandPath : public ::testing::TestWithParam<Path> {
 protected:
  CommandService& service() { return *parts_->commands; }
  EventStore& log() { return *parts_->log; }
  void Reopen() {
    parts_.reset();
    parts_ = std::make_unique<StoreParts>(dir_.path());
  }

  CommandAnswer Send(const domain::Command& command) {
    auto answer = GetParam() == Path::kBlocking ? service().Handle(command) : HandleAsync(command);
    if (!answer.ok()) throw std::runtime_error(answer.error().message);
    return std::move(answer).value();
  }

  // Enrolls `mcid` (anniversary 2017-05-01) with an IT Pro certification and a survey.
  void Enrolled(const std::string& mcid) {
    ASSERT_EQ(Outcome(Send(Cmd(mcid, "2016-05-01T00:00:00Z", mcid + "-enroll", Enroll(mcid, On("2017-05-01"))))),
              "accepted");
    ASSERT_EQ(Outcome(Send(Cmd(mcid, "2016-05-01T00:01:00Z", mcid + "-cert", ItProCertification()))),
              "accepted");
    ASSERT_EQ(Outcome(Send(Cmd(mcid, "2017-02-20T12:00:00Z", mcid + "-survey", Survey("2017-02-10")))),
              "accepted");
  }

  // Enrolled, renewal started on 2017-03-01 and taken to the payment step with a billing address.
  void ReadyToPay(const std::string& mcid) {
    Enrolled(mcid);
    int step = 0;
    for (auto [at, body] : std::vector<std::pair<std::string, domain::CommandBody>>{
             {"2017-03-01T09:00:00Z", domain::StartRenewal{}},
             {"2017-03-01T09:05:00Z", FreelanceProfile()},
             {"2017-03-01T09:07:00Z", domain::ConfirmRequirements{}},
             {"2017-03-01T09:08:00Z", BothBoxes()},
             {"2017-03-01T09:09:00Z", Billing()}}) {
      ASSERT_EQ(Outcome(Send(Cmd(mcid, at, mcid + "-pay-step-" + std::to_string(++step), std::move(body)))),
                "accepted");
    }
  }

  // HandleAsync, waited for; its callback must come exactly once (checked again once the store is
  // closed, in TearDown, so that a late second call is seen too).
  Result<CommandAnswer> HandleAsync(const domain::Command& command) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    {
      std::lock_guard lock(callbacks_mutex_);
      callbacks_.emplace_back(command.command_id, calls);
    }
    auto answered = std::make_shared<std::promise<Result<CommandAnswer>>>();
    auto answer = answered->get_future();
    service().HandleAsync(command, CommandIdOrigin::kClient,
                          [calls, answered](Result<CommandAnswer> result) {
                            if (calls->fetch_add(1) == 0) answered->set_value(std::move(result));
                          });
    Result<CommandAnswer> result = answer.get();
    EXPECT_EQ(calls->load(), 1) << command.command_id;
    return result;
  }

  std::vector<EventEnvelope> WholeLog() {
    auto events = log().ReadLog(1, 10000000);
    if (!events.ok()) throw std::runtime_error(events.error().message);
    return std::move(events).value();
  }

  void TearDown() override {
    parts_.reset();
    for (const auto& [command_id, calls] : callbacks_) EXPECT_EQ(calls->load(), 1) << command_id;
  }

  TempDir dir_{"command-service"};
  std::unique_ptr<StoreParts> parts_ = std::make_unique<StoreParts>(dir_.path());
  std::mutex callbacks_mutex_;  // HandleAsync is called from many threads
  std::vector<std::pair<std::string, std::shared_ptr<std::atomic<int>>>> callbacks_;
};

TEST_P(CommandPath, RetriedCommandIdAnswersTheFirstEventsAndWritesNothing) {
  ReadyToPay("1000001");
  const domain::Command order = Cmd("1000001", "2017-03-01T09:10:00Z", "order-cmd", CardOrder("key-1"));
  const CommandAnswer first = Send(order);
  ASSERT_EQ(Outcome(first), "accepted");
  ASSERT_EQ(first.events.size(), 2u);  // PaymentPlaced, RenewalCompleted
  const uint64_t head = log().Head();

  const CommandAnswer again = Send(order);
  EXPECT_EQ(Outcome(again), "retried");
  EXPECT_EQ(again.events, first.events);
  EXPECT_EQ(log().Head(), head);

  // Still the first answer after the trainer moved on, and even with another body or instant.
  ASSERT_EQ(Outcome(Send(Cmd("1000001", "2017-03-02T09:00:00Z", "survey-2", Survey("2017-03-01")))), "accepted");
  const uint64_t later_head = log().Head();
  domain::Command changed = Cmd("1000001", "2017-03-05T09:00:00Z", "order-cmd", CardOrder("key-2"));
  const CommandAnswer late = Send(changed);
  EXPECT_EQ(Outcome(late), "retried");
  EXPECT_EQ(late.events, first.events);
  EXPECT_EQ(log().Head(), later_head);
}

TEST_P(CommandPath, RetriedCommandIdSurvivesAReopen) {
  Enrolled("1000001");
  const domain::Command start = Cmd("1000001", "2017-03-01T09:00:00Z", "start-1", domain::StartRenewal{});
  const CommandAnswer first = Send(start);
  ASSERT_EQ(Outcome(first), "accepted");
  const uint64_t head = log().Head();
  Reopen();
  const CommandAnswer again = Send(start);
  EXPECT_EQ(Outcome(again), "retried");
  EXPECT_EQ(again.events, first.events);
  EXPECT_EQ(log().Head(), head);
}

// A command id is one command's: another trainer's command under it is refused, and the first
// command's events (another trainer's data) are not shown. Regression: a command accepted with
// nothing to write (a certification already held) took any command id, another trainer's included.
TEST_P(CommandPath, CommandIdOfAnotherTrainersCommandIsRefusedAndShowsNothing) {
  Enrolled("1000001");
  Enrolled("1000002");
  ASSERT_EQ(Outcome(Send(Cmd("1000001", "2017-03-01T09:00:00Z", "shared-1", Survey("2017-02-11")))),
            "accepted");
  const uint64_t head = log().Head();
  for (const auto& [what, body] : std::vector<std::pair<std::string, domain::CommandBody>>{
           {"a command that writes", domain::ApplyAlumni{}},
           {"a command that changes nothing", ItProCertification()},
           // Where a retry would be found: before the step's own rule (not_alumni).
           {"a command the rules refuse", domain::SwitchBackFromAlumni{}}}) {
    SCOPED_TRACE(what);
    const CommandAnswer other = Send(Cmd("1000002", "2017-03-01T09:01:00Z", "shared-1", body));
    EXPECT_EQ(Outcome(other), "invalid_input");
    EXPECT_NE(other.rejection.message.find("command_id"), std::string::npos)
        << other.rejection.message;
    EXPECT_TRUE(other.events.empty());
  }
  // Codes that come before a retry in domain.md's order still win over the taken id, so that an
  // actor the role table refuses is not told whether the id exists.
  domain::Command by_trainer = Cmd("1000002", "2017-03-01T09:01:00Z", "shared-1", Refund());
  by_trainer.actor = TrainerActor("1000002");
  EXPECT_EQ(Outcome(Send(by_trainer)), "forbidden");
  EXPECT_EQ(
      Outcome(Send(Cmd("1000009", "2017-03-01T09:01:00Z", "shared-1", domain::ApplyAlumni{}))),
      "unknown_trainer");
  EXPECT_EQ(Outcome(Send(Cmd("1000002", "2017-03-01T09:01:00Z", "shared-1",
                             Enroll("1000002", On("2017-05-01"))))),
            "already_enrolled");
  // Under an id of its own, the command that changes nothing is accepted, writing nothing.
  const CommandAnswer fresh =
      Send(Cmd("1000002", "2017-03-01T09:02:00Z", "fresh-2", ItProCertification()));
  EXPECT_EQ(Outcome(fresh), "accepted");
  EXPECT_TRUE(fresh.events.empty());
  EXPECT_EQ(log().Head(), head);
}

// Regression: text that came round the JSON parser (an upload's form field, a header, a token's
// id) reached the log with stray bytes; its export then no longer matched its hashes.
TEST_P(CommandPath, TextThatIsNotUtf8IsRefusedAndWritesNothing) {
  Enrolled("1000001");
  const uint64_t head = log().Head();
  domain::RecordMtmSurvey survey = Survey("2017-02-12");
  survey.course_name = "20410D \xff\xfe";
  const CommandAnswer bad_field = Send(Cmd("1000001", "2017-03-01T09:00:00Z", "bytes-1", survey));
  EXPECT_EQ(Outcome(bad_field), "invalid_input");
  EXPECT_NE(bad_field.rejection.message.find("course_name"), std::string::npos)
      << bad_field.rejection.message;

  domain::Command bad_actor =
      Cmd("1000001", "2017-03-01T09:01:00Z", "bytes-2", Survey("2017-02-12"));
  bad_actor.actor.id = "1000001\xc3";  // a sequence cut short
  bad_actor.actor.role = domain::Role::kSystem;
  const CommandAnswer refused_actor = Send(bad_actor);
  EXPECT_EQ(Outcome(refused_actor), "invalid_input");
  EXPECT_NE(refused_actor.rejection.message.find("actor.id"), std::string::npos)
      << refused_actor.rejection.message;
  EXPECT_EQ(log().Head(), head);

  survey.course_name = "20410D 日本語";  // UTF-8 beyond ASCII is text like any other
  EXPECT_EQ(Outcome(Send(Cmd("1000001", "2017-03-01T09:02:00Z", "bytes-3", survey))), "accepted");
  EXPECT_EQ(log().Head(), head + 1);
}

// domain.md's order: invalid_input, forbidden and unknown_trainer come before a retried command,
// so a known command id does not open a way round the role table.
TEST_P(CommandPath, RetriedCommandIdStillPassesTheRoleAndTrainerChecks) {
  Enrolled("1000001");
  Enrolled("1000002");
  ASSERT_EQ(Outcome(Send(Cmd("1000001", "2017-03-01T09:00:00Z", "survey-1", Survey("2017-02-11")))),
            "accepted");
  const uint64_t head = log().Head();
  domain::Command as_other_trainer =
      Cmd("1000001", "2017-03-01T09:01:00Z", "survey-1", Survey("2017-02-11"));
  as_other_trainer.actor = domain::Actor{domain::Role::kTrainer, "1000002"};
  EXPECT_EQ(Outcome(Send(as_other_trainer)), "forbidden");
  domain::Command as_auditor = as_other_trainer;
  as_auditor.actor = domain::Actor{domain::Role::kAuditor, "audit-1"};
  EXPECT_EQ(Outcome(Send(as_auditor)), "forbidden");
  domain::Command on_unknown =
      Cmd("9999999", "2017-03-01T09:01:00Z", "survey-1", Survey("2017-02-11"));
  on_unknown.actor = domain::Actor{domain::Role::kSystem, "mtm"};
  EXPECT_EQ(Outcome(Send(on_unknown)), "unknown_trainer");
  EXPECT_EQ(log().Head(), head);
}

// Trainers enrolled at once under one command id: one is enrolled, the others are refused, and
// none is told it was enrolled when it was not.
TEST_P(CommandPath, OneCommandIdRacingOnManyTrainersEnrollsOne) {
  constexpr int kRacers = 8;
  std::latch start(kRacers);
  std::vector<std::future<CommandAnswer>> racers;
  for (int racer = 0; racer < kRacers; ++racer) {
    racers.push_back(std::async(std::launch::async, [&, racer] {
      const std::string mcid = std::to_string(6000001 + racer);
      start.arrive_and_wait();
      return Send(Cmd(mcid, "2016-05-01T00:00:00Z", "race-2", Enroll(mcid, On("2017-05-01"))));
    }));
  }
  std::map<std::string, int> outcomes;
  for (auto& racer : racers) outcomes[Outcome(racer.get())] += 1;
  EXPECT_EQ(outcomes["accepted"], 1);
  EXPECT_EQ(outcomes["invalid_input"], kRacers - 1);
  EXPECT_EQ(outcomes.count("retried"), 0u);
  EXPECT_EQ(WholeLog().size(), 1u);
}

TEST_P(CommandPath, SameCommandIdRacingGetsTheFirstAnswerEverywhere) {
  Enrolled("1000001");
  constexpr int kRacers = 12;
  for (int round = 0; round < 10; ++round) {
    const domain::Command survey =
        Cmd("1000001", "2017-03-01T10:00:00Z", "racing-" + std::to_string(round), Survey("2017-02-11"));
    const uint64_t head = log().Head();
    std::latch start(kRacers);
    std::vector<std::future<CommandAnswer>> racers;
    for (int racer = 0; racer < kRacers; ++racer) {
      racers.push_back(std::async(std::launch::async, [&] {
        start.arrive_and_wait();
        auto answer = SendRetrying(service(), survey);
        if (!answer.ok()) throw std::runtime_error(answer.error().message);
        return std::move(answer).value();
      }));
    }
    std::vector<CommandAnswer> answers;
    for (auto& racer : racers) answers.push_back(racer.get());
    const auto accepted = std::count_if(answers.begin(), answers.end(), [](const CommandAnswer& a) {
      return a.kind == CommandAnswer::Kind::kAccepted;
    });
    ASSERT_EQ(accepted, 1) << "round " << round;
    const auto first = std::find_if(answers.begin(), answers.end(), [](const CommandAnswer& a) {
      return a.kind == CommandAnswer::Kind::kAccepted;
    });
    ASSERT_EQ(first->events.size(), 1u);
    for (const auto& answer : answers) {
      EXPECT_EQ(Outcome(answer), answer.kind == CommandAnswer::Kind::kAccepted ? "accepted" : "retried");
      EXPECT_EQ(Written(answer.events), Written(first->events))
          << "round " << round << ": a retried command answers its first answer (invariant 5)";
      EXPECT_EQ(answer.events, first->events) << "round " << round;
    }
    EXPECT_EQ(log().Head(), head + 1);
  }
}

TEST_P(CommandPath, IdempotencyKeyRetryWritesNothing) {
  ReadyToPay("1000001");
  const CommandAnswer first = Send(Cmd("1000001", "2017-03-01T09:10:00Z", "order-a", CardOrder("key-1")));
  ASSERT_EQ(Outcome(first), "accepted");
  const uint64_t head = log().Head();
  // PAY-8: the same request retried with a new command id (a new HTTP attempt) charges nothing,
  // and answers the order its key placed, so that the client learns its order number.
  const CommandAnswer retried = Send(Cmd("1000001", "2017-03-01T09:11:00Z", "order-b", CardOrder("key-1")));
  EXPECT_EQ(Outcome(retried), "retried");
  EXPECT_EQ(retried.events, first.events);
  EXPECT_EQ(log().Head(), head);
  // Whatever the state of the application now: even after a refund, the key is spent.
  ASSERT_EQ(Outcome(Send(Cmd("1000001", "2017-03-15T10:00:00Z", "refund-1", Refund()))), "accepted");
  const uint64_t after_refund = log().Head();
  EXPECT_EQ(Outcome(Send(Cmd("1000001", "2017-03-16T09:11:00Z", "order-c", CardOrder("key-1")))), "retried");
  EXPECT_EQ(log().Head(), after_refund);
  auto found = log().FindCommand("order-b");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found.value().has_value());
  for (const auto& envelope : WholeLog()) {
    EXPECT_NE(envelope.event.meta.command_id, "order-b");
    EXPECT_NE(envelope.event.meta.command_id, "order-c");
  }
}

TEST_P(CommandPath, IdempotencyKeyRacingChargesOnce) {
  ReadyToPay("1000001");
  constexpr int kClicks = 8;  // the same order sent again and again, each a new request
  std::latch start(kClicks);
  std::vector<std::future<std::string>> clicks;
  for (int click = 0; click < kClicks; ++click) {
    clicks.push_back(std::async(std::launch::async, [&, click] {
      start.arrive_and_wait();
      auto answer = SendRetrying(service(), Cmd("1000001", "2017-03-01T09:10:00Z",
                                                "click-" + std::to_string(click), CardOrder("key-1")));
      if (!answer.ok()) throw std::runtime_error(answer.error().message);
      return Outcome(*answer);
    }));
  }
  std::multiset<std::string> outcomes;
  for (auto& click : clicks) outcomes.insert(click.get());
  EXPECT_EQ(outcomes.count("accepted"), 1u);
  EXPECT_EQ(outcomes.count("retried"), static_cast<size_t>(kClicks - 1)) << "PAY-8";
  int payments = 0;
  for (const auto& envelope : WholeLog()) {
    if (std::holds_alternative<domain::PaymentPlaced>(envelope.event.payload)) ++payments;
  }
  EXPECT_EQ(payments, 1) << "never charged twice";
}

TEST_P(CommandPath, RejectionsWriteNothing) {
  EXPECT_EQ(Outcome(Send(Cmd("1000001", "2017-03-01T09:00:00Z", "start-early", domain::StartRenewal{}))),
            "unknown_trainer");
  EXPECT_EQ(log().Head(), 0u);
  Enrolled("1000001");
  const uint64_t head = log().Head();
  const std::vector<std::pair<domain::Command, std::string>> refused = {
      {Cmd("1000001", "2016-12-01T09:00:00Z", "start-early", domain::StartRenewal{}), "renewal_window_not_open"},
      {Cmd("1000001", "2017-03-01T09:00:00Z", "profile-first", FreelanceProfile()), "no_renewal_in_progress"},
      {Cmd("1000001", "2017-03-01T09:00:00Z", "enroll-again", Enroll("1000001", On("2018-01-01"))), "already_enrolled"},
      {Cmd("1000001", "2017-03-01T09:00:00Z", "refund-nothing", Refund()), "refund_not_allowed"},
      {Cmd("1000001", "2017-03-01T09:00:00Z", "kit-nothing", domain::OrderWelcomeKit{}), "welcome_kit_not_yet_available"},
      {Cmd("1000001", "2017-03-01T09:00:00Z", "back-nothing", domain::SwitchBackFromAlumni{}), "not_alumni"},
  };
  for (const auto& [command, code] : refused) {
    EXPECT_EQ(Outcome(Send(command)), code) << command.command_id;
    auto found = log().FindCommand(command.command_id);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found.value().has_value()) << command.command_id;
  }
  EXPECT_EQ(log().Head(), head);
  EXPECT_EQ(log().StreamVersion(M("1000001")), 3u);
  // A rejected command left no trace, so its retry is decided afresh (invariant 5).
  const CommandAnswer in_window =
      Send(Cmd("1000001", "2017-03-01T09:00:00Z", "start-early", domain::StartRenewal{}));
  EXPECT_EQ(Outcome(in_window), "accepted");
  EXPECT_EQ(in_window.events.size(), 1u);
}

TEST_P(CommandPath, SameVoucherFromTwoTrainersRedeemsOnce) {
  for (int round = 0; round < 8; ++round) {
    const std::string first = std::to_string(1000000 + 2 * round);
    const std::string second = std::to_string(1000001 + 2 * round);
    const std::string code = "MCT-V-" + std::to_string(round);
    for (const auto& mcid : {first, second}) {
      ReadyToPay(mcid);
      ASSERT_EQ(Outcome(Send(Cmd(mcid, "2017-03-01T09:09:30Z", mcid + "-voucher", domain::ApplyVoucher{code}))),
                "accepted");
    }
    std::latch start(2);
    auto order = [&](const std::string& mcid) {
      return std::async(std::launch::async, [&, mcid] {
        start.arrive_and_wait();
        auto answer = SendRetrying(service(), Cmd(mcid, "2017-03-01T09:10:00Z", mcid + "-order",
                                                  VoucherOrder("key-" + mcid)));
        if (!answer.ok()) throw std::runtime_error(answer.error().message);
        return std::move(answer).value();
      });
    };
    auto a = order(first);
    auto b = order(second);
    const std::multiset<std::string> outcomes{Outcome(a.get()), Outcome(b.get())};
    EXPECT_EQ(outcomes, (std::multiset<std::string>{"accepted", "voucher_already_redeemed"}))
        << "round " << round << " (PAY-2)";
    EXPECT_TRUE(log().VoucherRedeemed(code));
  }
  // Exactly one order per code in the log.
  std::map<std::string, int> orders_per_code;
  for (const auto& envelope : WholeLog()) {
    if (const auto* paid = std::get_if<domain::PaymentPlaced>(&envelope.event.payload)) {
      orders_per_code[paid->voucher_code] += 1;
    }
  }
  EXPECT_EQ(orders_per_code.size(), 8u);
  for (const auto& [code, count] : orders_per_code) EXPECT_EQ(count, 1) << code;
}

TEST_P(CommandPath, OrderNumbersAreUnique) {
  std::set<std::string> order_ids;
  for (int trainer = 0; trainer < 6; ++trainer) {
    const std::string mcid = std::to_string(1000000 + trainer);
    ReadyToPay(mcid);
    const CommandAnswer paid = Send(Cmd(mcid, "2017-03-01T09:10:00Z", mcid + "-order", CardOrder("key")));
    ASSERT_EQ(Outcome(paid), "accepted");
    const auto* payment = std::get_if<domain::PaymentPlaced>(&paid.events.at(0).event.payload);
    ASSERT_NE(payment, nullptr);
    EXPECT_TRUE(order_ids.insert(payment->order_id).second) << payment->order_id;
    EXPECT_EQ(payment->order_id.size(), 10u);  // PAY-7: CT + 8 digits
  }
}

// PAY-7's eight digits run out only in a restored log holding CT99999999: the order after the last
// number is refused, nothing written, rather than given a number again from the start.
TEST_P(CommandPath, NoOrderNumberPastTheLastOfEightDigits) {
  ReadyToPay("1000001");
  ReadyToPay("1000002");
  parts_.reset();
  {
    auto db = RocksDb::Open(dir_.path());
    ASSERT_TRUE(db.ok()) << db.error().message;
    std::string next;
    keys::PutBigEndian64(&next, domain::kLastOrderNumber);
    ASSERT_TRUE(db.value()
                    ->db()
                    ->Put(rocksdb::WriteOptions(), db.value()->meta(), keys::kNextOrder, next)
                    .ok());
  }
  parts_ = std::make_unique<StoreParts>(dir_.path());
  const CommandAnswer last =
      Send(Cmd("1000001", "2017-03-01T09:10:00Z", "order-1", CardOrder("k1")));
  ASSERT_EQ(Outcome(last), "accepted");
  EXPECT_EQ(std::get<domain::PaymentPlaced>(last.events.at(0).event.payload).order_id,
            "CT99999999");
  const uint64_t head = log().Head();
  const auto refused =
      GetParam() == Path::kBlocking
          ? service().Handle(Cmd("1000002", "2017-03-01T09:10:00Z", "order-2", CardOrder("k2")))
          : HandleAsync(Cmd("1000002", "2017-03-01T09:10:00Z", "order-2", CardOrder("k2")));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("order numbers are used up"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(log().Head(), head);
  // Decided first: the order that took the last number is still answered as a retry, and an
  // order its rules refuse still gets its code.
  const CommandAnswer retried =
      Send(Cmd("1000001", "2017-03-01T09:11:00Z", "order-1", CardOrder("k1")));
  EXPECT_EQ(Outcome(retried), "retried");
  EXPECT_EQ(std::get<domain::PaymentPlaced>(retried.events.at(0).event.payload).order_id,
            "CT99999999");
  Enrolled("1000003");
  EXPECT_EQ(Outcome(Send(Cmd("1000003", "2017-03-01T09:10:00Z", "order-3", CardOrder("k3")))),
            "no_renewal_in_progress");
  EXPECT_EQ(log().Head(), head + 3);  // the enrolment's three commands only
}

// --- Many threads ----------------------------------------------------------------------------------

TEST_P(CommandPath, ManyThreadsOnOneTrainerKeepOneStream) {
  Enrolled("1000001");
  constexpr int kThreads = 16;
  constexpr int kRounds = 5;
  uint64_t conflicts = 0;
  std::vector<CommandAnswer> accepted;
  for (int round = 0; round < kRounds; ++round) {
    std::latch start(kThreads);
    std::vector<std::future<std::pair<domain::Command, CommandAnswer>>> threads;
    for (int thread = 0; thread < kThreads; ++thread) {
      threads.push_back(std::async(std::launch::async, [&, thread] {
        const domain::Command survey =
            Cmd("1000001", "2017-03-01T10:00:00Z",
                "survey-" + std::to_string(round) + "-" + std::to_string(thread), Survey("2017-02-12"));
        start.arrive_and_wait();
        return std::make_pair(survey, Send(survey));
      }));
    }
    std::vector<domain::Command> losers;
    for (auto& thread : threads) {
      auto [command, answer] = thread.get();
      if (answer.kind == CommandAnswer::Kind::kAccepted) {
        accepted.push_back(answer);
      } else {
        // Invariant 3: the loser of the race is told so, never silently overwritten.
        EXPECT_EQ(Outcome(answer), "version_conflict") << command.command_id;
        EXPECT_TRUE(answer.events.empty());
        losers.push_back(command);
      }
    }
    conflicts += losers.size();
    // Retrying the losers (same command ids) succeeds.
    for (const auto& command : losers) {
      auto answer = SendRetrying(service(), command);
      ASSERT_TRUE(answer.ok());
      ASSERT_EQ(Outcome(*answer), "accepted") << command.command_id;
      accepted.push_back(*answer);
    }
  }
  EXPECT_GT(conflicts, 0u) << "16 threads on one trainer should have raced at least once";

  auto stream = log().ReadStream(M("1000001"));
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 3u + kThreads * kRounds);
  for (size_t index = 0; index < stream->size(); ++index) {
    EXPECT_EQ((*stream)[index].stream_version, index + 1) << "no holes, no duplicates";
    if (index > 0) {
      EXPECT_EQ((*stream)[index].prev_hash, (*stream)[index - 1].hash);
    }
  }
  // Every accepted answer's event is in the log exactly once, where the answer said.
  const std::vector<EventEnvelope> whole = WholeLog();
  std::map<std::string, int> per_command;
  for (const auto& envelope : whole) per_command[envelope.event.meta.command_id] += 1;
  ASSERT_EQ(accepted.size(), static_cast<size_t>(kThreads * kRounds));
  std::set<uint64_t> positions;
  for (const auto& answer : accepted) {
    ASSERT_EQ(answer.events.size(), 1u);
    const EventEnvelope& written = answer.events[0];
    EXPECT_EQ(per_command[written.event.meta.command_id], 1) << written.event.meta.command_id;
    ASSERT_GE(written.global_position, 1u);
    ASSERT_LE(written.global_position, whole.size());
    EXPECT_EQ(whole[written.global_position - 1], written);
    EXPECT_TRUE(positions.insert(written.global_position).second);
  }
}

TEST_P(CommandPath, ManyThreadsOnDifferentTrainersShareGroupCommits) {
  constexpr int kThreads = 16;
  constexpr int kCommands = 25;
  for (int thread = 0; thread < kThreads; ++thread) Enrolled(std::to_string(1000000 + thread));
  const CommitStats before = log().Stats();
  const uint64_t head = log().Head();
  std::latch start(kThreads);
  std::vector<std::future<int>> threads;
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.push_back(std::async(std::launch::async, [&, thread] {
      const std::string mcid = std::to_string(1000000 + thread);
      int accepted = 0;
      start.arrive_and_wait();
      for (int index = 0; index < kCommands; ++index) {
        const CommandAnswer answer =
            Send(Cmd(mcid, "2017-03-01T10:00:00Z", mcid + "-s-" + std::to_string(index), Survey("2017-02-12")));
        if (answer.kind == CommandAnswer::Kind::kAccepted) ++accepted;
      }
      return accepted;
    }));
  }
  int accepted = 0;
  for (auto& thread : threads) accepted += thread.get();
  EXPECT_EQ(accepted, kThreads * kCommands) << "one writer per trainer: nobody conflicts";
  EXPECT_EQ(log().Head(), head + kThreads * kCommands);
  const CommitStats after = log().Stats();
  const uint64_t batches = after.syncs - before.syncs;
  const uint64_t requests = after.requests - before.requests;
  EXPECT_EQ(requests, static_cast<uint64_t>(kThreads * kCommands));
  EXPECT_GT(static_cast<double>(requests) / static_cast<double>(batches), 1.0)
      << requests << " requests in " << batches << " synced batches: group commit";
  for (int thread = 0; thread < kThreads; ++thread) {
    EXPECT_EQ(log().StreamVersion(M(std::to_string(1000000 + thread))), 3u + kCommands);
  }
}

// Regression: closing a store with callbacks still in the group commit freed the service their
// answers come back into (its state cache) before they came.
TEST(CommandServiceClosing, OutlivesTheCallbacksOfItsCommandsInFlight) {
  TempDir dir{"command-service-closing"};
  auto parts = std::make_unique<StoreParts>(dir.path());
  constexpr int kTrainers = 200;
  auto called = std::make_shared<std::atomic<int>>(0);
  for (int trainer = 0; trainer < kTrainers; ++trainer) {
    const std::string mcid = std::to_string(2000000 + trainer);
    parts->commands->HandleAsync(
        Cmd(mcid, "2016-05-01T00:00:00Z", mcid + "-enroll", Enroll(mcid, On("2017-05-01"))),
        CommandIdOrigin::kClient, [called](Result<CommandAnswer> answer) {
          EXPECT_TRUE(answer.ok());
          called->fetch_add(1);
        });
  }
  parts->commands.reset();  // the log still runs: every callback comes before this returns
  EXPECT_EQ(called->load(), kTrainers);
  parts.reset();
  EXPECT_EQ(called->load(), kTrainers) << "a callback came twice";
}

INSTANTIATE_TEST_SUITE_P(BothPaths, CommandPath,
                         ::testing::Values(Path::kBlocking, Path::kCallback),
                         [](const ::testing::TestParamInfo<Path>& info) {
                           return info.param == Path::kBlocking ? "Blocking" : "Callback";
                         });

// A front door whose clock stamps the commands keeps every stream in time order: a command
// stamped before the trainer's latest event (a clock stepped back) is decided and recorded at that
// event's instant; without the option, at the instant it carries.
TEST(CommandServiceTimeOrder, AStampBeforeTheLatestEventIsPlacedAtIt) {
  TempDir dir;
  StoreParts parts(dir.path());
  for (const bool in_order : {true, false}) {
    SCOPED_TRACE(in_order ? "in time order" : "as stamped");
    const std::string mcid = in_order ? "1000001" : "1000002";
    CommandService service(*parts.log, domain::Policy{},
                           CommandServiceOptions{.place_in_time_order = in_order});
    auto enrolled = service.Handle(
        Cmd(mcid, "2017-02-01T09:00:00Z", mcid + "-enroll", Enroll(mcid, On("2017-05-01"))));
    ASSERT_TRUE(enrolled.ok());
    // Stamped before the enrolment, and before the renewal window opened (2017-01-31).
    auto started =
        service.Handle(Cmd(mcid, "2017-01-15T09:00:00Z", mcid + "-start", domain::StartRenewal{}));
    ASSERT_TRUE(started.ok());
    if (in_order) {
      ASSERT_EQ(Outcome(started.value()), "accepted");
      EXPECT_EQ(started->events.at(0).event.meta.at.ToString(), "2017-02-01T09:00:00Z");
    } else {
      EXPECT_EQ(Outcome(started.value()), "renewal_window_not_open");
    }
  }
}

}  // namespace
}  // namespace mct::consumers
