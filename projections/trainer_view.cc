#include "projections/trainer_view.h"
#include "domain/overloaded.h"

#include <chrono>
#include <type_traits>

namespace mct::projections {
namespace {

class ReportWriter {
 public:
  ReportWriter(std::string month, std::vector<CounterDelta>* out)
      : month_(std::move(month)), out_(out) {}
  void Add(std::string name, int64_t delta = 1) const {
    if (out_ != nullptr) out_->push_back({month_, std::move(name), delta});
  }

 private:
  std::string month_;
  std::vector<CounterDelta>* out_;
};

std::string CurrencyOrUnknown(const std::string& currency) {
  return currency.empty() ? std::string(kUnknownCurrency) : currency;
}

// Counts `stage` once per application, in the month the application started.
void Reach(TrainerView& view, FunnelStage stage, std::vector<CounterDelta>* report) {
  const auto bit = static_cast<uint8_t>(1U << static_cast<unsigned>(stage));
  if (view.funnel_month.empty() || (view.funnel_reached & bit) != 0) return;
  view.funnel_reached |= bit;
  ReportWriter(view.funnel_month, report).Add("funnel." + std::string(ToString(stage)));
}

}  // namespace

std::string_view ToString(FunnelStage stage) {
  switch (stage) {
    case FunnelStage::kStarted:
      return "started";
    case FunnelStage::kProfile:
      return "profile";
    case FunnelStage::kRequirements:
      return "requirements";
    case FunnelStage::kTerms:
      return "terms";
    case FunnelStage::kPayment:
      return "payment";
    case FunnelStage::kCompleted:
      return "completed";
  }
  return "started";
}

std::string MonthOf(const domain::Instant& at) {
  // Runs for every event of a rebuild: arithmetic, not a formatted stream.
  const std::chrono::year_month_day ymd{at.date().days()};
  const int year = static_cast<int>(ymd.year());
  const unsigned month = static_cast<unsigned>(ymd.month());
  std::string out = std::to_string(year);
  out.push_back('-');
  out.push_back(static_cast<char>('0' + month / 10));
  out.push_back(static_cast<char>('0' + month % 10));
  return out;
}

void ApplyToView(TrainerView& view, const domain::RecordedEvent& event,
                 std::vector<CounterDelta>* report) {
  const ReportWriter month(MonthOf(event.meta.at), report);
  // What the report needs from before the event: the profile and payment of the application.
  const domain::TrainerState& before = view.state;
  std::visit(
      Overloaded{
          [&](const domain::RenewalStarted&) {
            view.funnel_month = MonthOf(event.meta.at);
            view.funnel_reached = 0;
          },
          [&](const domain::ExceptionFiled&) { month.Add("exceptions_filed"); },
          [&](const domain::MtmReportUploaded&) { month.Add("uploads"); },
          [&](const domain::PaymentPlaced& e) {
            month.Add("revenue_minor." + CurrencyOrUnknown(e.currency), e.amount_minor);
            month.Add("orders.by_method." + std::string(domain::ToString(e.method)));
          },
          [&](const domain::RenewalCompleted& e) {
            const std::string kind(domain::ToString(e.kind));
            month.Add("completed." + kind);
            if (before.application && before.application->profile) {
              const auto& profile = *before.application->profile;
              month.Add("completed." + kind + ".by_employer." +
                        std::string(domain::ToString(profile.employer_type)));
              month.Add("completed." + kind + ".by_track." +
                        std::string(domain::ToString(profile.track)));
            }
            for (const auto& order : before.orders) {
              if (order.order_id == e.order_id) {
                month.Add("completed." + kind + ".by_method." +
                          std::string(domain::ToString(order.method)));
              }
            }
          },
          [&](const domain::RefundIssued& e) {
            // In the refunded order's currency: a refund of a USD order is no EUR month's loss. An
            // order the stream never paid (an imported log may hold such a refund) has none, nor
            // has one read from a view stored before orders kept it (view_codec.h, format 1).
            const domain::Order* order = before.FindOrder(e.order_id);
            month.Add("refunds_minor." + CurrencyOrUnknown(order != nullptr ? order->currency : ""),
                      e.amount_minor);
            month.Add("refunds.count");
          },
          [&](const domain::AlumniApplied&) { month.Add("alumni_applied"); },
          [&](const domain::AlumniSwitchedBack&) { month.Add("alumni_switched_back"); },
          [&](const auto&) {},
      },
      event.payload);

  domain::EvolveInPlace(view.state, event);
  // Only Decide needs these; the read model stays small without them.
  view.state.command_ids.clear();
  view.state.idempotency_keys.clear();
  view.state.fte_codes.clear();
  view.state.survey_course_dates.clear();
  view.state.certifications.clear();

  std::visit(Overloaded{
                 [&](const domain::RenewalStarted&) { Reach(view, FunnelStage::kStarted, report); },
                 [&](const domain::ProfileChosen&) { Reach(view, FunnelStage::kProfile, report); },
                 [&](const domain::RequirementsConfirmed&) {
                   Reach(view, FunnelStage::kRequirements, report);
                 },
                 [&](const domain::TermsAccepted&) { Reach(view, FunnelStage::kTerms, report); },
                 [&](const domain::VoucherApplied&) { Reach(view, FunnelStage::kPayment, report); },
                 [&](const domain::BillingAddressEntered&) {
                   Reach(view, FunnelStage::kPayment, report);
                 },
                 [&](const domain::RenewalCompleted&) {
                   Reach(view, FunnelStage::kCompleted, report);
                   view.funnel_month.clear();
                 },
                 [&](const domain::AlumniApplied&) { view.funnel_month.clear(); },
                 [&](const auto&) {},
             },
             event.payload);
}

}  // namespace mct::projections
