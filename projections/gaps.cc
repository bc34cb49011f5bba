#include "projections/gaps.h"

#include <algorithm>

namespace mct::projections {

std::vector<Gap> GapsAsOf(const domain::TrainerState& state, const domain::Date& today) {
  std::vector<Gap> gaps;
  for (const domain::Order& order : state.orders) {
    // A refunded order no longer counts (REF-2); a renewal leaves no gap (TIME-2).
    if (order.kind != domain::RenewalKind::kReinstatement || order.refund_issued_on) continue;
    if (order.previous_anniversary < order.completed_on) {
      gaps.push_back(Gap{order.previous_anniversary, order.completed_on});
    }
  }
  if (today >= state.anniversary) gaps.push_back(Gap{state.anniversary, std::nullopt});
  std::sort(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) { return a.from < b.from; });
  return gaps;
}

}  // namespace mct::projections
