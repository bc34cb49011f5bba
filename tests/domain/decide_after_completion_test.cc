// After completion and beside the renewal: KIT-1, REF-1..3, ALUM-1..2.
#include <gtest/gtest.h>

#include <string>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

// Adds the next year's renewal on 2018-03-01 to a trainer renewed in 2017: order CT00000002.
void RenewAgain(Given& given) {
  given.Did(StartRenewal{}, "2018-03-01T09:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2018-03-01T09:01:00Z")
      .Did(Survey("2018-02-10"), "2018-03-01T09:02:00Z")
      .Did(ConfirmRequirements{}, "2018-03-01T09:03:00Z")
      .Did(BothBoxes(), "2018-03-01T09:04:00Z")
      .Did(Billing(), "2018-03-01T09:05:00Z")
      .Did(CardOrder(kVisa, "123", "2030-12", "order-2"), "2018-03-01T09:06:00Z");
}

// Renewed() followed by the next year's renewal: orders CT00000001 and CT00000002.
Given RenewedTwice() {
  Given given = Renewed();
  RenewAgain(given);
  return given;
}

// ReadyToPay() paid with `method` (not a card).
Given RenewedBy(const std::string& method) {
  Given given = AtPayment();
  if (method == "voucher") given.Did(ApplyVoucher{"MCT-V-1"}, "2017-03-01T09:08:30Z");
  given.Did(Billing(), "2017-03-01T09:09:00Z").Did(OtherOrder(method), "2017-03-01T09:10:00Z");
  return given;
}

// Renewed() and refunded on 2017-03-10.
Given Refunded() {
  Given given = Renewed();
  given.Did(Refund(), "2017-03-10T12:00:00Z");
  return given;
}

// --- KIT-1 ---

TEST(Kit1WelcomeKit, AvailableFromCompletionPlusSevenDays) {
  EXPECT_EQ(Renewed().When(OrderWelcomeKit{}, "2017-03-08T00:00:00Z"),
            "WelcomeKitOrdered{order_id=CT00000001}");
}

TEST(Kit1WelcomeKit, SixDaysAfterIsTooEarlyAndNamesTheDate) {
  const Decision decision = Renewed().Decided(OrderWelcomeKit{}, "2017-03-07T23:59:59Z");
  EXPECT_EQ(CodeOf(decision), "welcome_kit_not_yet_available");
  EXPECT_TRUE(Mentions(decision, "from 2017-03-08")) << MessageOf(decision);
}

TEST(Kit1WelcomeKit, OnePerOrder) {
  Given given = Renewed();
  given.Did(OrderWelcomeKit{}, "2017-03-09T00:00:00Z");
  const Decision decision = given.Decided(OrderWelcomeKit{}, "2017-03-10T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "welcome_kit_already_ordered");
  EXPECT_TRUE(Mentions(decision, "CT00000001")) << MessageOf(decision);
}

TEST(Kit1WelcomeKit, NoCompletedOrderMeansNoKit) {
  const Decision decision = AtRequirements().Decided(OrderWelcomeKit{}, "2017-03-10T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "welcome_kit_not_yet_available");
  EXPECT_TRUE(Mentions(decision, "complete a renewal first")) << MessageOf(decision);
}

TEST(Kit1WelcomeKit, RefundedOrderHasNoKit) {
  EXPECT_EQ(Refunded().When(OrderWelcomeKit{}, "2017-03-20T00:00:00Z"),
            "rejected:welcome_kit_not_yet_available");
}

TEST(Kit1WelcomeKit, NextOrderGetsItsOwnKit) {
  Given given = Renewed();
  given.Did(OrderWelcomeKit{}, "2017-03-09T00:00:00Z");
  RenewAgain(given);
  EXPECT_EQ(given.When(OrderWelcomeKit{}, "2018-03-07T00:00:00Z"),
            "rejected:welcome_kit_not_yet_available");
  EXPECT_EQ(given.When(OrderWelcomeKit{}, "2018-03-08T00:00:00Z"),
            "WelcomeKitOrdered{order_id=CT00000002}");
}

// --- REF-1 ---

TEST(Ref1Refund, CardPaymentIsRefundedInFull) {
  EXPECT_EQ(Renewed().When(Refund(), "2017-03-05T00:00:00Z"),
            "RefundIssued{order_id=CT00000001 amount_minor=40000 reason=customer request}");
}

TEST(Ref1Refund, NamedOrderOrTheLatest) {
  EXPECT_EQ(Renewed().When(Refund("CT00000001"), "2017-03-05T00:00:00Z"),
            "RefundIssued{order_id=CT00000001 amount_minor=40000 reason=customer request}");
}

TEST(Ref1Refund, IssuedBySupportOrThePaymentProvider) {
  EXPECT_EQ(CodeOf(Renewed().Decided(Refund(), "2017-03-05T00:00:00Z", SystemActor())), "accepted");
  EXPECT_EQ(CodeOf(Renewed().Decided(Refund(), "2017-03-05T00:00:00Z", SupportActor())),
            "accepted");
}

TEST(Ref1Refund, DebitCardIsRefundable) {
  Given given = ReadyToPay();
  PlaceOrder debit = CardOrder();
  debit.method = "debit_card";
  given.Did(debit, "2017-03-01T09:10:00Z");
  EXPECT_EQ(CodeOf(given.Decided(Refund(), "2017-03-05T00:00:00Z")), "accepted");
}

TEST(Ref1Refund, VoucherAndPaypalAreNotRefundable) {
  for (const char* method : {"voucher", "paypal"}) {
    const Decision decision = RenewedBy(method).Decided(Refund(), "2017-03-05T00:00:00Z");
    EXPECT_EQ(CodeOf(decision), "refund_not_allowed") << method;
    EXPECT_TRUE(Mentions(decision, "only card payments can")) << MessageOf(decision);
  }
}

TEST(Ref1Refund, SecondRefundIsRefused) {
  const Decision decision = Refunded().Decided(Refund(), "2017-03-11T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "already_refunded");
  EXPECT_TRUE(Mentions(decision, "2017-03-10")) << MessageOf(decision);
}

TEST(Ref1Refund, UnknownOrderIsNotAllowed) {
  const Decision decision = Renewed().Decided(Refund("CT99999999"), "2017-03-05T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "refund_not_allowed");
  EXPECT_TRUE(Mentions(decision, "CT99999999")) << MessageOf(decision);
  EXPECT_EQ(Enrolled().When(Refund(), "2017-03-05T00:00:00Z"), "rejected:refund_not_allowed");
}

TEST(Ref1Refund, OnlyTheLatestOrder) {
  const Decision decision = RenewedTwice().Decided(Refund("CT00000001"), "2018-03-05T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "refund_not_allowed");
  EXPECT_TRUE(Mentions(decision, "Only the latest order (CT00000002)")) << MessageOf(decision);
  EXPECT_EQ(RenewedTwice().When(Refund(), "2018-03-05T00:00:00Z"),
            "RefundIssued{order_id=CT00000002 amount_minor=40000 reason=customer request}");
}

TEST(Ref1Refund, NeedsAReason) {
  const Decision decision = Renewed().Decided(Refund("", " "), "2017-03-05T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "reason")) << MessageOf(decision);
}

TEST(Ref1Settle, SettlesTheWaitingRefund) {
  EXPECT_EQ(Refunded().When(SettleRefund{}, "2017-03-12T00:00:00Z"),
            "RefundSettled{order_id=CT00000001}");
  EXPECT_EQ(Refunded().When(SettleRefund{"CT00000001"}, "2017-03-12T00:00:00Z"),
            "RefundSettled{order_id=CT00000001}");
}

TEST(Ref1Settle, NothingWaitingIsRefused) {
  const Decision decision = Renewed().Decided(SettleRefund{}, "2017-03-12T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "no_refund_pending");
  EXPECT_TRUE(Mentions(decision, "Issue the refund first")) << MessageOf(decision);
}

TEST(Ref1Settle, SettledTwiceIsRefused) {
  Given given = Refunded();
  given.Did(SettleRefund{}, "2017-03-12T00:00:00Z");
  EXPECT_EQ(given.When(SettleRefund{}, "2017-03-13T00:00:00Z"), "rejected:no_refund_pending");
  EXPECT_EQ(given.When(SettleRefund{"CT00000001"}, "2017-03-13T00:00:00Z"),
            "rejected:no_refund_pending");
}

// --- REF-2 ---

TEST(Ref2RefundUndoesTheRenewal, AnniversaryGoesBack) {
  const Given renewed = Renewed();
  EXPECT_EQ(renewed.state().anniversary.ToString(), "2018-05-01");
  EXPECT_EQ(Refunded().state().anniversary.ToString(), "2017-05-01");
}

TEST(Ref2RefundUndoesTheRenewal, WindowIsOpenAgainForTheOldAnniversary) {
  Given given = Refunded();
  given.Did(SettleRefund{}, "2017-03-12T00:00:00Z");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-13T00:00:00Z"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Ref2RefundUndoesTheRenewal, AfterTheAnniversaryTheTrainerIsLapsedAgain) {
  Given given = Renewed();
  given.Did(Refund(), "2017-06-01T00:00:00Z").Did(SettleRefund{}, "2017-06-03T00:00:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2017-05-01");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-06-04T00:00:00Z"),
            "RenewalStarted{kind=reinstatement anniversary=2017-05-01}");
}

// --- REF-3 ---

TEST(Ref3Reapplication, BlockedUntilThirtyDaysAfterTheRefund) {
  const Decision decision = Refunded().Decided(StartRenewal{}, "2017-04-08T23:59:59Z");
  EXPECT_EQ(CodeOf(decision), "reapplication_blocked");
  EXPECT_TRUE(Mentions(decision, "CT00000001")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "from 2017-04-09")) << MessageOf(decision);
}

TEST(Ref3Reapplication, OpenOnDayThirtyEvenUnsettled) {
  EXPECT_EQ(Refunded().When(StartRenewal{}, "2017-04-09T00:00:00Z"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Ref3Reapplication, OpenOnceTheRefundHasSettled) {
  Given given = Refunded();
  given.Did(SettleRefund{}, "2017-03-11T00:00:00Z");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-11T00:00:01Z"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Ref3Reapplication, TimingCodesComeFirst) {
  Given given = Renewed();
  given.Did(Refund(), "2017-04-28T00:00:00Z");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-05-02T00:00:00Z"),
            "rejected:reinstatement_not_yet_open");
}

// --- ALUM-1 ---

TEST(Alum1Alumni, ApplyingIsRecorded) {
  EXPECT_EQ(Enrolled().When(ApplyAlumni{}, "2017-03-01T00:00:00Z"), "AlumniApplied{}");
}

TEST(Alum1Alumni, AbandonsTheRenewalInProgress) {
  Given given = ReadyToPay();
  ASSERT_TRUE(given.state().application);
  given.Did(ApplyAlumni{}, "2017-03-02T00:00:00Z");
  EXPECT_TRUE(given.state().alumni);
  EXPECT_FALSE(given.state().application);
}

TEST(Alum1Alumni, StartRenewalIsRefusedAndSaysSwitchBack) {
  Given given = Enrolled();
  given.Did(ApplyAlumni{}, "2017-03-01T00:00:00Z");
  const Decision decision = given.Decided(StartRenewal{}, "2017-03-02T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "already_alumni");
  EXPECT_TRUE(Mentions(decision, "SwitchBackFromAlumni")) << MessageOf(decision);
}

TEST(Alum1Alumni, EveryRenewalStepIsRefused) {
  Given given = ReadyToPay();
  given.Did(ApplyAlumni{}, "2017-03-02T00:00:00Z");
  const std::string at = "2017-03-02T01:00:00Z";
  const std::vector<CommandBody> steps = {Profile(EmployerType::kFreelance),
                                          Exception("2017-02-10"),
                                          Report(),
                                          ConfirmRequirements{},
                                          BothBoxes(),
                                          ApplyVoucher{"MCT-V-1"},
                                          Billing(),
                                          CardOrder(kVisa, "123", "2030-12", "order-9")};
  for (const CommandBody& step : steps) {
    EXPECT_EQ(given.When(step, at), "rejected:already_alumni") << CommandName(step);
  }
}

TEST(Alum1Alumni, ApplyingTwiceIsRefused) {
  Given given = Enrolled();
  given.Did(ApplyAlumni{}, "2017-03-01T00:00:00Z");
  EXPECT_EQ(given.When(ApplyAlumni{}, "2017-03-02T00:00:00Z"), "rejected:already_alumni");
}

// --- ALUM-2 ---

TEST(Alum2SwitchBack, IsRecorded) {
  Given given = Enrolled();
  given.Did(ApplyAlumni{}, "2017-03-01T00:00:00Z");
  EXPECT_EQ(given.When(SwitchBackFromAlumni{}, "2017-03-02T00:00:00Z"), "AlumniSwitchedBack{}");
  EXPECT_EQ(given.When(SwitchBackFromAlumni{}, "2017-03-02T00:00:00Z", SupportActor()),
            "AlumniSwitchedBack{}");
}

TEST(Alum2SwitchBack, NotAlumniIsRefused) {
  const Decision decision = Enrolled().Decided(SwitchBackFromAlumni{}, "2017-03-02T00:00:00Z");
  EXPECT_EQ(CodeOf(decision), "not_alumni");
  EXPECT_TRUE(Mentions(decision, "nothing to switch back")) << MessageOf(decision);
}

TEST(Alum2SwitchBack, AbandonedRenewalIsNotRestored) {
  Given given = AtTerms();
  given.Did(ApplyAlumni{}, "2017-03-02T00:00:00Z")
      .Did(SwitchBackFromAlumni{}, "2017-03-03T00:00:00Z");
  EXPECT_FALSE(given.state().alumni);
  EXPECT_EQ(given.When(BothBoxes(), "2017-03-03T01:00:00Z"), "rejected:no_renewal_in_progress");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-03T01:00:00Z"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Alum2SwitchBack, LapsedTrainerReturnsLapsed) {
  Given given = Enrolled();
  given.Did(ApplyAlumni{}, "2017-04-01T00:00:00Z")
      .Did(SwitchBackFromAlumni{}, "2017-06-01T00:00:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2017-05-01");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-06-01T01:00:00Z"),
            "RenewalStarted{kind=reinstatement anniversary=2017-05-01}");
}

}  // namespace
}  // namespace mct::domain
