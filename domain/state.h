// TrainerState: everything Decide needs to know about one trainer, folded from their stream by
// Evolve. It keeps facts, never a status: whether a trainer is lapsed depends on the day asked
// about, so projections/ computes status for an instant from these facts (architecture, Time).
//
// Lifecycle of one application (STEP-1):
//
//   StartRenewal ──► profile ──► requirements ──► terms ──► payment ──► PlaceOrder ──► (none)
//                      ▲             ▲              ▲          │
//                      └─────────────┴──────────────┴──────────┘ redoing an earlier step
//                                                               invalidates the later ones
//   ApplyAlumni abandons it (ALUM-1); a renewal-kind application dies when the anniversary
//   comes (TIME-3); a reinstatement never expires (REIN-1).
//
// A plain value: copy it freely; not synchronised.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/events.h"
#include "domain/values.h"

namespace mct::domain {

// The steps of the renewal tool, in order (STEP-1).
enum class Step : uint8_t { kProfile, kRequirements, kTerms, kPayment };
std::string_view ToString(Step step);

// An application (renewal or reinstatement) between RenewalStarted and its completion.
struct Application {
  RenewalKind kind = RenewalKind::kRenewal;
  Date anniversary;  // the deadline it is for; REQ-2/REQ-4's cycle ends here
  Date started_on;
  std::optional<ProfileChosen> profile;
  std::optional<ExceptionFiled> exception;
  bool report_uploaded = false;  // REQ-5: one upload per application, never replaced
  bool requirements_confirmed = false;
  bool terms_accepted = false;
  std::optional<std::string> voucher_code;
  std::optional<BillingAddressEntered> billing;

  // The step to do now: the first one not yet done.
  Step CurrentStep() const;
  // The first day of the cycle: the previous anniversary (REQ-2, REQ-4).
  Date CycleStart() const { return anniversary.AddYears(-1); }
};

// A completed order and what happened to it afterwards.
struct Order {
  std::string order_id;
  RenewalKind kind = RenewalKind::kRenewal;
  PaymentMethod method = PaymentMethod::kCreditCard;
  int64_t amount_minor = 0;
  std::string currency;  // the fee's currency when the order was paid: its refunds' too
  std::string idempotency_key;
  Date completed_on;
  Date previous_anniversary;
  Date new_anniversary;
  bool welcome_kit_ordered = false;
  std::optional<Date> refund_issued_on;
  bool refund_settled = false;
};

struct FteCode {
  std::string code_sha256;
  Instant expires_at;
};

struct TrainerState {
  bool enrolled = false;
  std::string name;
  std::string email;
  Date anniversary;      // the current deadline
  int64_t version = 0;   // events in the stream so far: the expected version of the next append
  Instant last_at;       // the latest `at` of the stream's events (a stream is in time order)
  std::set<Track> tracks_held;
  std::set<std::pair<std::string, Track>> certifications;  // (certification id, track) recorded
  std::vector<Date> survey_course_dates;  // MTM surveys and uploaded reports (REQ-2, REQ-5)
  std::map<std::string, FteCode> fte_codes;  // latest code per domain\alias (PROF-2)
  std::optional<Application> application;
  bool alumni = false;
  std::vector<Order> orders;                 // in completion order; back() is the latest
  // Of accepted commands (architecture invariant 5), each with the name of the command that
  // wrote its events (Event's kWrittenBy): a retry is the same command under the same id.
  std::map<std::string, std::string_view, std::less<>> command_ids;
  // PAY-8: the idempotency key of each placed order, and the command that placed it.
  std::map<std::string, std::string> idempotency_keys;

  // The latest completed order, or nullptr.
  const Order* LatestOrder() const { return orders.empty() ? nullptr : &orders.back(); }
  Order* FindOrder(const std::string& order_id);
  const Order* FindOrder(const std::string& order_id) const;
  // The application, unless it is a renewal whose deadline has come on `today` (TIME-3).
  const Application* LiveApplication(const Date& today) const;
};

// Applies one accepted event. Total: it cannot fail, and it ignores what it cannot use.
TrainerState Evolve(TrainerState state, const RecordedEvent& event);
// Evolve, changing `state` where it is: a fold over a long stream or a rebuild over the whole log
// need not move the state (its strings and containers) in and out for every event.
void EvolveInPlace(TrainerState& state, const RecordedEvent& event);

}  // namespace mct::domain
