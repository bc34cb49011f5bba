// Given/when/then for the domain tests: a trainer's state is built by folding events through
// Evolve (directly, or as the events a command causes through Decide), the command under test is
// decided against it, and the decision is rendered compactly as a string to compare, in the manner
// of LevelDB's WriteBatchTest:
//
//   EXPECT_EQ(Given(Enrolled()).When(StartRenewal{}, "2017-03-01T09:00:00Z"),
//             "RenewalStarted{kind=renewal anniversary=2017-05-01}");
//
// A rejection renders as `rejected:<code>`, a retried command as `retried`, an accepted command
// that writes nothing as `(none)`; several events are joined by "; ".
//
// Test-only; not synchronised.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/commands.h"
#include "domain/decide.h"
#include "domain/events.h"
#include "domain/state.h"
#include "domain/values.h"
#include "domain/overloaded.h"

namespace mct::domain::testing {

// The trainer of most tests.
inline constexpr std::string_view kMcid = "1000001";
inline constexpr std::string_view kOtherMcid = "2000002";

// The card numbers of the payment providers' test sets.
inline constexpr std::string_view kVisa = "4111111111111111";
inline constexpr std::string_view kMastercard = "5555555555554444";
inline constexpr std::string_view kMastercard2Series = "2221000000000009";
inline constexpr std::string_view kAmex = "378282246310005";
inline constexpr std::string_view kJcb = "3530111333300000";

inline Mcid M(std::string_view text = kMcid) {
  const auto mcid = Mcid::Parse(text);
  if (!mcid) ADD_FAILURE() << "bad MCID in a test: " << text;
  return mcid.value_or(Mcid{});
}

inline Instant At(std::string_view text) {
  const auto instant = Instant::Parse(text);
  if (!instant) ADD_FAILURE() << "bad instant in a test: " << text;
  return instant.value_or(Instant{});
}

inline Date On(std::string_view text) {
  const auto date = Date::Parse(text);
  if (!date) ADD_FAILURE() << "bad date in a test: " << text;
  return date.value_or(Date{});
}

inline Actor TrainerActor(std::string_view mcid = kMcid) {
  return {Role::kTrainer, std::string(mcid)};
}
inline Actor SupportActor() { return {Role::kSupport, "support-1"}; }
inline Actor SystemActor() { return {Role::kSystem, "member-site"}; }
inline Actor AuditorActor() { return {Role::kAuditor, "auditor-1"}; }

// --- Rendering ---------------------------------------------------------------------------------

namespace internal {

// Appends ` name=value` (without the leading space for the first field).
class Fields {
 public:
  explicit Fields(std::string_view event_name) { out_ << event_name << '{'; }
  template <typename Value>
  Fields& Add(std::string_view name, const Value& value) {
    if (!first_) out_ << ' ';
    first_ = false;
    out_ << name << '=' << value;
    return *this;
  }
  std::string Done() {
    out_ << '}';
    return out_.str();
  }

 private:
  std::ostringstream out_;
  bool first_ = true;
};

}  // namespace internal

inline std::string Render(const Event& event) {
  using internal::Fields;
  const std::string_view name = EventName(event);
  return std::visit(
      mct::Overloaded{
          [&](const TrainerEnrolled& e) {
            return Fields(name)
                .Add("name", e.name)
                .Add("email", e.email)
                .Add("anniversary", e.anniversary.ToString())
                .Done();
          },
          [&](const CertificationRecorded& e) {
            return Fields(name)
                .Add("certification_id", e.certification_id)
                .Add("track", ToString(e.track))
                .Done();
          },
          [&](const RenewalStarted& e) {
            return Fields(name)
                .Add("kind", ToString(e.kind))
                .Add("anniversary", e.anniversary.ToString())
                .Done();
          },
          [&](const FteCodeIssued& e) {
            return Fields(name)
                .Add("alias", e.alias)
                .Add("code_sha256", e.code_sha256)
                .Add("expires_at", e.expires_at.ToString())
                .Done();
          },
          [&](const ProfileChosen& e) {
            return Fields(name)
                .Add("employer_type", ToString(e.employer_type))
                .Add("employer_detail", e.employer_detail)
                .Add("track", ToString(e.track))
                .Done();
          },
          [&](const ExceptionFiled& e) {
            return Fields(name)
                .Add("classes", e.classes)
                .Add("course_name", e.course_name)
                .Add("course_date", e.course_date.ToString())
                .Add("students", e.students)
                .Add("organization", e.organization)
                .Add("manager_name", e.manager_name)
                .Add("manager_email", e.manager_email)
                .Done();
          },
          [&](const MtmSurveyRecorded& e) {
            return Fields(name)
                .Add("course_name", e.course_name)
                .Add("course_date", e.course_date.ToString())
                .Add("average_score", e.average_score)
                .Done();
          },
          [&](const MtmReportUploaded& e) {
            return Fields(name)
                .Add("media_type", e.media_type)
                .Add("size", e.size)
                .Add("sha256", e.sha256)
                .Add("mct_full_name", e.mct_full_name)
                .Add("course_name", e.course_name)
                .Add("course_date", e.course_date.ToString())
                .Done();
          },
          [&](const RequirementsConfirmed&) { return Fields(name).Done(); },
          [&](const TermsAccepted&) { return Fields(name).Done(); },
          [&](const VoucherApplied& e) {
            return Fields(name).Add("voucher_code", e.voucher_code).Done();
          },
          [&](const BillingAddressEntered& e) {
            return Fields(name)
                .Add("first_name", e.first_name)
                .Add("last_name", e.last_name)
                .Add("email", e.email)
                .Add("phone", e.phone)
                .Add("address1", e.address1)
                .Add("address2", e.address2)
                .Add("city", e.city)
                .Add("state", e.state)
                .Add("postal_code", e.postal_code)
                .Add("country", e.country)
                .Done();
          },
          [&](const PaymentPlaced& e) {
            return Fields(name)
                .Add("order_id", e.order_id)
                .Add("method", ToString(e.method))
                .Add("card_brand", ToString(e.card_brand))
                .Add("card_last4", e.card_last4)
                .Add("payer_name", e.payer_name)
                .Add("amount_minor", e.amount_minor)
                .Add("currency", e.currency)
                .Add("tax_minor", e.tax_minor)
                .Add("idempotency_key", e.idempotency_key)
                .Add("voucher_code", e.voucher_code)
                .Done();
          },
          [&](const RenewalCompleted& e) {
            return Fields(name)
                .Add("kind", ToString(e.kind))
                .Add("order_id", e.order_id)
                .Add("previous_anniversary", e.previous_anniversary.ToString())
                .Add("new_anniversary", e.new_anniversary.ToString())
                .Done();
          },
          [&](const WelcomeKitOrdered& e) {
            return Fields(name).Add("order_id", e.order_id).Done();
          },
          [&](const RefundIssued& e) {
            return Fields(name)
                .Add("order_id", e.order_id)
                .Add("amount_minor", e.amount_minor)
                .Add("reason", e.reason)
                .Done();
          },
          [&](const RefundSettled& e) { return Fields(name).Add("order_id", e.order_id).Done(); },
          [&](const AlumniApplied&) { return Fields(name).Done(); },
          [&](const AlumniSwitchedBack&) { return Fields(name).Done(); },
      },
      event);
}

inline std::string Render(const std::vector<Event>& events) {
  if (events.empty()) return "(none)";
  std::string out;
  for (const Event& event : events) {
    if (!out.empty()) out += "; ";
    out += Render(event);
  }
  return out;
}

// `rejected:<code>`, `retried`, or the events.
inline std::string Render(const Decision& decision) {
  if (decision.rejection) return "rejected:" + std::string(ToString(decision.rejection->code));
  if (decision.retried) return "retried";
  return Render(decision.events);
}

// The rejection code of `decision`, or "accepted".
inline std::string CodeOf(const Decision& decision) {
  if (!decision.rejection) return "accepted";
  return std::string(ToString(decision.rejection->code));
}

// The rejection message of `decision`, or "" when it was accepted.
inline std::string MessageOf(const Decision& decision) {
  return decision.rejection ? decision.rejection->message : std::string();
}

// Whether the rejection message of `decision` contains `text`.
inline bool Mentions(const Decision& decision, std::string_view text) {
  return MessageOf(decision).find(text) != std::string::npos;
}

// --- Command bodies used across the tests ------------------------------------------------------

inline ChooseProfile Profile(EmployerType type, std::string detail = "",
                             Track track = Track::kItPro, std::string fte_code = "") {
  ChooseProfile profile;
  profile.employer_type = type;
  profile.employer_detail = std::move(detail);
  profile.track = track;
  profile.fte_code = std::move(fte_code);
  return profile;
}

inline RecordMtmSurvey Survey(std::string_view course_date, double score = 8.5) {
  return RecordMtmSurvey{"20410D", On(course_date), score};
}

inline FileException Exception(std::string_view course_date) {
  return FileException{
      2, "20410D", On(course_date), 12, "Tokyo-Tech", "Taro Yamada", "taro@example.jp"};
}

inline std::string Hex64(char digit = 'a') { return std::string(64, digit); }

inline UploadMtmReport Report(std::string_view course_date = "2017-02-10",
                              std::string media_type = "application/pdf") {
  UploadMtmReport report;
  report.media_type = std::move(media_type);
  report.size = 2048;
  report.sha256 = Hex64();
  report.mct_full_name = "Hanako Sato";
  report.course_name = "20410D";
  report.course_date = On(course_date);
  return report;
}

inline AcceptTerms BothBoxes() { return AcceptTerms{true, true}; }

inline EnterBillingAddress Billing() {
  EnterBillingAddress billing;
  billing.first_name = "Hanako";
  billing.last_name = "Sato";
  billing.email = "hanako@example.jp";
  billing.email_confirmation = "hanako@example.jp";
  billing.phone = "+81-3-1234-5678";
  billing.address1 = "1-2-3 Shinjuku";
  billing.address2 = "Room 405";
  billing.city = "Shinjuku-ku";
  billing.state = "Tokyo";
  billing.postal_code = "160-0022";
  return billing;  // country stays the preselected JP
}

inline PlaceOrder CardOrder(std::string_view number = kVisa, std::string security_code = "123",
                            std::string expiry = "2030-12", std::string key = "order-1") {
  PlaceOrder order;
  order.method = "credit_card";
  order.card =
      CardDetails{"HANAKO SATO", std::string(number), std::move(expiry), std::move(security_code)};
  order.payer_name = "HANAKO SATO";
  order.confirmed = true;
  order.idempotency_key = std::move(key);
  return order;
}

inline PlaceOrder OtherOrder(std::string method, std::string key = "order-1") {
  PlaceOrder order;
  order.method = std::move(method);
  order.payer_name = "HANAKO SATO";
  order.confirmed = true;
  order.idempotency_key = std::move(key);
  return order;
}

inline IssueRefund Refund(std::string order_id = "", std::string reason = "customer request") {
  return IssueRefund{std::move(order_id), std::move(reason)};
}

// --- Given -------------------------------------------------------------------------------------

// A trainer's history, and the command under test decided against it.
class Given {
 public:
  explicit Given(std::string_view mcid = kMcid) : mcid_(mcid) {}

  // Folds `event` as recorded at `at` by `actor`.
  Given& Had(Event event, std::string_view at, Actor actor = SystemActor(),
             std::string command_id = "") {
    if (command_id.empty()) command_id = NextCommandId();
    RecordedEvent recorded{
        EventMeta{M(mcid_), At(at), std::move(actor), std::move(command_id), "", ""},
        std::move(event)};
    state_ = Evolve(std::move(state_), recorded);
    log_.push_back(std::move(recorded));
    return *this;
  }

  // Decides `body` and folds the events it causes, as the command handler does (including the
  // caller's part of PAY-2 and PAY-7: redeemed vouchers and the next order number). A rejection
  // fails the test: the history of a test must be one the domain accepts.
  Given& Did(CommandBody body, std::string_view at, Actor actor = {}, std::string command_id = "") {
    if (actor.id.empty()) actor = DefaultActor(body);
    if (command_id.empty()) command_id = NextCommandId();
    const std::string name(CommandName(body));
    const Command command = MakeCommand(std::move(body), at, actor, command_id);
    const Decision decision = Decide(policy, state_, facts, command);
    if (decision.rejection) {
      ADD_FAILURE() << "the history's " << name << " at " << at << " was rejected "
                    << ToString(decision.rejection->code) << ": " << decision.rejection->message;
      return *this;
    }
    for (const Event& event : decision.events) {
      if (const auto* payment = std::get_if<PaymentPlaced>(&event)) {
        facts.next_order_number += 1;
        if (!payment->voucher_code.empty()) facts.redeemed_vouchers.insert(payment->voucher_code);
      }
      Had(event, at, actor, command_id);
    }
    return *this;
  }

  // Decides `body` at `at` against the history so far; nothing is folded.
  Decision Decided(CommandBody body, std::string_view at, Actor actor = {},
                   std::string command_id = "when-1") const {
    if (actor.id.empty()) actor = DefaultActor(body);
    return Decide(policy, state_, facts, MakeCommand(std::move(body), at, actor, command_id));
  }

  // The same, rendered (see Render).
  std::string When(CommandBody body, std::string_view at, Actor actor = {},
                   std::string command_id = "when-1") const {
    return Render(Decided(std::move(body), at, std::move(actor), std::move(command_id)));
  }

  Command MakeCommand(CommandBody body, std::string_view at, Actor actor,
                      std::string command_id) const {
    Command command;
    command.mcid = M(mcid_);
    command.at = At(at);
    command.actor = std::move(actor);
    command.command_id = std::move(command_id);
    command.body = std::move(body);
    return command;
  }

  const TrainerState& state() const { return state_; }
  const std::vector<RecordedEvent>& log() const { return log_; }

  Policy policy;
  SharedFacts facts;

 private:
  // Who usually sends a command: the member site enrolls, certifies, issues codes, records
  // surveys and settles refunds; support refunds; the trainer does the rest.
  Actor DefaultActor(const CommandBody& body) const {
    if (std::holds_alternative<EnrollTrainer>(body) ||
        std::holds_alternative<RecordCertification>(body) ||
        std::holds_alternative<IssueFteCode>(body) ||
        std::holds_alternative<RecordMtmSurvey>(body) ||
        std::holds_alternative<SettleRefund>(body)) {
      return SystemActor();
    }
    if (std::holds_alternative<IssueRefund>(body)) return SupportActor();
    return TrainerActor(mcid_);
  }

  std::string NextCommandId() { return "cmd-" + std::to_string(++command_count_); }

  std::string mcid_;
  TrainerState state_;
  std::vector<RecordedEvent> log_;
  int command_count_ = 0;
};

// --- Histories used across the tests -----------------------------------------------------------

// Enrolled on 2016-05-01 with the anniversary `anniversary`, holding an IT Pro certification.
inline Given Enrolled(std::string_view anniversary = "2017-05-01") {
  Given given;
  given.Did(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On(anniversary)},
            "2016-05-01T00:00:00Z");
  given.Did(RecordCertification{"CERT-it_pro", Track::kItPro}, "2016-05-01T00:00:00Z");
  return given;
}

// A freelance renewal for 2017-05-01 started on 2017-03-01, at the requirements step.
inline Given AtRequirements() {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2017-03-01T09:05:00Z");
  return given;
}

// The same, requirements met and confirmed: at the terms step.
inline Given AtTerms() {
  Given given = AtRequirements();
  given.Did(Survey("2017-02-10"), "2017-03-01T09:06:00Z")
      .Did(ConfirmRequirements{}, "2017-03-01T09:07:00Z");
  return given;
}

// The same, terms accepted: at the payment step, no billing address yet.
inline Given AtPayment() {
  Given given = AtTerms();
  given.Did(BothBoxes(), "2017-03-01T09:08:00Z");
  return given;
}

// The same, billing address entered: the order can be placed.
inline Given ReadyToPay() {
  Given given = AtPayment();
  given.Did(Billing(), "2017-03-01T09:09:00Z");
  return given;
}

// The same, paid by Visa on 2017-03-01: order CT00000001, anniversary now 2018-05-01.
inline Given Renewed() {
  Given given = ReadyToPay();
  given.Did(CardOrder(), "2017-03-01T09:10:00Z");
  return given;
}

}  // namespace mct::domain::testing
