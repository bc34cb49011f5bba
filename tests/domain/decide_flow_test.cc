// The order of the steps (STEP-1), the order of the rejections (domain.md, Rejections), retried
// commands (AUDIT-1) and malformed input; and one command for every code Decide can answer.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

constexpr std::string_view kNow = "2017-03-01T10:00:00Z";

// --- STEP-1 ---

TEST(Step1Order, StepWithoutApplicationSaysStartOne) {
  const Decision decision = Enrolled().Decided(Profile(EmployerType::kFreelance), kNow);
  EXPECT_EQ(CodeOf(decision), "no_renewal_in_progress");
  EXPECT_TRUE(Mentions(decision, "StartRenewal")) << MessageOf(decision);
}

TEST(Step1Order, RequirementsBeforeProfileIsOutOfOrder) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z");
  const Decision decision = given.Decided(ConfirmRequirements{}, kNow);
  EXPECT_EQ(CodeOf(decision), "step_out_of_order");
  EXPECT_TRUE(Mentions(decision, "Finish the profile step before the requirements step"))
      << MessageOf(decision);
  EXPECT_EQ(given.When(Exception("2017-02-10"), kNow), "rejected:step_out_of_order");
}

TEST(Step1Order, TermsBeforeRequirementsIsOutOfOrder) {
  EXPECT_EQ(AtRequirements().When(BothBoxes(), kNow), "rejected:step_out_of_order");
}

TEST(Step1Order, PaymentBeforeTermsIsOutOfOrder) {
  const Given given = AtTerms();
  EXPECT_EQ(given.When(Billing(), kNow), "rejected:step_out_of_order");
  EXPECT_EQ(given.When(ApplyVoucher{"MCT-V-1"}, kNow), "rejected:step_out_of_order");
  EXPECT_EQ(given.When(CardOrder(), kNow), "rejected:step_out_of_order");
}

TEST(Step1Order, StartingTwiceIsRefused) {
  const Decision decision = AtRequirements().Decided(StartRenewal{}, kNow);
  EXPECT_EQ(CodeOf(decision), "renewal_in_progress");
  EXPECT_TRUE(Mentions(decision, "continue it")) << MessageOf(decision);
}

TEST(Step1Order, EarlierStepMayBeRedoneAtPayment) {
  const Given given = ReadyToPay();
  EXPECT_EQ(given.When(Profile(EmployerType::kOther), kNow),
            "ProfileChosen{employer_type=other employer_detail= track=it_pro}");
  EXPECT_EQ(given.When(ConfirmRequirements{}, kNow), "RequirementsConfirmed{}");
  EXPECT_EQ(given.When(BothBoxes(), kNow), "TermsAccepted{}");
}

TEST(Step1Order, RedoneProfileSendsBackToRequirements) {
  Given given = ReadyToPay();
  given.Did(Profile(EmployerType::kOther), kNow);
  EXPECT_EQ(given.When(CardOrder(), "2017-03-01T10:01:00Z"), "rejected:step_out_of_order");
  EXPECT_EQ(given.When(BothBoxes(), "2017-03-01T10:01:00Z"), "rejected:step_out_of_order");
  EXPECT_EQ(given.When(ConfirmRequirements{}, "2017-03-01T10:01:00Z"), "RequirementsConfirmed{}");
}

TEST(Step1Order, RedoneTermsNeedTheBillingAddressAgain) {
  Given given = ReadyToPay();
  given.Did(BothBoxes(), kNow);
  const Decision decision = given.Decided(CardOrder(), "2017-03-01T10:01:00Z");
  EXPECT_EQ(CodeOf(decision), "step_out_of_order");
  EXPECT_TRUE(Mentions(decision, "billing address")) << MessageOf(decision);
}

TEST(Step1Order, NothingIsRedoneOnceTheOrderIsPlaced) {
  EXPECT_EQ(Renewed().When(Profile(EmployerType::kOther), "2017-03-01T09:11:00Z"),
            "rejected:no_renewal_in_progress");
}

// --- The rejection order ---

TEST(Audit3Mcid, MalformedMcidIsInvalidInputNeverUnknownTrainer) {
  const Given given;  // nobody enrolled
  Command command = given.MakeCommand(StartRenewal{}, kNow, TrainerActor(), "c-1");
  command.mcid = Mcid{};  // what the front door passes when the MCID did not parse
  const Decision decision = Decide(Policy{}, given.state(), SharedFacts{}, command);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "mcid")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "4 to 10 digits")) << MessageOf(decision);
}

TEST(RejectionOrder, InvalidInputBeatsForbidden) {
  const Decision decision =
      Given().Decided(EnrollTrainer{"", "not-an-email", On("2017-05-01")}, kNow, AuditorActor());
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "name")) << MessageOf(decision);
}

TEST(RejectionOrder, ForbiddenBeatsUnknownTrainer) {
  const Given nobody;
  EXPECT_EQ(nobody.When(StartRenewal{}, kNow, TrainerActor(kOtherMcid)), "rejected:forbidden");
  EXPECT_EQ(nobody.When(StartRenewal{}, kNow, SystemActor()), "rejected:forbidden");
}

TEST(RejectionOrder, UnknownTrainerSaysCheckTheMcidOrEnroll) {
  const Decision decision = Given().Decided(StartRenewal{}, kNow);
  EXPECT_EQ(CodeOf(decision), "unknown_trainer");
  EXPECT_TRUE(Mentions(decision, "1000001")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "enroll the trainer first")) << MessageOf(decision);
}

TEST(RejectionOrder, ForbiddenBeatsAlreadyEnrolled) {
  EXPECT_EQ(Enrolled().When(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")},
                            kNow, TrainerActor()),
            "rejected:forbidden");
}

TEST(RejectionOrder, AlreadyEnrolledBeatsARetriedCommand) {
  // The enrolment of Enrolled() was command cmd-1.
  EXPECT_EQ(Enrolled().When(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")},
                            kNow, SupportActor(), "cmd-1"),
            "rejected:already_enrolled");
}

TEST(RejectionOrder, InvalidInputBeatsARetriedCommand) {
  EXPECT_EQ(Enrolled().When(RecordCertification{"", Track::kItPro}, kNow, SystemActor(), "cmd-2"),
            "rejected:invalid_input");
}

TEST(RejectionOrder, ForbiddenBeatsARetriedCommand) {
  EXPECT_EQ(Enrolled().When(RecordCertification{"CERT-it_pro", Track::kItPro}, kNow, TrainerActor(),
                            "cmd-2"),
            "rejected:forbidden");
}

TEST(RejectionOrder, RetriedCommandIdBeatsAlreadyAlumni) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(), "start-1")
      .Did(ApplyAlumni{}, "2017-03-02T00:00:00Z");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-02T01:00:00Z", TrainerActor(), "start-1"),
            "retried");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-02T01:00:00Z", TrainerActor(), "start-2"),
            "rejected:already_alumni");
}

TEST(RejectionOrder, AlreadyAlumniBeatsTimingCodes) {
  Given given = Enrolled();
  given.Did(ApplyAlumni{}, "2016-12-01T00:00:00Z");
  EXPECT_EQ(given.When(StartRenewal{}, "2016-12-02T00:00:00Z"), "rejected:already_alumni");
  EXPECT_EQ(given.When(StartRenewal{}, "2017-05-03T00:00:00Z"), "rejected:already_alumni");
}

TEST(RejectionOrder, TimingBeatsStepOutOfOrder) {
  EXPECT_EQ(AtRequirements().When(BothBoxes(), "2017-05-01T00:00:00Z"),
            "rejected:renewal_window_closed");
}

TEST(RejectionOrder, TimingBeatsRenewalInProgress) {
  EXPECT_EQ(AtRequirements().When(StartRenewal{}, "2017-05-03T00:00:00Z"),
            "rejected:reinstatement_not_yet_open");
}

TEST(RejectionOrder, StepOutOfOrderBeatsTheStepsOwnRule) {
  EXPECT_EQ(AtRequirements().When(AcceptTerms{false, false}, kNow), "rejected:step_out_of_order");
  EnterBillingAddress mismatched = Billing();
  mismatched.email_confirmation = "someone@example.jp";
  EXPECT_EQ(AtTerms().When(mismatched, kNow), "rejected:step_out_of_order");
}

TEST(RejectionOrder, NoRenewalInProgressBeatsTheStepsOwnRule) {
  EXPECT_EQ(Enrolled().When(Profile(EmployerType::kAcademic), kNow),
            "rejected:no_renewal_in_progress");
  EXPECT_EQ(Enrolled().When(AcceptTerms{false, false}, kNow), "rejected:no_renewal_in_progress");
}

TEST(RejectionOrder, PlaceOrderChecksInTheDecidedOrder) {
  const Given given = ReadyToPay();
  PlaceOrder order = CardOrder(kJcb, "1234", "2016-01");  // wrong brand, code and expiry
  order.payer_name = "TARO YAMADA";
  order.confirmed = false;
  EXPECT_EQ(given.When(order, kNow), "rejected:card_brand_not_accepted");
  order.card->number = std::string(kVisa);
  EXPECT_EQ(given.When(order, kNow), "rejected:card_invalid");  // expired
  order.card->expiry = "2030-12";
  EXPECT_EQ(given.When(order, kNow), "rejected:card_invalid");  // 4-digit Visa code
  order.card->security_code = "123";
  EXPECT_EQ(given.When(order, kNow), "rejected:cardholder_must_match_payer");
  order.payer_name = "HANAKO SATO";
  EXPECT_EQ(given.When(order, kNow), "rejected:order_not_confirmed");
  order.confirmed = true;
  EXPECT_EQ(CodeOf(given.Decided(order, kNow)), "accepted");
}

TEST(RejectionOrder, UnknownMethodBeatsCardChecks) {
  PlaceOrder order = CardOrder("1234");
  order.method = "bank_transfer";
  order.confirmed = false;
  EXPECT_EQ(ReadyToPay().When(order, kNow), "rejected:payment_method_not_accepted");
}

// --- AUDIT-1: retried commands and who acted ---

TEST(Audit1Retry, AcceptedCommandRetriedWritesNothing) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(), "start-1");
  const Decision decision =
      given.Decided(StartRenewal{}, "2017-03-01T09:00:05Z", TrainerActor(), "start-1");
  EXPECT_TRUE(decision.accepted());
  EXPECT_TRUE(decision.retried);
  EXPECT_TRUE(decision.events.empty());
}

TEST(Audit1Retry, RetriedRefundWritesNothing) {
  Given given = Renewed();
  given.Did(Refund(), "2017-03-05T00:00:00Z", SupportActor(), "refund-1");
  EXPECT_EQ(given.When(Refund(), "2017-03-05T00:00:10Z", SupportActor(), "refund-1"), "retried");
  EXPECT_EQ(given.When(Refund(), "2017-03-05T00:00:10Z", SupportActor(), "refund-2"),
            "rejected:already_refunded");
}

// A retry is the same command under the same id: another command under an id this trainer's
// accepted command holds is not told it succeeded while nothing was done.
TEST(Audit1Retry, AnotherCommandUnderATakenIdIsRefused) {
  Given given = Enrolled();
  given.Did(StartRenewal{}, "2017-03-01T09:00:00Z", TrainerActor(), "start-1");
  const Decision decision =
      given.Decided(ApplyAlumni{}, "2017-03-01T09:00:05Z", TrainerActor(), "start-1");
  ASSERT_FALSE(decision.accepted());
  EXPECT_EQ(decision.rejection->code, RejectionCode::kInvalidInput);
  EXPECT_EQ(decision.rejection->message,
            "command_id: already used by this trainer's StartRenewal; send this command with a "
            "new id");
  // The enrolment's id too (given as a command of the system role).
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T09:00:05Z", TrainerActor(), "cmd-1"),
            "rejected:invalid_input");
  // Its own retry still answers as one.
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T09:00:05Z", TrainerActor(), "start-1"),
            "retried");
}

TEST(Audit1Retry, RejectedCommandIsDecidedAgain) {
  Given given = Enrolled();
  EXPECT_EQ(given.When(StartRenewal{}, "2016-12-01T00:00:00Z", TrainerActor(), "start-1"),
            "rejected:renewal_window_not_open");
  // Nothing was written, so the same id later is a new decision, not a retry.
  EXPECT_EQ(given.When(StartRenewal{}, "2017-03-01T00:00:00Z", TrainerActor(), "start-1"),
            "RenewalStarted{kind=renewal anniversary=2017-05-01}");
}

TEST(Audit1Actor, WhoActsMustBeNamed) {
  const Given given = Enrolled();
  // Built by hand: the helper would fill in a default actor for an empty id.
  const Command command = given.MakeCommand(StartRenewal{}, kNow, Actor{Role::kSupport, ""}, "c-1");
  const Decision decision = Decide(Policy{}, given.state(), SharedFacts{}, command);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "actor.id")) << MessageOf(decision);
}

TEST(Audit1Actor, EnrolmentNeedsNameAndEmail) {
  EXPECT_TRUE(
      Mentions(Given().Decided(EnrollTrainer{"Hanako", "", On("2017-05-01")}, kNow), "email"));
  EXPECT_EQ(Given().When(EnrollTrainer{"Hanako", "hanako@", On("2017-05-01")}, kNow),
            "rejected:invalid_input");
  EXPECT_EQ(Given().When(EnrollTrainer{"Hanako Sato", "hanako@example.jp", On("2017-05-01")}, kNow),
            "TrainerEnrolled{name=Hanako Sato email=hanako@example.jp anniversary=2017-05-01}");
}

TEST(Audit1Actor, FteCodeNeedsAliasAndCode) {
  const Decision decision = Enrolled().Decided(IssueFteCode{"europe\\hanako", ""}, kNow);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "code")) << MessageOf(decision);
}

// --- Every code ---

TEST(RejectionCodes, NamesRoundTrip) {
  for (const RejectionCode code : AllRejectionCodes()) {
    EXPECT_EQ(ParseRejectionCode(ToString(code)), code) << ToString(code);
  }
  EXPECT_EQ(AllRejectionCodes().size(), 39u);
  EXPECT_EQ(ToString(RejectionCode::kVersionConflict), "version_conflict");
  EXPECT_FALSE(ParseRejectionCode("no_such_code"));
}

// One command per code; each must produce it, with a message that says what to do.
TEST(RejectionCodes, DecideProducesEveryCodeButVersionConflict) {
  const std::string at = std::string(kNow);
  using Case = std::function<Decision()>;
  const std::map<RejectionCode, Case> cases = {
      {RejectionCode::kInvalidInput,
       [&] {
         return Enrolled().Decided(RecordCertification{"", Track::kItPro}, at);
       }},
      {RejectionCode::kUnknownTrainer, [&] { return Given().Decided(StartRenewal{}, at); }},
      {RejectionCode::kAlreadyEnrolled,
       [&] {
         return Enrolled().Decided(EnrollTrainer{"H", "h@example.jp", On("2017-05-01")}, at);
       }},
      {RejectionCode::kRenewalWindowNotOpen,
       [&] { return Enrolled().Decided(StartRenewal{}, "2016-06-01T00:00:00Z"); }},
      {RejectionCode::kRenewalWindowClosed,
       [&] { return AtRequirements().Decided(ConfirmRequirements{}, "2017-05-01T00:00:00Z"); }},
      {RejectionCode::kReinstatementNotYetOpen,
       [&] { return Enrolled().Decided(StartRenewal{}, "2017-05-01T00:00:00Z"); }},
      {RejectionCode::kRenewalInProgress,
       [&] { return AtRequirements().Decided(StartRenewal{}, at); }},
      {RejectionCode::kNoRenewalInProgress,
       [&] { return Enrolled().Decided(ConfirmRequirements{}, at); }},
      {RejectionCode::kStepOutOfOrder, [&] { return AtRequirements().Decided(BothBoxes(), at); }},
      {RejectionCode::kFteCodeInvalid,
       [&] {
         Given given = Enrolled();
         given.Did(StartRenewal{}, "2017-03-01T09:00:00Z");
         return given.Decided(Profile(EmployerType::kMicrosoftFte, "europe\\h", Track::kItPro, "1"),
                              at);
       }},
      {RejectionCode::kFteCodeExpired,
       [&] {
         Given given = Enrolled();
         given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
             .Did(IssueFteCode{"europe\\h", "1"}, "2017-03-01T09:00:00Z");
         return given.Decided(Profile(EmployerType::kMicrosoftFte, "europe\\h", Track::kItPro, "1"),
                              "2017-03-04T00:00:00Z");
       }},
      {RejectionCode::kEmployerDetailRequired,
       [&] {
         Given given = Enrolled();
         given.Did(StartRenewal{}, "2017-03-01T09:00:00Z");
         return given.Decided(Profile(EmployerType::kAcademic), at);
       }},
      {RejectionCode::kTrackNotHeld,
       [&] {
         Given given = Enrolled();
         given.Did(StartRenewal{}, "2017-03-01T09:00:00Z");
         return given.Decided(Profile(EmployerType::kFreelance, "", Track::kDynamics), at);
       }},
      {RejectionCode::kIwNotSelectable,
       [&] {
         Given given = Enrolled();
         given.Did(RecordCertification{"CERT-iw", Track::kIw}, "2016-06-01T00:00:00Z")
             .Did(StartRenewal{}, "2017-03-01T09:00:00Z");
         return given.Decided(Profile(EmployerType::kFreelance, "", Track::kIw), at);
       }},
      {RejectionCode::kExceptionNotAvailable,
       [&] { return AtRequirements().Decided(Exception("2017-02-10"), at); }},
      {RejectionCode::kExceptionRequired,
       [&] {
         Given given = Enrolled();
         given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
             .Did(Profile(EmployerType::kGovernment, "MIC"), "2017-03-01T09:01:00Z");
         return given.Decided(ConfirmRequirements{}, at);
       }},
      {RejectionCode::kClassOutsidePeriod,
       [&] {
         Given given = Enrolled();
         given.Did(StartRenewal{}, "2017-03-01T09:00:00Z")
             .Did(Profile(EmployerType::kGovernment, "MIC"), "2017-03-01T09:01:00Z");
         return given.Decided(Exception("2015-02-10"), at);
       }},
      {RejectionCode::kMtmSurveyRequired,
       [&] { return AtRequirements().Decided(ConfirmRequirements{}, at); }},
      {RejectionCode::kReportAlreadyUploaded,
       [&] {
         Given given = AtRequirements();
         given.Did(Report(), "2017-03-01T09:06:00Z");
         return given.Decided(Report(), at);
       }},
      {RejectionCode::kUnsupportedMediaType,
       [&] { return AtRequirements().Decided(Report("2017-02-10", "image/gif"), at); }},
      {RejectionCode::kReportIncomplete,
       [&] {
         UploadMtmReport report = Report();
         report.course_name.clear();
         return AtRequirements().Decided(report, at);
       }},
      {RejectionCode::kTermsNotAccepted,
       [&] {
         return AtTerms().Decided(AcceptTerms{true, false}, at);
       }},
      {RejectionCode::kEmailMismatch,
       [&] {
         EnterBillingAddress billing = Billing();
         billing.email_confirmation = "x@example.jp";
         return AtPayment().Decided(billing, at);
       }},
      {RejectionCode::kPaymentMethodNotAccepted,
       [&] { return ReadyToPay().Decided(OtherOrder("bank_transfer"), at); }},
      {RejectionCode::kCardBrandNotAccepted,
       [&] { return ReadyToPay().Decided(CardOrder(kJcb), at); }},
      {RejectionCode::kCardInvalid,
       [&] { return ReadyToPay().Decided(CardOrder("4111111111111121"), at); }},
      {RejectionCode::kCardholderMustMatchPayer,
       [&] {
         PlaceOrder order = CardOrder();
         order.card->holder = "TARO YAMADA";
         return ReadyToPay().Decided(order, at);
       }},
      {RejectionCode::kOrderNotConfirmed,
       [&] {
         PlaceOrder order = OtherOrder("paypal");
         order.confirmed = false;
         return ReadyToPay().Decided(order, at);
       }},
      {RejectionCode::kVoucherAlreadyRedeemed,
       [&] {
         Given given = AtPayment();
         given.facts.redeemed_vouchers.insert("V-9");
         return given.Decided(ApplyVoucher{"V-9"}, at);
       }},
      {RejectionCode::kWelcomeKitNotYetAvailable,
       [&] { return Renewed().Decided(OrderWelcomeKit{}, "2017-03-02T00:00:00Z"); }},
      {RejectionCode::kWelcomeKitAlreadyOrdered,
       [&] {
         Given given = Renewed();
         given.Did(OrderWelcomeKit{}, "2017-03-08T00:00:00Z");
         return given.Decided(OrderWelcomeKit{}, "2017-03-09T00:00:00Z");
       }},
      {RejectionCode::kNoRefundPending,
       [&] { return Renewed().Decided(SettleRefund{}, "2017-03-02T00:00:00Z"); }},
      {RejectionCode::kRefundNotAllowed,
       [&] { return Enrolled().Decided(Refund(), "2017-03-02T00:00:00Z"); }},
      {RejectionCode::kAlreadyRefunded,
       [&] {
         Given given = Renewed();
         given.Did(Refund(), "2017-03-02T00:00:00Z");
         return given.Decided(Refund(), "2017-03-03T00:00:00Z");
       }},
      {RejectionCode::kReapplicationBlocked,
       [&] {
         Given given = Renewed();
         given.Did(Refund(), "2017-03-02T00:00:00Z");
         return given.Decided(StartRenewal{}, "2017-03-03T00:00:00Z");
       }},
      {RejectionCode::kAlreadyAlumni,
       [&] {
         Given given = Enrolled();
         given.Did(ApplyAlumni{}, "2017-03-01T00:00:00Z");
         return given.Decided(StartRenewal{}, at);
       }},
      {RejectionCode::kNotAlumni, [&] { return Enrolled().Decided(SwitchBackFromAlumni{}, at); }},
      {RejectionCode::kForbidden,
       [&] { return Enrolled().Decided(StartRenewal{}, at, AuditorActor()); }},
  };
  for (const RejectionCode code : AllRejectionCodes()) {
    if (code == RejectionCode::kVersionConflict) {
      EXPECT_FALSE(cases.contains(code));
      continue;
    }
    const auto found = cases.find(code);
    ASSERT_NE(found, cases.end()) << "no case produces " << ToString(code);
    const Decision decision = found->second();
    EXPECT_EQ(CodeOf(decision), ToString(code));
    EXPECT_FALSE(decision.events.empty() && MessageOf(decision).empty())
        << ToString(code) << " has no message";
    EXPECT_TRUE(decision.events.empty()) << ToString(code) << " wrote events";
  }
}

}  // namespace
}  // namespace mct::domain
