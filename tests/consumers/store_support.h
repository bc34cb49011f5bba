// Support for the integration tests of the embedded store: a fresh data directory per test,
// command builders, and scripted trainer lives sent through the real command path
// (CommandService, EventStore, group commit). Free of GoogleTest, so the crash writer
// (tests/crash/crash_writer.cc) drives the store with the very same lives as the tests.
//
// Every life starts from a fresh MCID and sends its commands in order, retrying a command with the
// same command id while it loses a race on its trainer (`version_conflict`: the rejected attempt
// left no trace, so its retry is decided afresh, architecture invariant 5).
//
// Test-only. TempDir is not synchronised; the free functions may run from any thread.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "consumers/command_service.h"
#include "consumers/event_store.h"
#include "consumers/projection_runner.h"
#include "consumers/read_models.h"
#include "consumers/rocks_db.h"
#include "domain/commands.h"
#include "domain/decide.h"
#include "domain/values.h"
#include "tests/domain/given.h"

namespace mct::consumers::testing {

// A directory of its own under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  // Under `parent`, the system's temporary folder (TMPDIR) unless given.
  explicit TempDir(std::string_view tag = "store",
                   const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / ("mct-" + std::string(tag) + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A path inside the directory (not created).
  std::filesystem::path Sub(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The parts of a store on a data directory, opened together (what admin::Store assembles, without
// its catch-up on open, so a test sees the read models exactly as they were left).
struct StoreParts {
  std::unique_ptr<RocksDb> db;
  std::unique_ptr<EventStore> log;
  std::unique_ptr<ReadModels> models;
  std::unique_ptr<CommandService> commands;
  std::unique_ptr<ProjectionRunner> runner;

  // `env`'s file system replaces the operating system's (a test's injected failures).
  explicit StoreParts(const std::filesystem::path& dir, StoreOptions options = {},
                      rocksdb::Env* env = nullptr) {
    auto opened_db = RocksDb::Open(dir, env);
    if (!opened_db.ok()) throw std::runtime_error(opened_db.error().message);
    db = std::move(opened_db).value();
    auto opened_log = EventStore::Open(*db, options);
    if (!opened_log.ok()) throw std::runtime_error(opened_log.error().message);
    log = std::move(opened_log).value();
    auto opened_models = ReadModels::Open(*db);
    if (!opened_models.ok()) throw std::runtime_error(opened_models.error().message);
    models = std::move(opened_models).value();
    commands = std::make_unique<CommandService>(*log, domain::Policy{});
    runner = std::make_unique<ProjectionRunner>(*log, *models);
  }
  ~StoreParts() {
    runner.reset();
    commands.reset();
    models.reset();
    log.reset();
    db.reset();
  }
  StoreParts(const StoreParts&) = delete;
  StoreParts& operator=(const StoreParts&) = delete;
};

// --- Values --------------------------------------------------------------------------------------

// Test data is written by hand: a malformed value is a bug of the test and fails fast.
inline domain::Mcid M(std::string_view text) {
  auto parsed = domain::Mcid::Parse(text);
  if (!parsed) throw std::invalid_argument("bad MCID in a test: " + std::string(text));
  return *parsed;
}
inline domain::Instant At(std::string_view text) {
  auto parsed = domain::Instant::Parse(text);
  if (!parsed) throw std::invalid_argument("bad instant in a test: " + std::string(text));
  return *parsed;
}
inline domain::Date On(std::string_view text) {
  auto parsed = domain::Date::Parse(text);
  if (!parsed) throw std::invalid_argument("bad date in a test: " + std::string(text));
  return *parsed;
}

// The same actors and forms as the domain tests use.
using domain::testing::SupportActor;
using domain::testing::SystemActor;
inline domain::Actor TrainerActor(const std::string& mcid) { return {domain::Role::kTrainer, mcid}; }

// Who usually sends a command (ROLE-1..3): the member site enrolls, certifies, records surveys
// and settles refunds; support refunds; the trainer does the rest.
inline domain::Actor DefaultActor(const std::string& mcid, const domain::CommandBody& body) {
  if (std::holds_alternative<domain::EnrollTrainer>(body) ||
      std::holds_alternative<domain::RecordCertification>(body) ||
      std::holds_alternative<domain::IssueFteCode>(body) ||
      std::holds_alternative<domain::RecordMtmSurvey>(body) ||
      std::holds_alternative<domain::SettleRefund>(body)) {
    return SystemActor();
  }
  if (std::holds_alternative<domain::IssueRefund>(body)) return SupportActor();
  return TrainerActor(mcid);
}

inline domain::Command Cmd(const std::string& mcid, std::string_view at, std::string command_id,
                           domain::CommandBody body) {
  domain::Command command;
  command.mcid = M(mcid);
  command.at = At(at);
  command.actor = DefaultActor(mcid, body);
  command.command_id = std::move(command_id);
  command.body = std::move(body);
  return command;
}

// --- Command bodies ------------------------------------------------------------------------------

inline domain::EnrollTrainer Enroll(const std::string& mcid, const domain::Date& anniversary) {
  return {"Trainer " + mcid, "trainer" + mcid + "@example.jp", anniversary};
}
inline domain::RecordCertification ItProCertification() {
  return {"CERT-it_pro", domain::Track::kItPro};
}
inline domain::RecordMtmSurvey Survey(std::string_view course_date, double score = 8.5) {
  return {"20410D", On(course_date), score};
}
// An append of one MtmSurveyRecorded, straight to the event store (below the command path).
inline AppendRequest SurveyAppend(const std::string& mcid, uint64_t expected_version,
                                  const std::string& command_id) {
  AppendRequest request;
  request.meta.mcid = M(mcid);
  request.meta.at = At("2017-03-01T10:00:00Z");
  request.meta.actor = TrainerActor(mcid);
  request.meta.command_id = command_id;
  request.expected_version = expected_version;
  request.events.push_back(domain::MtmSurveyRecorded{"20410D", On("2017-02-10"), 8.0});
  return request;
}

inline domain::ChooseProfile FreelanceProfile() {
  domain::ChooseProfile profile;
  profile.employer_type = domain::EmployerType::kFreelance;
  profile.track = domain::Track::kItPro;
  return profile;
}
using domain::testing::BothBoxes;
using domain::testing::Billing;
inline domain::PlaceOrder CardOrder(std::string idempotency_key) {
  domain::PlaceOrder order;
  order.method = "credit_card";
  order.card = domain::CardDetails{"HANAKO SATO", "4111111111111111", "2030-12", "123"};
  order.payer_name = "HANAKO SATO";
  order.confirmed = true;
  order.idempotency_key = std::move(idempotency_key);
  return order;
}
inline domain::PlaceOrder VoucherOrder(std::string idempotency_key) {
  domain::PlaceOrder order;
  order.method = "voucher";
  order.payer_name = "HANAKO SATO";
  order.confirmed = true;
  order.idempotency_key = std::move(idempotency_key);
  return order;
}
inline domain::IssueRefund Refund() { return {"", "customer request"}; }

// --- Sending ---------------------------------------------------------------------------------------

inline std::string_view KindName(CommandAnswer::Kind kind) {
  switch (kind) {
    case CommandAnswer::Kind::kAccepted:
      return "accepted";
    case CommandAnswer::Kind::kRetried:
      return "retried";
    case CommandAnswer::Kind::kRejected:
      return "rejected";
  }
  return "?";
}

// "accepted", "retried" or the rejection code: what a test compares.
inline std::string Outcome(const CommandAnswer& answer) {
  if (answer.kind == CommandAnswer::Kind::kRejected) {
    return std::string(domain::ToString(answer.rejection.code));
  }
  return std::string(KindName(answer.kind));
}

// Told of every command the store answered accepted (after it is durable).
using AcceptedFn = std::function<void(const domain::Command&, const CommandAnswer&)>;

// Sends `command`, sending it again with the same command id while it loses a race on its
// trainer. Answers the last answer; counts the lost races in `conflicts` when given.
inline Result<CommandAnswer> SendRetrying(CommandService& service, const domain::Command& command,
                                          const AcceptedFn& on_accepted = {},
                                          uint64_t* conflicts = nullptr) {
  for (int attempt = 0; attempt < 100000; ++attempt) {
    auto answer = service.Handle(command);
    if (!answer.ok()) return answer;
    if (answer->kind == CommandAnswer::Kind::kRejected &&
        answer->rejection.code == domain::RejectionCode::kVersionConflict) {
      if (conflicts != nullptr) ++*conflicts;
      continue;
    }
    if (answer->kind == CommandAnswer::Kind::kAccepted && on_accepted) on_accepted(command, *answer);
    return answer;
  }
  return Error{"command " + command.command_id + " kept losing races"};
}

// --- Scripted lives ------------------------------------------------------------------------------

// What happens to a trainer. Every life enrolls with an IT Pro certification first.
enum class Life : uint8_t {
  kRenewed,                 // renews by card on 2017-03-01, orders the welcome kit a week later
  kRenewedThenRefunded,     // renews, then the order is refunded and the refund settles (REF-2)
  kReinstated,              // lapsed in January 2017, reinstates on 2017-03-01 (REIN-4, REIN-5)
  kReinstatedThenRefunded,  // reinstates, then is refunded: lapsed again, the gap reopens
  kAlumni,                  // starts a renewal, then applies to the Alumni Program (ALUM-1)
  kAlumniSwitchedBack,      // applies to the Alumni Program, switches back, renews (ALUM-2)
  kVoucher,                 // pays with a voucher; by card when another order redeemed it (PAY-2)
  kInProgress,              // starts a renewal and stops at the payment step
  kLapsed,                  // never renews: lapsed since its anniversary
};
inline constexpr uint64_t kLifeCount = 9;
inline Life LifeOf(uint64_t index) { return static_cast<Life>(index % kLifeCount); }

// The anniversary a life enrolls with, spread over 20 days so that due-date scans have an order
// to keep.
inline domain::Date AnniversaryFor(Life life, uint64_t index) {
  const int spread = static_cast<int>(index % 20);
  switch (life) {
    case Life::kReinstated:
    case Life::kReinstatedThenRefunded:
    case Life::kLapsed:
      return On("2017-01-10").AddDays(spread);  // reinstatement opens by 2017-02-05
    default:
      return On("2017-05-01").AddDays(spread);  // the window is open on 2017-03-01
  }
}

struct LifeOptions {
  std::string id_prefix;     // command ids are `<prefix>-<step>`
  std::string voucher_code;  // the code a kVoucher life tries (shared by design between lives)
  AcceptedFn on_accepted;    // told of each accepted command
  uint64_t* conflicts = nullptr;  // counts races lost (and retried)
};

// Sends one scripted life for `mcid` (a fresh MCID). An I/O failure, or a rejection the script
// did not expect, is an Error naming the command.
inline Status LiveTrainer(CommandService& service, const std::string& mcid, Life life,
                          uint64_t index, const LifeOptions& options) {
  int step = 0;
  std::string last_code;
  auto send = [&](std::string_view at, domain::CommandBody body, bool may_be_refused = false) -> Status {
    const domain::Command command =
        Cmd(mcid, at, options.id_prefix + "-" + std::to_string(++step), std::move(body));
    auto answer = SendRetrying(service, command, options.on_accepted, options.conflicts);
    if (!answer.ok()) return answer.error();
    last_code = Outcome(*answer);
    if (answer->kind != CommandAnswer::Kind::kAccepted && !may_be_refused) {
      return Error{"command " + command.command_id + " (" +
                   std::string(domain::CommandName(command.body)) + ") for " + mcid + " answered " +
                   last_code + ": " + answer->rejection.message};
    }
    return Ok();
  };
  auto renew_by_card = [&](std::string_view day, const std::string& key) -> Status {
    const std::string d(day);
    for (auto [at, body] : std::vector<std::pair<std::string, domain::CommandBody>>{
             {d + "T09:00:00Z", domain::StartRenewal{}},
             {d + "T09:05:00Z", FreelanceProfile()},
             {d + "T09:07:00Z", domain::ConfirmRequirements{}},
             {d + "T09:08:00Z", BothBoxes()},
             {d + "T09:09:00Z", Billing()},
             {d + "T09:10:00Z", CardOrder(key)}}) {
      if (Status sent = send(at, std::move(body)); !sent.ok()) return sent;
    }
    return Ok();
  };

  const domain::Date anniversary = AnniversaryFor(life, index);
  if (Status s = send("2016-05-01T00:00:00Z", Enroll(mcid, anniversary)); !s.ok()) return s;
  if (Status s = send("2016-05-01T00:01:00Z", ItProCertification()); !s.ok()) return s;
  if (Status s = send("2017-02-20T12:00:00Z", Survey("2017-02-10")); !s.ok()) return s;

  switch (life) {
    case Life::kRenewed:
      if (Status s = renew_by_card("2017-03-01", "key-" + mcid); !s.ok()) return s;
      return send("2017-03-09T10:00:00Z", domain::OrderWelcomeKit{});
    case Life::kRenewedThenRefunded:
      if (Status s = renew_by_card("2017-03-01", "key-" + mcid); !s.ok()) return s;
      if (Status s = send("2017-03-15T10:00:00Z", Refund()); !s.ok()) return s;
      return send("2017-03-20T10:00:00Z", domain::SettleRefund{});
    case Life::kReinstated:
      return renew_by_card("2017-03-01", "key-" + mcid);
    case Life::kReinstatedThenRefunded:
      if (Status s = renew_by_card("2017-03-01", "key-" + mcid); !s.ok()) return s;
      return send("2017-04-02T10:00:00Z", Refund());
    case Life::kAlumni:
      if (Status s = send("2017-03-01T09:00:00Z", domain::StartRenewal{}); !s.ok()) return s;
      if (Status s = send("2017-03-01T09:05:00Z", FreelanceProfile()); !s.ok()) return s;
      return send("2017-03-05T09:00:00Z", domain::ApplyAlumni{});
    case Life::kAlumniSwitchedBack:
      if (Status s = send("2017-02-15T09:00:00Z", domain::ApplyAlumni{}); !s.ok()) return s;
      if (Status s = send("2017-02-16T09:00:00Z", domain::SwitchBackFromAlumni{}); !s.ok()) return s;
      return renew_by_card("2017-03-02", "key-" + mcid);
    case Life::kVoucher: {
      for (auto [at, body] : std::vector<std::pair<std::string, domain::CommandBody>>{
               {"2017-03-03T09:00:00Z", domain::StartRenewal{}},
               {"2017-03-03T09:05:00Z", FreelanceProfile()},
               {"2017-03-03T09:07:00Z", domain::ConfirmRequirements{}},
               {"2017-03-03T09:08:00Z", BothBoxes()}}) {
        if (Status s = send(at, std::move(body)); !s.ok()) return s;
      }
      // PAY-2: the code may already be redeemed by another life; then pay by card.
      if (Status s = send("2017-03-03T09:09:00Z", domain::ApplyVoucher{options.voucher_code}, true);
          !s.ok()) {
        return s;
      }
      const std::string applied = last_code;
      if (applied != "accepted" && applied != "voucher_already_redeemed") {
        return Error{"applying a voucher for " + mcid + " answered " + applied};
      }
      if (Status s = send("2017-03-03T09:10:00Z", Billing()); !s.ok()) return s;
      if (applied == "accepted") {
        if (Status s = send("2017-03-03T09:11:00Z", VoucherOrder("voucher-" + mcid), true); !s.ok()) {
          return s;
        }
        if (last_code == "accepted") return Ok();
        if (last_code != "voucher_already_redeemed") {
          return Error{"a voucher order for " + mcid + " answered " + last_code};
        }
      }
      return send("2017-03-03T09:12:00Z", CardOrder("card-" + mcid));
    }
    case Life::kInProgress:
      for (auto [at, body] : std::vector<std::pair<std::string, domain::CommandBody>>{
               {"2017-03-04T09:00:00Z", domain::StartRenewal{}},
               {"2017-03-04T09:05:00Z", FreelanceProfile()},
               {"2017-03-04T09:07:00Z", domain::ConfirmRequirements{}},
               {"2017-03-04T09:08:00Z", BothBoxes()}}) {
        if (Status s = send(at, std::move(body)); !s.ok()) return s;
      }
      return Ok();
    case Life::kLapsed:
      return send("2017-03-10T12:00:00Z", Survey("2017-03-01"));
  }
  return Ok();
}

// The MCID of life `index` counted from `base` (a 7-to-10-digit number).
inline std::string LifeMcid(uint64_t base, uint64_t index) { return std::to_string(base + index); }

// Lives `first` .. `first + count - 1` (LifeOf(index) each) sent from `threads` threads at once,
// each thread taking every `threads`-th life. Two kVoucher lives in a row share a voucher code,
// so they race for it (PAY-2). Command ids start with `id_prefix`.
inline Status RunLives(CommandService& service, uint64_t mcid_base, uint64_t first, uint64_t count,
                       int threads, const std::string& id_prefix, uint64_t* conflicts = nullptr) {
  std::vector<std::thread> workers;
  std::vector<std::string> failures(static_cast<size_t>(threads));
  std::vector<uint64_t> lost(static_cast<size_t>(threads), 0);
  for (int worker = 0; worker < threads; ++worker) {
    workers.emplace_back([&, worker] {
      for (uint64_t index = first + static_cast<uint64_t>(worker); index < first + count;
           index += static_cast<uint64_t>(threads)) {
        const std::string mcid = LifeMcid(mcid_base, index);
        LifeOptions options;
        options.id_prefix = id_prefix + "-" + mcid;
        options.voucher_code = id_prefix + "-V" + std::to_string(index / (2 * kLifeCount));
        options.conflicts = &lost[static_cast<size_t>(worker)];
        if (Status lived = LiveTrainer(service, mcid, LifeOf(index), index, options); !lived.ok()) {
          failures[static_cast<size_t>(worker)] = lived.error().message;
          return;
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (conflicts != nullptr) {
    for (const uint64_t count_lost : lost) *conflicts += count_lost;
  }
  for (const auto& failure : failures) {
    if (!failure.empty()) return Error{failure};
  }
  return Ok();
}

}  // namespace mct::consumers::testing
