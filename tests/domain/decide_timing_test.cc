// TIME-1..3 and REIN-1..6: when a renewal or a reinstatement may start, and what it completes to.
#include <gtest/gtest.h>

#include <string>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// A reinstatement for 2017-05-01 started on 2017-06-01, at the requirements step (freelance).
Given ReinstatementAtRequirements() {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-06-01T09:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2017-06-01T09:05:00Z");
  return given;
}

// The same, ready to pay on 2017-06-01 without any survey (REIN-3).
Given ReinstatementReadyToPay() {
  Given given = ReinstatementAtRequirements();
  given.Did(ConfirmRequirements{}, "2017-06-01T09:06:00Z")
      .Did(BothBoxes(), "2017-06-01T09:07:00Z")
      .Did(Billing(), "2017-06-01T09:08:00Z");
  return given;
}

// --- TIME-1 ---

TEST(Time1RenewalWindow, OpensExactlyNinetyDaysBefore) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-01-31T00:00:00Z"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Time1RenewalWindow, ClosedTheDayBefore) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-01-30T23:59:59Z"),
            "rejected:renewal_window_not_open");
}

TEST(Time1RenewalWindow, RejectionNamesTheOpeningDate) {
  const Decision decision = Enrolled().Decided(StartRenewal{}, "2016-12-01T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "renewal_window_not_open");
  EXPECT_TRUE(Mentions(decision, "2017-01-31")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "on or after")) << MessageOf(decision);
}

TEST(Time1RenewalWindow, LastDayIsTheDayBeforeTheAnniversary) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-04-30T23:59:59Z"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Time1RenewalWindow, UsesTheUtcDayOfAnOffsetInstant) {
  // 2017-01-31T08:00+09:00 is 2017-01-30 in UTC: still before the window.
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-01-31T08:00:00+09:00"),
            "rejected:renewal_window_not_open");
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-01-31T09:00:00+09:00"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Time1RenewalWindow, OrderOnTheLastSecondBeforeTheAnniversaryCompletes) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-04-30T20:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2017-04-30T20:01:00Z")
      .Did(Survey("2017-02-10"), "2017-04-30T20:02:00Z")
      .Did(ConfirmRequirements{}, "2017-04-30T20:03:00Z")
      .Did(BothBoxes(), "2017-04-30T20:04:00Z")
      .Did(Billing(), "2017-04-30T20:05:00Z");
  EXPECT_EQ(CodeOf(given.Decided(CardOrder(), "2017-04-30T23:59:59Z")), "accepted");
  EXPECT_EQ(given.When(CardOrder(), "2017-05-01T00:00:00Z"), "rejected:renewal_window_closed");
}

TEST(Time1RenewalWindow, NextWindowOpensNinetyDaysBeforeTheNewAnniversary) {
  const Given given = Renewed();  // anniversary now 2018-05-01
  EXPECT_EQ(given.When(StartRenewal{}, "2018-01-30T00:00:00Z"), "rejected:renewal_window_not_open");
  EXPECT_EQ(given.When(StartRenewal{}, "2018-01-31T00:00:00Z"),
            "RenewalStarted{kind=renewal anniversary=2018-05-01}");
}

// --- TIME-2 ---

TEST(Time2EarlyRenewal, KeepsTheAnniversaryDay) {
  EXPECT_EQ(ReadyToPay().When(CardOrder(), "2017-03-01T09:10:00Z"),
            "PaymentPlaced{order_id=CT00000001 method=credit_card card_brand=visa card_last4=1111 "
            "payer_name=HANAKO SATO amount_minor=40000 currency=USD tax_minor=0 "
            "idempotency_key=order-1 voucher_code=}; "
            "RenewalCompleted{kind=renewal order_id=CT00000001 previous_anniversary=2017-05-01 "
            "new_anniversary=2018-05-01}");
}

TEST(Time2EarlyRenewal, FirstDayOfTheWindowGivesTheSameNextAnniversary) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-01-31T00:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2017-01-31T00:01:00Z")
      .Did(Survey("2016-11-10"), "2017-01-31T00:02:00Z")
      .Did(ConfirmRequirements{}, "2017-01-31T00:03:00Z")
      .Did(BothBoxes(), "2017-01-31T00:04:00Z")
      .Did(Billing(), "2017-01-31T00:05:00Z")
      .Did(CardOrder(), "2017-01-31T00:06:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2018-05-01");
}

TEST(Time2EarlyRenewal, Feb29AnniversaryRenewsToFeb28) {
  Given given = Enrolled("2020-02-29");
  given.Did(StartRenewal{}, "2020-01-15T00:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2020-01-15T00:01:00Z")
      .Did(Survey("2019-06-01"), "2020-01-15T00:02:00Z")
      .Did(ConfirmRequirements{}, "2020-01-15T00:03:00Z")
      .Did(BothBoxes(), "2020-01-15T00:04:00Z")
      .Did(Billing(), "2020-01-15T00:05:00Z");
  const std::string rendered = given.When(CardOrder(), "2020-01-15T00:06:00Z");
  EXPECT_NE(rendered.find("RenewalCompleted{kind=renewal order_id=CT00000001 "
                          "previous_anniversary=2020-02-29 new_anniversary=2021-02-28}"),
            std::string::npos)
      << rendered;
}

// --- TIME-3 ---

TEST(Time3Lapse, StartOnTheAnniversaryDateIsRefused) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-05-01T00:00:00Z"),
            "rejected:reinstatement_not_yet_open");
}

TEST(Time3Lapse, EveryStepOfAnUnfinishedRenewalIsClosedOnTheAnniversary) {
  const Given at_requirements = AtRequirements();
  const std::string on_anniversary = "2017-05-01T00:00:00Z";
  EXPECT_EQ(at_requirements.When(Profile(EmployerType::kOther), on_anniversary),
            "rejected:renewal_window_closed");
  EXPECT_EQ(at_requirements.When(Survey("2017-02-10"), on_anniversary),
            "MtmSurveyRecorded{course_name=20410D course_date=2017-02-10 average_score=8.5}");
  EXPECT_EQ(at_requirements.When(Report(), on_anniversary), "rejected:renewal_window_closed");
  EXPECT_EQ(at_requirements.When(ConfirmRequirements{}, on_anniversary),
            "rejected:renewal_window_closed");
  const Given ready = ReadyToPay();
  EXPECT_EQ(ready.When(BothBoxes(), on_anniversary), "rejected:renewal_window_closed");
  EXPECT_EQ(ready.When(ApplyVoucher{"V-1"}, on_anniversary), "rejected:renewal_window_closed");
  EXPECT_EQ(ready.When(Billing(), on_anniversary), "rejected:renewal_window_closed");
  EXPECT_EQ(ready.When(CardOrder(), on_anniversary), "rejected:renewal_window_closed");
}

TEST(Time3Lapse, AcademicExceptionIsClosedOnTheAnniversary) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
      .Did(Profile(EmployerType::kAcademic, "Tokyo University"), "2017-03-01T09:01:00Z");
  EXPECT_EQ(given.When(Exception("2017-02-10"), "2017-05-01T00:00:00Z"),
            "rejected:renewal_window_closed");
}

TEST(Time3Lapse, ClosedRejectionNamesTheReinstatementDate) {
  const Decision decision = ReadyToPay().Decided(CardOrder(), "2017-05-02T10:00:00Z");
  EXPECT_EQ(CodeOf(decision), "renewal_window_closed");
  EXPECT_TRUE(Mentions(decision, "2017-05-01")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "reinstatement from 2017-05-08")) << MessageOf(decision);
}

TEST(Time3Lapse, UnfinishedRenewalStaysClosedAfterReinstatementOpens) {
  EXPECT_EQ(ReadyToPay().When(CardOrder(), "2017-06-01T00:00:00Z"),
            "rejected:renewal_window_closed");
}

TEST(Time3Lapse, UnfinishedRenewalDoesNotBlockAReinstatement) {
  EXPECT_EQ(AtRequirements().When(StartRenewal{}, "2017-05-08T00:00:00Z"),
            "RenewalStarted{kind=reinstatement anniversary=2017-05-01}");
}

TEST(Time3Lapse, UnfinishedRenewalIsNotLiveFromTheAnniversary) {
  const Given given = AtRequirements();
  EXPECT_NE(given.state().LiveApplication(On("2017-04-30")), nullptr);
  EXPECT_EQ(given.state().LiveApplication(On("2017-05-01")), nullptr);
}

// --- REIN-1 ---

TEST(Rein1Reinstatement, OpensSevenDaysAfterTheAnniversary) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-05-08T00:00:00Z"),
            "RenewalStarted{kind=reinstatement anniversary=2017-05-01}");
}

TEST(Rein1Reinstatement, HasNoEnd) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2025-11-30T12:00:00Z"),
            "RenewalStarted{kind=reinstatement anniversary=2017-05-01}");
}

// --- REIN-2 ---

TEST(Rein2SameSteps, ReinstatementInProgressRefusesASecondStart) {
  const Decision decision =
      ReinstatementAtRequirements().Decided(StartRenewal{}, "2017-06-02T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "renewal_in_progress");
  EXPECT_TRUE(Mentions(decision, "reinstatement")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "requirements")) << MessageOf(decision);
}

TEST(Rein2SameSteps, ReinstatementNeverExpires) {
  EXPECT_EQ(ReinstatementAtRequirements().When(ConfirmRequirements{}, "2019-01-01T00:00:00Z"),
            "RequirementsConfirmed{}");
}

TEST(Rein2SameSteps, StepsStillGoInOrder) {
  EXPECT_EQ(ReinstatementAtRequirements().When(BothBoxes(), "2017-06-01T10:00:00Z"),
            "rejected:step_out_of_order");
}

TEST(Rein2SameSteps, SameFeeAsARenewal) {
  const std::string rendered = ReinstatementReadyToPay().When(CardOrder(), "2017-06-01T09:10:00Z");
  EXPECT_NE(rendered.find("amount_minor=40000 currency=USD tax_minor=0"), std::string::npos)
      << rendered;
}

// --- REIN-3 ---

TEST(Rein3NoSurvey, FreelanceReinstatementConfirmsWithoutSurvey) {
  EXPECT_EQ(ReinstatementAtRequirements().When(ConfirmRequirements{}, "2017-06-01T09:06:00Z"),
            "RequirementsConfirmed{}");
}

TEST(Rein3NoException, AcademicReinstatementConfirmsWithoutException) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-06-01T09:00:00Z")
      .Did(Profile(EmployerType::kAcademic, "Waseda"), "2017-06-01T09:01:00Z");
  EXPECT_EQ(given.When(ConfirmRequirements{}, "2017-06-01T09:02:00Z"), "RequirementsConfirmed{}");
}

TEST(Rein3NoException, ReinstatementMayNotFileOne) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-06-01T09:00:00Z")
      .Did(Profile(EmployerType::kGovernment, "MIC"), "2017-06-01T09:01:00Z");
  const Decision decision = given.Decided(Exception("2017-03-01"), "2017-06-01T09:02:00Z");
  EXPECT_EQ(CodeOf(decision), "exception_not_available");
  EXPECT_TRUE(Mentions(decision, "Reinstatement")) << MessageOf(decision);
}

// --- REIN-4 ---

TEST(Rein4NewAnniversary, IsCompletionDatePlusOneYear) {
  const std::string rendered = ReinstatementReadyToPay().When(CardOrder(), "2017-06-01T09:10:00Z");
  EXPECT_NE(rendered.find("RenewalCompleted{kind=reinstatement order_id=CT00000001 "
                          "previous_anniversary=2017-05-01 new_anniversary=2018-06-01}"),
            std::string::npos)
      << rendered;
}

TEST(Rein4NewAnniversary, CompletedOnFeb29GivesFeb28) {
  Given given = Enrolled("2019-05-01");
  given.Did(StartRenewal{}, "2020-02-29T09:00:00Z")
      .Did(Profile(EmployerType::kOther), "2020-02-29T09:01:00Z")
      .Did(ConfirmRequirements{}, "2020-02-29T09:02:00Z")
      .Did(BothBoxes(), "2020-02-29T09:03:00Z")
      .Did(Billing(), "2020-02-29T09:04:00Z")
      .Did(CardOrder(), "2020-02-29T09:05:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2021-02-28");
}

TEST(Rein4NewAnniversary, CompletionDaySetsItNotTheStartDay) {
  Given given = ReinstatementReadyToPay();  // started 2017-06-01
  given.Did(CardOrder(), "2017-07-15T10:00:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2018-07-15");
}

// --- REIN-5 ---

TEST(Rein5Gap, CompletionCarriesTheOldAnniversaryWhereTheGapStarts) {
  Given given = ReinstatementReadyToPay();
  given.Did(CardOrder(), "2017-06-01T09:10:00Z");
  ASSERT_EQ(given.state().orders.size(), 1u);
  const Order& order = given.state().orders.back();
  EXPECT_EQ(order.kind, RenewalKind::kReinstatement);
  EXPECT_EQ(order.previous_anniversary.ToString(), "2017-05-01");  // gap from (inclusive)
  EXPECT_EQ(order.completed_on.ToString(), "2017-06-01");          // gap to (exclusive)
}

// --- REIN-6 ---

TEST(Rein6FirstWeek, DaySixIsStillRefused) {
  EXPECT_EQ(Enrolled().When(StartRenewal{}, "2017-05-07T23:59:59Z"),
            "rejected:reinstatement_not_yet_open");
}

TEST(Rein6FirstWeek, RejectionNamesTheOpeningDate) {
  const Decision decision = Enrolled().Decided(StartRenewal{}, "2017-05-03T12:00:00Z");
  EXPECT_EQ(CodeOf(decision), "reinstatement_not_yet_open");
  EXPECT_TRUE(Mentions(decision, "2017-05-08")) << MessageOf(decision);
}

TEST(Rein6FirstWeek, AppliesAfterAnUnfinishedRenewalToo) {
  EXPECT_EQ(AtRequirements().When(StartRenewal{}, "2017-05-02T00:00:00Z"),
            "rejected:reinstatement_not_yet_open");
}

}  // namespace
}  // namespace mct::domain
