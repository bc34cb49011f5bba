// libFuzzer target for the JSON command decoder and the decision behind it: the bytes of an HTTP
// command body go through nlohmann's parser, admin::CommandBodyFromJson and, when they decode,
// domain::Decide against two trainers (none enrolled, and one in the middle of a renewal). Any
// crash, leak, uncaught exception or sanitizer report is a bug in the decoder or the domain.
//
// Built and run by run_fuzz.sh (clang, -fsanitize=fuzzer,address,undefined); not part of the
// CMake build.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/command_json.h"
#include "consumers/json_text.h"
#include "domain/commands.h"
#include "domain/decide.h"
#include "domain/events.h"
#include "domain/state.h"
#include "domain/values.h"

namespace {

using namespace mct;
using namespace mct::domain;

constexpr std::string_view kMcid = "1000001";
// The instant every fuzzed command is stamped with: inside the renewal window of kMidRenewal.
constexpr std::string_view kNow = "2017-03-15T09:00:00Z";

// Stops the run with a message; libFuzzer records the input as a crash.
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "command_json_fuzz: %s\n", what);
  std::abort();
}

Mcid ParseMcid(std::string_view text) {
  const auto mcid = Mcid::Parse(text);
  if (!mcid) std::abort();
  return *mcid;
}

Instant ParseInstant(std::string_view text) {
  const auto instant = Instant::Parse(text);
  if (!instant) std::abort();
  return *instant;
}

Date ParseDate(std::string_view text) {
  const auto date = Date::Parse(text);
  if (!date) std::abort();
  return *date;
}

// A trainer enrolled in 2015, renewed once in 2016 (order CT00000001, kit not yet ordered), now in
// a 2017 renewal with every step done up to the payment: profile (academic, so an exception is
// on file), requirements, terms, a voucher in the cart and the billing address. An FTE code is
// valid for contoso\hanako at kNow. Every command can thus reach its own rule.
TrainerState MidRenewal() {
  const Actor support{Role::kSupport, "support-1"};
  const Actor trainer{Role::kTrainer, std::string(kMcid)};
  const Actor system{Role::kSystem, "member-site"};
  TrainerState state;
  int sequence = 0;
  auto apply = [&](std::string_view at, const Actor& actor, Event event) {
    RecordedEvent recorded;
    recorded.meta.mcid = ParseMcid(kMcid);
    recorded.meta.at = ParseInstant(at);
    recorded.meta.actor = actor;
    recorded.meta.command_id = "cmd-" + std::to_string(++sequence);
    recorded.payload = std::move(event);
    state = Evolve(std::move(state), recorded);
  };

  apply("2015-05-01T00:00:00Z", support,
        TrainerEnrolled{"Hanako Sato", "hanako@example.jp", ParseDate("2016-05-01")});
  apply("2015-05-01T00:00:00Z", support, CertificationRecorded{"MCSA-2016", Track::kItPro});
  apply("2015-05-01T00:00:00Z", support, CertificationRecorded{"MOS-2016", Track::kIw});

  // The 2016 renewal, completed and paid by card.
  apply("2016-03-01T09:00:00Z", trainer,
        RenewalStarted{RenewalKind::kRenewal, ParseDate("2016-05-01")});
  apply("2016-03-01T09:05:00Z", trainer,
        ProfileChosen{EmployerType::kFreelance, "", Track::kItPro});
  apply("2016-03-01T09:10:00Z", trainer, MtmSurveyRecorded{"20410", ParseDate("2016-02-10"), 8.5});
  apply("2016-03-01T09:15:00Z", trainer, RequirementsConfirmed{});
  apply("2016-03-01T09:20:00Z", trainer, TermsAccepted{});
  apply("2016-03-01T09:25:00Z", trainer,
        BillingAddressEntered{"Hanako", "Sato", "hanako@example.jp", "+81 3 1234 5678",
                              "1-2-3 Shibuya", "Room 101", "Shibuya-ku", "Tokyo", "150-0002",
                              "JP"});
  PaymentPlaced paid;
  paid.order_id = "CT00000001";
  paid.method = PaymentMethod::kCreditCard;
  paid.card_brand = CardBrand::kVisa;
  paid.card_last4 = "1111";
  paid.payer_name = "Hanako Sato";
  paid.amount_minor = 40000;
  paid.currency = "USD";
  paid.idempotency_key = "order-2016-1";
  apply("2016-03-01T09:30:00Z", trainer, paid);
  apply("2016-03-01T09:30:00Z", trainer,
        RenewalCompleted{RenewalKind::kRenewal, "CT00000001", ParseDate("2016-05-01"),
                         ParseDate("2017-05-01")});

  // The 2017 renewal, at the payment step.
  apply("2017-03-01T09:00:00Z", trainer,
        RenewalStarted{RenewalKind::kRenewal, ParseDate("2017-05-01")});
  apply("2017-03-01T09:05:00Z", trainer,
        ProfileChosen{EmployerType::kAcademic, "Contoso University", Track::kItPro});
  ExceptionFiled exception;
  exception.classes = 1;
  exception.course_name = "20410";
  exception.course_date = ParseDate("2017-02-10");
  exception.students = 12;
  exception.organization = "Contoso University";
  exception.manager_name = "Taro Yamada";
  exception.manager_email = "taro@example.jp";
  apply("2017-03-01T09:10:00Z", trainer, exception);
  apply("2017-03-01T09:15:00Z", trainer, RequirementsConfirmed{});
  apply("2017-03-01T09:20:00Z", trainer, TermsAccepted{});
  apply("2017-03-01T09:25:00Z", trainer, VoucherApplied{"MCT-VOUCHER-1"});
  apply("2017-03-01T09:30:00Z", trainer,
        BillingAddressEntered{"Hanako", "Sato", "hanako@example.jp", "+81 3 1234 5678",
                              "1-2-3 Shibuya", "Room 101", "Shibuya-ku", "Tokyo", "150-0002",
                              "JP"});
  // sha256("123456"), valid for 48 hours from 2017-03-14T12:00:00Z.
  apply("2017-03-14T12:00:00Z", system,
        FteCodeIssued{"contoso\\hanako",
                      "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92",
                      ParseInstant("2017-03-16T12:00:00Z")});
  if (!state.enrolled || !state.application) std::abort();
  return state;
}

struct Fixture {
  Policy policy;
  SharedFacts facts;
  TrainerState empty;
  TrainerState mid_renewal = MidRenewal();
  Mcid mcid = ParseMcid(kMcid);
  Instant now = ParseInstant(kNow);
  Actor actor{Role::kSupport, "support-1"};

  Fixture() {
    facts.redeemed_vouchers = {"MCT-USED-1"};
    facts.next_order_number = 2;
  }
};

const Fixture& TheFixture() {
  static const Fixture fixture;
  return fixture;
}

// Decides `command` against `state`, checks what every decision promises and folds the events.
void DecideAndFold(const Fixture& f, const TrainerState& state, const Command& command) {
  const Decision decision = Decide(f.policy, state, f.facts, command);
  if (!decision.accepted()) {
    if (!decision.events.empty() || decision.retried) Fail("a rejection wrote events");
    return;
  }
  if (decision.retried && !decision.events.empty()) Fail("a retried command wrote events");
  TrainerState after = state;
  RecordedEvent recorded;
  recorded.meta.mcid = command.mcid;
  recorded.meta.at = command.at;
  recorded.meta.actor = command.actor;
  recorded.meta.command_id = command.command_id;
  for (const Event& event : decision.events) {
    recorded.payload = event;
    after = Evolve(std::move(after), recorded);
  }
  if (after.version != state.version + static_cast<int64_t>(decision.events.size())) {
    Fail("Evolve did not count every event");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = TheFixture();
  const auto* begin = reinterpret_cast<const char*>(data);
  // The server's own reading of a body: strict JSON first (no NUL, no key given twice).
  const Result<nlohmann::json> parsed = consumers::ParseJsonText(std::string_view(begin, size));
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) Fail("an Error without a message");
    return 0;
  }
  const nlohmann::json& object = parsed.value();
  if (!object.is_object()) return 0;

  // The actor envelope has its own decoder; exercise it on whatever the input puts there.
  if (const auto actor = object.find("actor"); actor != object.end()) {
    const Result<Actor> decoded = admin::ActorFromJson(*actor);
    if (!decoded.ok() && decoded.error().message.empty()) Fail("an Error without a message");
  }

  Result<CommandBody> body = admin::CommandBodyFromJson(object, {"command_id"});
  if (!body.ok()) {
    if (body.error().message.empty()) Fail("an Error without a message");
    return 0;
  }

  Command command;
  command.mcid = f.mcid;
  command.at = f.now;
  command.actor = f.actor;
  if (const auto id = object.find("command_id"); id != object.end() && id->is_string()) {
    command.command_id = id->get<std::string>();
  }
  command.body = std::move(body).value();

  DecideAndFold(f, f.empty, command);
  DecideAndFold(f, f.mid_renewal, command);
  return 0;
}
