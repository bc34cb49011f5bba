// JSON renderings of the projections, shared by mctctl, the scenario runner and the server:
// one place decides the field names (domain.md, Projections).
//
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "domain/values.h"
#include "projections/gaps.h"
#include "projections/status.h"

namespace mct::admin {

// {"mcid", "as_of", "status", "step", "kind", "anniversary", "days_left", "window_opens",
//  "reinstatement_opens", "last_order"}; absent values are null.
nlohmann::ordered_json StatusToJson(const domain::Mcid& mcid, const domain::Instant& as_of,
                                    const projections::TrainerStatus& status);

// [{"from": date, "to": date or null}, ...]
nlohmann::ordered_json GapsToJson(const std::vector<projections::Gap>& gaps);

}  // namespace mct::admin
