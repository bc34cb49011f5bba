// Transcript gaps (REIN-5): the spans `[from, to)` in which a trainer was not a member. A
// reinstatement closes the gap from the old anniversary to its completion date; while the
// anniversary has come without a renewal, an open gap (no end yet) runs from it. A refund undoes
// the renewal it paid for (REF-2), so a refunded reinstatement's gap opens again.
//
// Pure functions over values; safe from any thread.
#pragma once

#include <optional>
#include <vector>

#include "domain/state.h"
#include "domain/values.h"

namespace mct::projections {

struct Gap {
  domain::Date from;
  std::optional<domain::Date> to;  // nullopt: still open
  bool operator==(const Gap&) const = default;
};

// The closed gaps: one per reinstatement that was not refunded, oldest first.
std::vector<Gap> ClosedGaps(const domain::TrainerState& state);

// `closed` plus the open gap from `anniversary` when it has come on `today`, oldest first.
std::vector<Gap> WithOpenGap(std::vector<Gap> closed, const domain::Date& anniversary,
                             const domain::Date& today);

// The gaps of a trainer on `today`.
std::vector<Gap> GapsAsOf(const domain::TrainerState& state, const domain::Date& today);

}  // namespace mct::projections
