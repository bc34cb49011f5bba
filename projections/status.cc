#include "projections/status.h"

namespace mct::projections {

std::string_view ToString(StatusKind kind) {
  switch (kind) {
    case StatusKind::kActive:
      return "active";
    case StatusKind::kRenewalOpen:
      return "renewal_open";
    case StatusKind::kRenewalInProgress:
      return "renewal_in_progress";
    case StatusKind::kLapsed:
      return "lapsed";
    case StatusKind::kAlumni:
      return "alumni";
  }
  return "active";
}

TrainerStatus ComputeStatus(const domain::TrainerState& state, const domain::Date& today) {
  TrainerStatus out;
  out.anniversary = state.anniversary;
  out.days_left = state.anniversary.DaysSince(today);
  out.window_opens = state.anniversary.AddDays(-90);
  if (const domain::Order* order = state.LatestOrder()) out.last_order = order->order_id;

  if (state.alumni) {
    out.status = StatusKind::kAlumni;
  } else if (const domain::Application* app = state.LiveApplication(today)) {
    out.status = StatusKind::kRenewalInProgress;  // REIN-2: reinstatements too
    out.step = app->CurrentStep();
    out.application_kind = app->kind;
  } else if (today >= state.anniversary) {  // TIME-3
    out.status = StatusKind::kLapsed;
  } else if (today >= out.window_opens) {  // TIME-1
    out.status = StatusKind::kRenewalOpen;
  } else {
    out.status = StatusKind::kActive;
  }
  // domain.md: reinstatement_opens is shown when lapsed; an application under way or an alumni
  // application has nothing to wait for.
  if (out.status == StatusKind::kLapsed) out.reinstatement_opens = state.anniversary.AddDays(7);
  return out;
}

}  // namespace mct::projections
