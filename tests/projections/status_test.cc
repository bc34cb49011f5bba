// Status as of an instant (domain.md, Projections; TIME-1, TIME-3, TIME-4, REIN-1, REIN-2,
// ALUM-1, AUDIT-2): computed from facts for the day asked about, never stored.
#include "projections/status.h"

#include <gtest/gtest.h>

namespace mct::projections {
namespace {

using domain::Date;
using domain::Instant;
using domain::RecordedEvent;

Date D(const char* text) { return *Date::Parse(text); }
Instant At(const char* text) { return *Instant::Parse(text); }

RecordedEvent Recorded(const char* at, domain::Event event) {
  domain::EventMeta meta;
  meta.mcid = *domain::Mcid::Parse("1000001");
  meta.at = At(at);
  meta.actor = {domain::Role::kTrainer, "1000001"};
  return {meta, std::move(event)};
}

std::vector<RecordedEvent> Enrolled() {
  return {Recorded("2016-05-01T00:00:00Z",
                   domain::TrainerEnrolled{"Hanako Sato", "h@example.jp", D("2017-05-01")})};
}

TrainerStatus StatusOn(const std::vector<RecordedEvent>& stream, const char* instant) {
  const Instant as_of = At(instant);
  return ComputeStatus(FoldAsOf(stream, as_of), as_of.date());
}

TEST(StatusTime1, ActiveTheDayBeforeTheWindowOpens) {
  const TrainerStatus status = StatusOn(Enrolled(), "2017-01-30T23:59:59Z");
  EXPECT_EQ(status.status, StatusKind::kActive);
  EXPECT_EQ(status.window_opens, D("2017-01-31"));
  EXPECT_EQ(status.days_left, 91);
  EXPECT_FALSE(status.reinstatement_opens.has_value());
}

TEST(StatusTime1, RenewalOpenFromNinetyDaysBefore) {
  const TrainerStatus status = StatusOn(Enrolled(), "2017-01-31T00:00:00Z");
  EXPECT_EQ(status.status, StatusKind::kRenewalOpen);
  EXPECT_EQ(status.days_left, 90);
}

TEST(StatusTime4, DaysLeftCountsToTheAnniversary) {
  EXPECT_EQ(StatusOn(Enrolled(), "2017-04-30T12:00:00Z").days_left, 1);
  EXPECT_EQ(StatusOn(Enrolled(), "2017-05-01T00:00:00Z").days_left, 0);
}

TEST(StatusTime3, LapsedOnTheAnniversaryWithTheReinstatementDate) {
  const TrainerStatus status = StatusOn(Enrolled(), "2017-05-01T00:00:00Z");
  EXPECT_EQ(status.status, StatusKind::kLapsed);
  ASSERT_TRUE(status.reinstatement_opens.has_value());
  EXPECT_EQ(*status.reinstatement_opens, D("2017-05-08"));
}

TEST(StatusRein2, InProgressShowsTheStep) {
  auto stream = Enrolled();
  stream.push_back(Recorded("2017-03-01T09:00:00Z",
                            domain::RenewalStarted{domain::RenewalKind::kRenewal, D("2017-05-01")}));
  const TrainerStatus status = StatusOn(stream, "2017-03-01T09:00:01Z");
  EXPECT_EQ(status.status, StatusKind::kRenewalInProgress);
  ASSERT_TRUE(status.step.has_value());
  EXPECT_EQ(*status.step, domain::Step::kProfile);
  EXPECT_EQ(*status.application_kind, domain::RenewalKind::kRenewal);
}

TEST(StatusTime3, UnfinishedRenewalLapsesAtTheDeadline) {
  auto stream = Enrolled();
  stream.push_back(Recorded("2017-04-25T09:00:00Z",
                            domain::RenewalStarted{domain::RenewalKind::kRenewal, D("2017-05-01")}));
  EXPECT_EQ(StatusOn(stream, "2017-04-30T23:59:59Z").status, StatusKind::kRenewalInProgress);
  EXPECT_EQ(StatusOn(stream, "2017-05-01T00:00:00Z").status, StatusKind::kLapsed);
}

TEST(StatusRein2, ReinstatementInProgressNeverExpires) {
  auto stream = Enrolled();
  stream.push_back(Recorded("2017-06-01T09:00:00Z", domain::RenewalStarted{
                                                        domain::RenewalKind::kReinstatement,
                                                        D("2017-05-01")}));
  const TrainerStatus status = StatusOn(stream, "2019-06-01T00:00:00Z");
  EXPECT_EQ(status.status, StatusKind::kRenewalInProgress);
  EXPECT_EQ(*status.application_kind, domain::RenewalKind::kReinstatement);
}

TEST(StatusAlum1, AlumniOverridesEverything) {
  auto stream = Enrolled();
  stream.push_back(Recorded("2017-03-01T09:00:00Z", domain::AlumniApplied{}));
  EXPECT_EQ(StatusOn(stream, "2017-03-01T09:00:00Z").status, StatusKind::kAlumni);
  stream.push_back(Recorded("2017-06-01T09:00:00Z", domain::AlumniSwitchedBack{}));
  EXPECT_EQ(StatusOn(stream, "2017-06-01T09:00:00Z").status, StatusKind::kLapsed);
}

TEST(StatusAudit2, AsOfIgnoresLaterEvents) {
  auto stream = Enrolled();
  stream.push_back(Recorded("2017-03-01T09:00:00Z", domain::AlumniApplied{}));
  EXPECT_EQ(StatusOn(stream, "2017-02-28T00:00:00Z").status, StatusKind::kRenewalOpen);
  EXPECT_EQ(StatusOn(stream, "2017-03-01T08:59:59Z").status, StatusKind::kRenewalOpen);
  EXPECT_EQ(StatusOn(stream, "2017-03-01T09:00:00Z").status, StatusKind::kAlumni);
}

TEST(StatusTime2, CompletedRenewalShowsTheNewAnniversaryAndLastOrder) {
  auto stream = Enrolled();
  stream.push_back(Recorded("2017-03-01T09:00:00Z",
                            domain::RenewalStarted{domain::RenewalKind::kRenewal, D("2017-05-01")}));
  domain::PaymentPlaced paid;
  paid.order_id = "CT00000001";
  paid.amount_minor = 40000;
  paid.currency = "USD";
  paid.idempotency_key = "k";
  stream.push_back(Recorded("2017-03-01T09:10:00Z", paid));
  stream.push_back(Recorded("2017-03-01T09:10:00Z",
                            domain::RenewalCompleted{domain::RenewalKind::kRenewal, "CT00000001",
                                                     D("2017-05-01"), D("2018-05-01")}));
  const TrainerStatus status = StatusOn(stream, "2017-03-02T00:00:00Z");
  EXPECT_EQ(status.status, StatusKind::kActive);
  EXPECT_EQ(status.anniversary, D("2018-05-01"));
  EXPECT_EQ(status.window_opens, D("2018-01-31"));
  ASSERT_TRUE(status.last_order.has_value());
  EXPECT_EQ(*status.last_order, "CT00000001");
}

TEST(StatusNames, EveryKindHasItsWireName) {
  EXPECT_EQ(ToString(StatusKind::kActive), "active");
  EXPECT_EQ(ToString(StatusKind::kRenewalOpen), "renewal_open");
  EXPECT_EQ(ToString(StatusKind::kRenewalInProgress), "renewal_in_progress");
  EXPECT_EQ(ToString(StatusKind::kLapsed), "lapsed");
  EXPECT_EQ(ToString(StatusKind::kAlumni), "alumni");
}

}  // namespace
}  // namespace mct::projections
