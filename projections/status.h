// The status of one trainer as of an instant (domain.md, Projections): what the renewal tool and
// support show, computed from the trainer's folded facts and the day asked about. Status is never
// stored: "lapsed" becomes true at midnight without any event, so it is computed per query.
//
//            today < anniversary − 90         anniversary − 90 ≤ today
//   active ───────────────────────► renewal_open ─────────┐
//     ▲                                   │ StartRenewal   │ today ≥ anniversary
//     │ RenewalCompleted                  ▼                ▼
//     └──────────────────────── renewal_in_progress     lapsed ── StartRenewal (≥ +7 days) ──┐
//                                         ▲                                                 │
//                                         └─────────────────────────────────────────────────┘
//   alumni overrides all of them until switched back (ALUM-1, ALUM-2).
//
// Pure functions over values; safe from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"
#include "domain/state.h"
#include "domain/values.h"

namespace mct::projections {

enum class StatusKind : uint8_t { kActive, kRenewalOpen, kRenewalInProgress, kLapsed, kAlumni };
std::string_view ToString(StatusKind kind);

struct TrainerStatus {
  StatusKind status = StatusKind::kActive;
  std::optional<domain::Step> step;             // the step to do now, while in progress
  std::optional<domain::RenewalKind> application_kind;  // renewal or reinstatement in progress
  domain::Date anniversary;                     // the current deadline (TIME-4)
  int days_left = 0;                            // anniversary − today; negative once passed
  domain::Date window_opens;                    // anniversary − 90 days (TIME-1)
  std::optional<domain::Date> reinstatement_opens;  // anniversary + 7 days, when lapsed (REIN-1)
  std::optional<std::string> last_order;        // the latest completed order id
};

// The status of an enrolled trainer on `today`, from the facts of their stream.
TrainerStatus ComputeStatus(const domain::TrainerState& state, const domain::Date& today);

// Folds `stream` (one trainer's events in stream order), keeping only events at or before
// `as_of` (AUDIT-2: the state at any past instant). `event_of` gives each item's event, so a
// stream read from the log folds without copying its events out of their envelopes.
template <typename Stream, typename EventOf = std::identity>
domain::TrainerState FoldAsOf(const Stream& stream, const domain::Instant& as_of,
                              EventOf event_of = {}) {
  domain::TrainerState state;
  for (const auto& item : stream) {
    const domain::RecordedEvent& event = event_of(item);
    if (event.meta.at <= as_of) domain::EvolveInPlace(state, event);
  }
  return state;
}

}  // namespace mct::projections
