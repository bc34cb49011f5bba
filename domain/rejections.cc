#include <array>

#include "domain/decide.h"

namespace mct::domain {
namespace {

// Indexed by RejectionCode; the strings are the stable wire codes of domain.md.
constexpr std::array<std::string_view, 39> kCodeNames = {
    "invalid_input",
    "unknown_trainer",
    "already_enrolled",
    "renewal_window_not_open",
    "renewal_window_closed",
    "reinstatement_not_yet_open",
    "renewal_in_progress",
    "no_renewal_in_progress",
    "step_out_of_order",
    "fte_code_invalid",
    "fte_code_expired",
    "employer_detail_required",
    "track_not_held",
    "iw_not_selectable",
    "exception_not_available",
    "exception_required",
    "class_outside_period",
    "mtm_survey_required",
    "report_already_uploaded",
    "unsupported_media_type",
    "report_incomplete",
    "terms_not_accepted",
    "email_mismatch",
    "payment_method_not_accepted",
    "card_brand_not_accepted",
    "card_invalid",
    "cardholder_must_match_payer",
    "order_not_confirmed",
    "voucher_already_redeemed",
    "welcome_kit_not_yet_available",
    "welcome_kit_already_ordered",
    "no_refund_pending",
    "refund_not_allowed",
    "already_refunded",
    "reapplication_blocked",
    "already_alumni",
    "not_alumni",
    "forbidden",
    "version_conflict",
};
static_assert(kCodeNames.size() == static_cast<size_t>(RejectionCode::kVersionConflict) + 1);

}  // namespace

std::string_view ToString(RejectionCode code) { return kCodeNames.at(static_cast<size_t>(code)); }

std::optional<RejectionCode> ParseRejectionCode(std::string_view text) {
  for (size_t index = 0; index < kCodeNames.size(); ++index) {
    if (kCodeNames[index] == text) return static_cast<RejectionCode>(index);
  }
  return std::nullopt;
}

const std::vector<RejectionCode>& AllRejectionCodes() {
  static const std::vector<RejectionCode> codes = [] {
    std::vector<RejectionCode> out;
    for (size_t index = 0; index < kCodeNames.size(); ++index) {
      out.push_back(static_cast<RejectionCode>(index));
    }
    return out;
  }();
  return codes;
}

Decision Decision::Accept(std::vector<Event> events) {
  Decision decision;
  decision.events = std::move(events);
  return decision;
}

Decision Decision::Retried() {
  Decision decision;
  decision.retried = true;
  return decision;
}

Decision Decision::Reject(RejectionCode code, std::string message) {
  Decision decision;
  decision.rejection = Rejection{code, std::move(message)};
  return decision;
}

}  // namespace mct::domain
