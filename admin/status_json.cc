#include "admin/status_json.h"

namespace mct::admin {

nlohmann::ordered_json StatusToJson(const domain::Mcid& mcid, const domain::Instant& as_of,
                                    const projections::TrainerStatus& status) {
  nlohmann::ordered_json out;
  out["mcid"] = mcid.str();
  out["as_of"] = as_of.ToString();
  out["status"] = projections::ToString(status.status);
  out["step"] = status.step ? nlohmann::ordered_json(domain::ToString(*status.step)) : nullptr;
  out["kind"] = status.application_kind
                    ? nlohmann::ordered_json(domain::ToString(*status.application_kind))
                    : nullptr;
  out["anniversary"] = status.anniversary.ToString();
  out["days_left"] = status.days_left;
  out["window_opens"] = status.window_opens.ToString();
  out["reinstatement_opens"] = status.reinstatement_opens
                                   ? nlohmann::ordered_json(status.reinstatement_opens->ToString())
                                   : nullptr;
  out["last_order"] = status.last_order ? nlohmann::ordered_json(*status.last_order) : nullptr;
  return out;
}

nlohmann::ordered_json GapsToJson(const std::vector<projections::Gap>& gaps) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& gap : gaps) {
    out.push_back({{"from", gap.from.ToString()},
                   {"to", gap.to ? nlohmann::ordered_json(gap.to->ToString()) : nullptr}});
  }
  return out;
}

}  // namespace mct::admin
