#include "projections/gaps.h"

#include <algorithm>

namespace mct::projections {

std::vector<Gap> ClosedGaps(const domain::TrainerState& state) {
  std::vector<Gap> gaps;
  for (const domain::Order& order : state.orders) {
    // A refunded order no longer counts (REF-2); a renewal leaves no gap (TIME-2).
    if (order.kind != domain::RenewalKind::kReinstatement || order.refund_issued_on) continue;
    if (order.previous_anniversary < order.completed_on) {
      gaps.push_back(Gap{order.previous_anniversary, order.completed_on});
    }
  }
  std::sort(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) { return a.from < b.from; });
  return gaps;
}

std::vector<Gap> WithOpenGap(std::vector<Gap> closed, const domain::Date& anniversary,
                             const domain::Date& today) {
  if (today >= anniversary) closed.push_back(Gap{anniversary, std::nullopt});
  std::sort(closed.begin(), closed.end(), [](const Gap& a, const Gap& b) { return a.from < b.from; });
  return closed;
}

std::vector<Gap> GapsAsOf(const domain::TrainerState& state, const domain::Date& today) {
  // No enrolment, no membership to have gaps in (its anniversary would be the epoch's).
  if (!state.enrolled) return {};
  return WithOpenGap(ClosedGaps(state), state.anniversary, today);
}

}  // namespace mct::projections
