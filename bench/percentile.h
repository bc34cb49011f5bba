// The percentile both benchmark drivers report: the sample at `fraction` of the sorted samples
// (nearest rank, the largest for 1.0), 0 for none.
#pragma once

#include <algorithm>
#include <vector>

namespace mct::bench {

inline double PercentileOfSorted(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<size_t>(fraction * static_cast<double>(sorted.size()));
  return sorted[std::min(sorted.size() - 1, index)];
}

}  // namespace mct::bench
