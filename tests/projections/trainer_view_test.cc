// The report's counters (domain.md, Projections: revenue, refunds and net per month): what one
// trainer's events add to which month.
#include "projections/trainer_view.h"

#include <gtest/gtest.h>

#include <map>

namespace mct::projections {
namespace {

using domain::Date;
using domain::Instant;

domain::RecordedEvent Recorded(const char* at, domain::Event event) {
  domain::EventMeta meta;
  meta.mcid = *domain::Mcid::Parse("1000001");
  meta.at = *Instant::Parse(at);
  meta.actor = {domain::Role::kSupport, "s-1"};
  return {meta, std::move(event)};
}

domain::PaymentPlaced Paid(const char* order_id, int64_t amount, const char* currency) {
  domain::PaymentPlaced paid;
  paid.order_id = order_id;
  paid.amount_minor = amount;
  paid.currency = currency;
  paid.idempotency_key = std::string("key-") + order_id;
  return paid;
}

// Every counter the stream adds, summed by "month counter".
std::map<std::string, int64_t> CountersOf(const std::vector<domain::RecordedEvent>& stream) {
  TrainerView view;
  std::vector<CounterDelta> deltas;
  for (const auto& event : stream) ApplyToView(view, event, &deltas);
  std::map<std::string, int64_t> sums;
  for (const auto& delta : deltas) sums[delta.month + " " + delta.name] += delta.delta;
  return sums;
}

std::vector<domain::RecordedEvent> EnrolledAndPaidInUsd() {
  return {
      Recorded("2016-05-01T00:00:00Z",
               domain::TrainerEnrolled{"Hanako Sato", "h@example.jp", *Date::Parse("2017-05-01")}),
      Recorded("2017-03-10T09:00:00Z", Paid("o-1", 40000, "USD")),
      Recorded("2017-03-10T09:00:00Z",
               domain::RenewalCompleted{domain::RenewalKind::kRenewal, "o-1",
                                        *Date::Parse("2017-05-01"), *Date::Parse("2018-05-01")})};
}

// The counters of EnrolledAndPaidInUsd() and a refund of 15000 of `order_id` on 2017-04-02.
std::map<std::string, int64_t> CountersAfterARefundOf(const char* order_id) {
  auto stream = EnrolledAndPaidInUsd();
  stream.push_back(
      Recorded("2017-04-02T10:00:00Z", domain::RefundIssued{order_id, 15000, "customer request"}));
  return CountersOf(stream);
}

TEST(ReportCounters, RevenueIsCountedInTheOrdersCurrency) {
  const auto counters = CountersOf(EnrolledAndPaidInUsd());
  EXPECT_EQ(counters.at("2017-03 revenue_minor.USD"), 40000);
  EXPECT_EQ(counters.at("2017-03 completed.renewal"), 1);
}

// A refund issued after the fee's currency changed still belongs to the order it refunds: it
// lowers that currency's net, not the month's configured one.
TEST(ReportCounters, ARefundIsCountedInItsOrdersCurrencyInTheMonthItWasIssued) {
  const auto counters = CountersAfterARefundOf("o-1");
  EXPECT_EQ(counters.at("2017-04 refunds_minor.USD"), 15000);
  EXPECT_EQ(counters.at("2017-04 refunds.count"), 1);
  EXPECT_EQ(counters.count("2017-04 refunds_minor.EUR"), 0U);
  EXPECT_EQ(counters.count("2017-04 refunds_minor"), 0U);
  EXPECT_EQ(counters.count("2017-03 refunds_minor.USD"), 0U);
}

// A refund of an order the stream never paid (an imported log may hold one) is counted, in a
// currency no ISO code can be.
TEST(ReportCounters, ARefundOfAnOrderNeverPaidIsCountedAsOfAnUnknownCurrency) {
  const auto counters = CountersAfterARefundOf("o-9");
  EXPECT_EQ(counters.at("2017-04 refunds_minor.unknown"), 15000);
  EXPECT_EQ(counters.count("2017-04 refunds_minor.USD"), 0U);
}

// An order whose currency is not known (read from a view of the format before orders kept it):
// its refund is counted under "unknown", never as "refunds_minor." alone.
TEST(ReportCounters, ARefundOfAnOrderOfUnknownCurrencyIsCountedAsSuch) {
  TrainerView view;
  std::vector<CounterDelta> deltas;
  for (const auto& event : EnrolledAndPaidInUsd()) ApplyToView(view, event, &deltas);
  view.state.orders.at(0).currency.clear();
  deltas.clear();
  ApplyToView(
      view,
      Recorded("2017-04-02T10:00:00Z", domain::RefundIssued{"o-1", 15000, "customer request"}),
      &deltas);
  ASSERT_EQ(deltas.size(), 2U);
  EXPECT_EQ(deltas[0].name, "refunds_minor.unknown");
  EXPECT_EQ(deltas[0].delta, 15000);
  EXPECT_EQ(deltas[1].name, "refunds.count");
}

}  // namespace
}  // namespace mct::projections
