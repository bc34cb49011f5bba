// Evolve: what each event leaves in TrainerState.
#include <gtest/gtest.h>

#include <string>

#include "domain/sha256.h"
#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

TEST(EvolveEnrolment, RecordsNameEmailAndAnniversary) {
  const Given given = Enrolled();
  const TrainerState& state = given.state();
  EXPECT_TRUE(state.enrolled);
  EXPECT_EQ(state.name, "Hanako Sato");
  EXPECT_EQ(state.email, "hanako@example.jp");
  EXPECT_EQ(state.anniversary.ToString(), "2017-05-01");
  EXPECT_TRUE(state.tracks_held.contains(Track::kItPro));
  EXPECT_TRUE(state.certifications.contains({"CERT-it_pro", Track::kItPro}));
}

TEST(EvolveVersion, CountsEveryEvent) {
  Given given;
  EXPECT_EQ(given.state().version, 0);
  given.Had(TrainerEnrolled{"H", "h@example.jp", On("2017-05-01")}, "2016-05-01T00:00:00Z");
  EXPECT_EQ(given.state().version, 1);
  given.Had(RequirementsConfirmed{}, "2016-05-02T00:00:00Z");  // stray: still counted
  EXPECT_EQ(given.state().version, 2);
}

TEST(Audit1CommandIds, AcceptedCommandIdsAreRemembered) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(), "start-1");
  EXPECT_TRUE(given.state().command_ids.contains("start-1"));
  EXPECT_TRUE(given.state().command_ids.contains("cmd-1"));  // the enrolment
  EXPECT_FALSE(given.state().command_ids.contains("start-2"));
}

TEST(Audit1CommandIds, EveryEventOfACommandCarriesItsId) {
  const Given given = Renewed();
  const auto& log = given.log();
  ASSERT_GE(log.size(), 2u);
  const RecordedEvent& payment = log[log.size() - 2];
  const RecordedEvent& completed = log.back();
  EXPECT_EQ(EventName(payment.payload), "PaymentPlaced");
  EXPECT_EQ(EventName(completed.payload), "RenewalCompleted");
  EXPECT_EQ(payment.meta.command_id, completed.meta.command_id);
  EXPECT_EQ(completed.meta.actor, TrainerActor());
  EXPECT_EQ(completed.meta.at.ToString(), "2017-03-01T09:10:00Z");
}

TEST(Audit1CommandIds, EmptyIdIsNotRemembered) {
  TrainerState state;
  RecordedEvent event{EventMeta{M(), At("2016-05-01T00:00:00Z"), SystemActor(), "", "", ""},
                      TrainerEnrolled{"H", "h@example.jp", On("2017-05-01")}};
  state = Evolve(state, event);
  EXPECT_TRUE(state.command_ids.empty());
  EXPECT_TRUE(state.enrolled);
}

TEST(EvolveApplication, StartedRecordsKindDeadlineAndDay) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-06-01T09:00:00Z");
  ASSERT_TRUE(given.state().application);
  const Application& app = *given.state().application;
  EXPECT_EQ(app.kind, RenewalKind::kReinstatement);
  EXPECT_EQ(app.anniversary.ToString(), "2017-05-01");
  EXPECT_EQ(app.started_on.ToString(), "2017-06-01");
  EXPECT_EQ(app.CurrentStep(), Step::kProfile);
}

TEST(EvolveApplication, CycleStartsOnThePreviousAnniversary) {
  const Given given = AtRequirements();
  ASSERT_TRUE(given.state().application);
  EXPECT_EQ(given.state().application->CycleStart().ToString(), "2016-05-01");
}

TEST(EvolveApplication, StepsAdvanceInOrder) {
  EXPECT_EQ(AtRequirements().state().application->CurrentStep(), Step::kRequirements);
  EXPECT_EQ(AtTerms().state().application->CurrentStep(), Step::kTerms);
  EXPECT_EQ(AtPayment().state().application->CurrentStep(), Step::kPayment);
  EXPECT_EQ(ToString(Step::kPayment), "payment");
}

TEST(Step1Redo, ProfileInvalidatesEveryLaterStep) {
  Given given = ReadyToPay();
  given.Did(ApplyVoucher{"MCT-V-1"}, "2017-03-01T09:09:30Z")
      .Did(Profile(EmployerType::kOther), "2017-03-01T09:10:00Z");
  const Application& app = *given.state().application;
  EXPECT_EQ(app.profile->employer_type, EmployerType::kOther);
  EXPECT_FALSE(app.requirements_confirmed);
  EXPECT_FALSE(app.terms_accepted);
  EXPECT_FALSE(app.voucher_code);
  EXPECT_FALSE(app.billing);
  EXPECT_EQ(app.CurrentStep(), Step::kRequirements);
}

TEST(Step1Redo, ProfileDropsAFiledException) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
      .Did(Profile(EmployerType::kAcademic, "Waseda"), "2017-03-01T09:01:00Z")
      .Did(Exception("2017-02-10"), "2017-03-01T09:02:00Z");
  ASSERT_TRUE(given.state().application->exception);
  given.Did(Profile(EmployerType::kGovernment, "MIC"), "2017-03-01T09:03:00Z");
  EXPECT_FALSE(given.state().application->exception);
  EXPECT_EQ(given.When(ConfirmRequirements{}, "2017-03-01T09:04:00Z"),
            "rejected:exception_required");
}

TEST(Step1Redo, RequirementsInvalidateTermsAndPayment) {
  Given given = ReadyToPay();
  given.Did(ConfirmRequirements{}, "2017-03-01T09:10:00Z");
  const Application& app = *given.state().application;
  EXPECT_TRUE(app.requirements_confirmed);
  EXPECT_FALSE(app.terms_accepted);
  EXPECT_FALSE(app.billing);
  EXPECT_EQ(app.CurrentStep(), Step::kTerms);
}

TEST(Step1Redo, UploadSendsBackToRequirements) {
  Given given = AtPayment();
  given.Did(Report(), "2017-03-01T09:09:00Z");
  EXPECT_EQ(given.state().application->CurrentStep(), Step::kRequirements);
  EXPECT_TRUE(given.state().application->report_uploaded);
}

TEST(Step1Redo, TermsClearVoucherAndBillingButKeepTheTermsStep) {
  Given given = ReadyToPay();
  given.Did(ApplyVoucher{"MCT-V-1"}, "2017-03-01T09:09:30Z")
      .Did(BothBoxes(), "2017-03-01T09:10:00Z");
  const Application& app = *given.state().application;
  EXPECT_TRUE(app.terms_accepted);
  EXPECT_FALSE(app.voucher_code);
  EXPECT_FALSE(app.billing);
  EXPECT_EQ(app.CurrentStep(), Step::kPayment);
}

TEST(EvolveApplication, StrayStepEventWithoutApplicationChangesNothing) {
  Given given = Enrolled();
  given.Had(TermsAccepted{}, "2017-03-01T00:00:00Z")
      .Had(BillingAddressEntered{}, "2017-03-01T00:00:00Z");
  EXPECT_FALSE(given.state().application);
}

TEST(EvolveSurveys, SurveysAndUploadsBothCount) {
  Given given = AtRequirements();
  given.Did(Survey("2016-09-01"), "2017-03-01T09:06:00Z")
      .Did(Report("2016-10-01"), "2017-03-01T09:07:00Z");
  ASSERT_EQ(given.state().survey_course_dates.size(), 2u);
  EXPECT_EQ(given.state().survey_course_dates[0].ToString(), "2016-09-01");
  EXPECT_EQ(given.state().survey_course_dates[1].ToString(), "2016-10-01");
}

TEST(Prof2FteCode, EvolveKeepsTheLatestCodePerAlias) {
  Given given = Enrolled();
  given.Did(IssueFteCode{"europe\\hanako", "111111"}, "2017-03-01T00:00:00Z")
      .Did(IssueFteCode{"europe\\hanako", "222222"}, "2017-03-01T06:00:00Z");
  ASSERT_EQ(given.state().fte_codes.size(), 1u);
  const FteCode& code = given.state().fte_codes.at("europe\\hanako");
  EXPECT_EQ(code.code_sha256, Sha256Hex("222222"));
  EXPECT_EQ(code.expires_at.ToString(), "2017-03-03T06:00:00Z");
}

TEST(EvolveOrder, CompletionRecordsTheOrderAndClosesTheApplication) {
  const Given given = Renewed();
  const TrainerState& state = given.state();
  EXPECT_FALSE(state.application);
  EXPECT_EQ(state.anniversary.ToString(), "2018-05-01");
  ASSERT_EQ(state.orders.size(), 1u);
  const Order& order = state.orders.front();
  EXPECT_EQ(order.order_id, "CT00000001");
  EXPECT_EQ(order.kind, RenewalKind::kRenewal);
  EXPECT_EQ(order.method, PaymentMethod::kCreditCard);
  EXPECT_EQ(order.amount_minor, 40000);
  EXPECT_EQ(order.completed_on.ToString(), "2017-03-01");
  EXPECT_EQ(order.previous_anniversary.ToString(), "2017-05-01");
  EXPECT_EQ(order.new_anniversary.ToString(), "2018-05-01");
  EXPECT_FALSE(order.welcome_kit_ordered);
  EXPECT_FALSE(order.refund_issued_on);
  EXPECT_EQ(state.LatestOrder(), &state.orders.back());
  EXPECT_EQ(state.FindOrder("CT00000001"), &state.orders.front());
  EXPECT_EQ(state.FindOrder("CT00000002"), nullptr);
}

TEST(Pay8Idempotency, EvolveRemembersTheKey) {
  const Given given = Renewed();
  EXPECT_TRUE(given.state().idempotency_keys.contains("order-1"));
  EXPECT_EQ(given.state().orders.front().idempotency_key, "order-1");
  EXPECT_FALSE(ReadyToPay().state().idempotency_keys.contains("order-1"));
}

TEST(Kit1WelcomeKit, EvolveMarksTheOrder) {
  Given given = Renewed();
  given.Did(OrderWelcomeKit{}, "2017-03-08T00:00:00Z");
  EXPECT_TRUE(given.state().orders.front().welcome_kit_ordered);
}

TEST(Ref2RefundUndoesTheRenewal, EvolveRestoresTheAnniversaryAndDatesTheRefund) {
  Given given = Renewed();
  given.Did(Refund(), "2017-03-10T12:00:00Z");
  const Order& order = given.state().orders.front();
  ASSERT_TRUE(order.refund_issued_on);
  EXPECT_EQ(order.refund_issued_on->ToString(), "2017-03-10");
  EXPECT_FALSE(order.refund_settled);
  EXPECT_EQ(given.state().anniversary.ToString(), "2017-05-01");
  given.Did(SettleRefund{}, "2017-03-12T00:00:00Z");
  EXPECT_TRUE(given.state().orders.front().refund_settled);
  EXPECT_EQ(given.state().anniversary.ToString(), "2017-05-01");
}

TEST(Ref2RefundUndoesTheRenewal, RefundOfTheSecondRenewalGoesBackOneYear) {
  Given given = Renewed();  // 2017-05-01 -> 2018-05-01
  given.Did(StartRenewal{}, "2018-03-01T09:00:00Z")
      .Did(Profile(EmployerType::kFreelance), "2018-03-01T09:01:00Z")
      .Did(Survey("2018-02-10"), "2018-03-01T09:02:00Z")
      .Did(ConfirmRequirements{}, "2018-03-01T09:03:00Z")
      .Did(BothBoxes(), "2018-03-01T09:04:00Z")
      .Did(Billing(), "2018-03-01T09:05:00Z")
      .Did(CardOrder(kVisa, "123", "2030-12", "order-2"), "2018-03-01T09:06:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2019-05-01");
  given.Did(Refund(), "2018-03-05T00:00:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2018-05-01");
}

TEST(Ref2RefundUndoesTheRenewal, EvolveIgnoresAnUnknownOrder) {
  Given given = Renewed();
  given.Had(RefundIssued{"CT99999999", 40000, "typo"}, "2017-03-10T00:00:00Z");
  EXPECT_EQ(given.state().anniversary.ToString(), "2018-05-01");
  EXPECT_FALSE(given.state().orders.front().refund_issued_on);
}

TEST(Alum1Alumni, EvolveAbandonsTheApplication) {
  Given given = AtTerms();
  given.Had(AlumniApplied{}, "2017-03-02T00:00:00Z", TrainerActor());
  EXPECT_TRUE(given.state().alumni);
  EXPECT_FALSE(given.state().application);
  EXPECT_EQ(given.state().anniversary.ToString(), "2017-05-01");
}

TEST(Alum2SwitchBack, EvolveKeepsTheAnniversaryAndRestoresNoApplication) {
  Given given = AtTerms();
  given.Had(AlumniApplied{}, "2017-03-02T00:00:00Z", TrainerActor())
      .Had(AlumniSwitchedBack{}, "2017-03-03T00:00:00Z", TrainerActor());
  EXPECT_FALSE(given.state().alumni);
  EXPECT_FALSE(given.state().application);
  EXPECT_EQ(given.state().anniversary.ToString(), "2017-05-01");
}

TEST(Audit2AsOf, FoldingThePrefixOfTheLogGivesThePastState) {
  const Given given = Renewed();
  const Instant before_order = At("2017-03-01T09:10:00Z");
  TrainerState as_of;
  TrainerState replayed;
  for (const RecordedEvent& event : given.log()) {
    if (event.meta.at < before_order) as_of = Evolve(as_of, event);
    replayed = Evolve(replayed, event);
  }
  ASSERT_TRUE(as_of.application);
  EXPECT_EQ(as_of.application->CurrentStep(), Step::kPayment);
  EXPECT_EQ(as_of.anniversary.ToString(), "2017-05-01");
  EXPECT_TRUE(as_of.orders.empty());
  // Replaying the whole log gives the current state again.
  EXPECT_EQ(replayed.version, given.state().version);
  EXPECT_EQ(replayed.anniversary.ToString(), "2018-05-01");
  EXPECT_EQ(replayed.command_ids, given.state().command_ids);
  EXPECT_EQ(replayed.idempotency_keys, given.state().idempotency_keys);
  EXPECT_EQ(replayed.orders.size(), given.state().orders.size());
}

// The rendering the tests compare against: one line per event, stable field order.
TEST(GivenRender, RendersEventsCompactly) {
  EXPECT_EQ(Render(Event{RenewalStarted{RenewalKind::kRenewal, On("2017-05-01")}}),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
  EXPECT_EQ(Render(std::vector<Event>{AlumniApplied{}, AlumniSwitchedBack{}}),
            "AlumniApplied{}; AlumniSwitchedBack{}");
  EXPECT_EQ(Render(std::vector<Event>{}), "(none)");
  EXPECT_EQ(Render(Decision::Reject(RejectionCode::kForbidden, "no")), "rejected:forbidden");
  EXPECT_EQ(Render(Decision::Retried()), "retried");
}

}  // namespace
}  // namespace mct::domain
