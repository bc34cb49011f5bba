#include "domain/state.h"

#include <algorithm>
#include <type_traits>

#include "domain/hex.h"
#include "domain/overloaded.h"

namespace mct::domain {
namespace {

// STEP-1: redoing a step invalidates everything after it.
void InvalidateAfterRequirements(Application& app) {
  app.terms_accepted = false;
  app.voucher_code.reset();
  app.billing.reset();
}

void InvalidateFromRequirements(Application& app) {
  app.requirements_confirmed = false;
  InvalidateAfterRequirements(app);
}

}  // namespace

std::string_view ToString(Step step) {
  switch (step) {
    case Step::kProfile:
      return "profile";
    case Step::kRequirements:
      return "requirements";
    case Step::kTerms:
      return "terms";
    case Step::kPayment:
      return "payment";
  }
  return "profile";
}

Step Application::CurrentStep() const {
  if (!profile) return Step::kProfile;
  if (!requirements_confirmed) return Step::kRequirements;
  if (!terms_accepted) return Step::kTerms;
  return Step::kPayment;
}

Order* TrainerState::FindOrder(const std::string& order_id) {
  for (auto& order : orders) {
    if (order.order_id == order_id) return &order;
  }
  return nullptr;
}

const Order* TrainerState::FindOrder(const std::string& order_id) const {
  return const_cast<TrainerState*>(this)->FindOrder(order_id);
}

const Application* TrainerState::LiveApplication(const Date& today) const {
  if (!application) return nullptr;
  // TIME-3: a renewal cannot finish once its deadline has come; a reinstatement has none.
  if (application->kind == RenewalKind::kRenewal && today >= application->anniversary) {
    return nullptr;
  }
  return &*application;
}

TrainerState Evolve(TrainerState state, const RecordedEvent& recorded) {
  EvolveInPlace(state, recorded);
  return state;
}

void EvolveInPlace(TrainerState& state, const RecordedEvent& recorded) {
  state.version += 1;
  state.last_at = std::max(state.last_at, recorded.meta.at);
  if (!recorded.meta.command_id.empty()) {
    state.command_ids.emplace(recorded.meta.command_id, CommandWriting(recorded.payload));
  }
  const Date today = recorded.meta.at.date();
  // Steps of an application only touch it when there is one; a stray event changes nothing.
  auto with_app = [&state](auto&& change) {
    if (state.application) change(*state.application);
  };

  std::visit(
      Overloaded{
          [&](const TrainerEnrolled& e) {
            state.enrolled = true;
            state.name = e.name;
            state.email = e.email;
            state.anniversary = e.anniversary;
          },
          [&](const CertificationRecorded& e) {
            state.tracks_held.insert(e.track);
            state.certifications.emplace(e.certification_id, e.track);
          },
          [&](const RenewalStarted& e) {
            Application app;
            app.kind = e.kind;
            app.anniversary = e.anniversary;
            app.started_on = today;
            state.application = std::move(app);
          },
          [&](const FteCodeIssued& e) {
            // The digest kept in lower-case hex, as Sha256Hex writes it: one given as an event
            // may be written in upper case.
            state.fte_codes[e.alias] = FteCode{AsciiLowercase(e.code_sha256), e.expires_at};
          },
          [&](const ProfileChosen& e) {
            with_app([&](Application& app) {
              app.profile = e;
              app.exception.reset();
              InvalidateFromRequirements(app);
            });
          },
          [&](const ExceptionFiled& e) {
            with_app([&](Application& app) {
              app.exception = e;
              InvalidateFromRequirements(app);
            });
          },
          [&](const MtmSurveyRecorded& e) { state.survey_course_dates.push_back(e.course_date); },
          [&](const MtmReportUploaded& e) {
            state.survey_course_dates.push_back(e.course_date);
            with_app([&](Application& app) {
              app.report_uploaded = true;
              InvalidateFromRequirements(app);
            });
          },
          [&](const RequirementsConfirmed&) {
            with_app([&](Application& app) {
              app.requirements_confirmed = true;
              InvalidateAfterRequirements(app);
            });
          },
          [&](const TermsAccepted&) {
            with_app([&](Application& app) {
              app.terms_accepted = true;
              app.voucher_code.reset();
              app.billing.reset();
            });
          },
          [&](const VoucherApplied& e) {
            with_app([&](Application& app) { app.voucher_code = e.voucher_code; });
          },
          [&](const BillingAddressEntered& e) {
            with_app([&](Application& app) { app.billing = e; });
          },
          [&](const PaymentPlaced& e) {
            state.idempotency_keys.emplace(e.idempotency_key, recorded.meta.command_id);
            Order order;
            order.order_id = e.order_id;
            order.method = e.method;
            order.amount_minor = e.amount_minor;
            order.currency = e.currency;
            order.idempotency_key = e.idempotency_key;
            order.completed_on = today;
            state.orders.push_back(std::move(order));
          },
          [&](const RenewalCompleted& e) {
            Order* order = state.FindOrder(e.order_id);
            if (order != nullptr) {
              order->kind = e.kind;
              order->completed_on = today;
              order->previous_anniversary = e.previous_anniversary;
              order->new_anniversary = e.new_anniversary;
            }
            state.anniversary = e.new_anniversary;
            state.application.reset();
          },
          [&](const WelcomeKitOrdered& e) {
            if (Order* order = state.FindOrder(e.order_id)) order->welcome_kit_ordered = true;
          },
          [&](const RefundIssued& e) {
            if (Order* order = state.FindOrder(e.order_id)) {
              order->refund_issued_on = today;
              // REF-2: the refund undoes the renewal it paid for. An application under way is
              // for the deadline now in force: a renewal whose restored deadline has passed can no
              // longer finish (TIME-3), and a reinstatement's gap runs from that deadline (REIN-5).
              state.anniversary = order->previous_anniversary;
              if (state.application) state.application->anniversary = state.anniversary;
            }
          },
          [&](const RefundSettled& e) {
            if (Order* order = state.FindOrder(e.order_id)) order->refund_settled = true;
          },
          [&](const AlumniApplied&) {
            state.alumni = true;
            state.application.reset();  // ALUM-1: any renewal in progress is abandoned
          },
          [&](const AlumniSwitchedBack&) { state.alumni = false; },
      },
      recorded.payload);
}

}  // namespace mct::domain
