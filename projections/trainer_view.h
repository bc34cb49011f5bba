// TrainerView: what the read models keep of one trainer, folded event by event. It is the domain's
// own fold (Evolve) pruned of what only Decide needs (command ids, idempotency keys, FTE code
// hashes), plus the funnel progress of the current application for the reports. Status, gaps and
// the anniversary index are all answered from it.
//
// Pure; a plain value, not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/events.h"
#include "domain/state.h"

namespace mct::projections {

// The funnel stages an application can reach (domain.md, Projections: reports).
enum class FunnelStage : uint8_t {
  kStarted,       // RenewalStarted
  kProfile,       // ProfileChosen
  kRequirements,  // RequirementsConfirmed
  kTerms,         // TermsAccepted
  kPayment,       // the payment step's forms reached: VoucherApplied or BillingAddressEntered
  kCompleted,     // RenewalCompleted
};
std::string_view ToString(FunnelStage stage);

struct TrainerView {
  domain::TrainerState state;  // pruned of what only Decide reads (ids, keys, codes, surveys)
  std::string funnel_month;    // YYYY-MM the current application started in; empty if none
  uint8_t funnel_reached = 0;  // bit per FunnelStage already counted for that application
  bool operator==(const TrainerView&) const = default;
};

// One counter of a monthly report changed by an event: `month` YYYY-MM, `name` such as
// "completed.renewal" or "revenue_minor.USD".
struct CounterDelta {
  std::string month;
  std::string name;
  int64_t delta = 0;
};

// The currency money is counted in when it is not known ("refunds_minor.unknown"): a refund of
// an order the stream never paid, or of one read from a view of the format before orders kept
// their currency. Never an ISO 4217 code, which is three capital letters.
inline constexpr std::string_view kUnknownCurrency = "unknown";

// Applies `event` to `view` and appends the report counters it changes to `report`.
void ApplyToView(TrainerView& view, const domain::RecordedEvent& event,
                 std::vector<CounterDelta>* report);

// The calendar month (UTC) of an instant, `YYYY-MM`.
std::string MonthOf(const domain::Instant& at);

}  // namespace mct::projections
