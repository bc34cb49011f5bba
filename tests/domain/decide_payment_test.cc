// Steps 3 and 4, terms and payment: TERMS-1 and PAY-1..8.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)

constexpr std::string_view kNow = "2017-03-01T09:10:00Z";

// What a placed order's RenewalCompleted says for the standard renewal.
constexpr std::string_view kCompleted =
    "RenewalCompleted{kind=renewal order_id=CT00000001 previous_anniversary=2017-05-01 "
    "new_anniversary=2018-05-01}";

// The standard renewal at the payment step with the voucher `code` applied and billing entered.
Given ReadyToPayByVoucher(std::string code = "MCT-V-1") {
  Given given = AtPayment();
  given.Did(ApplyVoucher{std::move(code)}, "2017-03-01T09:08:30Z")
      .Did(Billing(), "2017-03-01T09:09:00Z");
  return given;
}

// --- TERMS-1 ---

TEST(Terms1BothBoxes, BothTickedAccepts) {
  EXPECT_EQ(AtTerms().When(BothBoxes(), kNow), "TermsAccepted{}");
}

TEST(Terms1BothBoxes, EitherMissingIsRefused) {
  const Given given = AtTerms();
  EXPECT_EQ(given.When(AcceptTerms{true, false}, kNow), "rejected:terms_not_accepted");
  EXPECT_EQ(given.When(AcceptTerms{false, true}, kNow), "rejected:terms_not_accepted");
  EXPECT_EQ(given.When(AcceptTerms{false, false}, kNow), "rejected:terms_not_accepted");
}

TEST(Terms1BothBoxes, RejectionSaysTickBoth) {
  const Decision decision = AtTerms().Decided(AcceptTerms{true, false}, kNow);
  EXPECT_TRUE(Mentions(decision, "Tick both boxes")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "payment provider")) << MessageOf(decision);
}

// --- PAY-1 ---

TEST(Pay1Methods, BankTransferIsNotAccepted) {
  const Decision decision = ReadyToPay().Decided(OtherOrder("bank_transfer"), kNow);
  EXPECT_EQ(CodeOf(decision), "payment_method_not_accepted");
  EXPECT_TRUE(Mentions(decision, "bank transfer ended in 2016")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "PayPal")) << MessageOf(decision);
}

TEST(Pay1Methods, PaypalIsAccepted) {
  EXPECT_EQ(ReadyToPay().When(OtherOrder("paypal"), kNow),
            "PaymentPlaced{order_id=CT00000001 method=paypal card_brand= card_last4= "
            "payer_name=HANAKO SATO amount_minor=40000 currency=USD tax_minor=0 "
            "idempotency_key=order-1 voucher_code=}; " +
                std::string(kCompleted));
}

TEST(Pay1Methods, DebitCardIsAccepted) {
  PlaceOrder order = CardOrder(kMastercard);
  order.method = "debit_card";
  const std::string rendered = ReadyToPay().When(order, kNow);
  EXPECT_NE(rendered.find("method=debit_card card_brand=mastercard card_last4=4444"),
            std::string::npos)
      << rendered;
}

TEST(Pay1Methods, JcbCardIsRefusedAndPointedToPaypal) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kJcb), kNow);
  EXPECT_EQ(CodeOf(decision), "card_brand_not_accepted");
  EXPECT_TRUE(Mentions(decision, "JCB")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "PayPal")) << MessageOf(decision);
}

TEST(Pay1Methods, UnknownBrandIsRefusedBeforeTheLuhnCheck) {
  EXPECT_EQ(ReadyToPay().When(CardOrder("6011111111111118"), kNow),
            "rejected:card_brand_not_accepted");
}

TEST(Pay1Methods, MastercardTwoSeriesIsAccepted) {
  const std::string rendered = ReadyToPay().When(CardOrder(kMastercard2Series), kNow);
  EXPECT_NE(rendered.find("card_brand=mastercard card_last4=0009"), std::string::npos) << rendered;
}

// --- PAY-2 ---

TEST(Pay2Voucher, AppliedInTheCart) {
  EXPECT_EQ(AtPayment().When(ApplyVoucher{" MCT-V-1 "}, kNow),
            "VoucherApplied{voucher_code=MCT-V-1}");
}

TEST(Pay2Voucher, PaysTheWholeFee) {
  EXPECT_EQ(ReadyToPayByVoucher().When(OtherOrder("voucher"), kNow),
            "PaymentPlaced{order_id=CT00000001 method=voucher card_brand= card_last4= "
            "payer_name=HANAKO SATO amount_minor=40000 currency=USD tax_minor=0 "
            "idempotency_key=order-1 voucher_code=MCT-V-1}; " +
                std::string(kCompleted));
}

TEST(Pay2Voucher, RedeemedCodeCannotBeApplied) {
  Given given = AtPayment();
  given.facts.redeemed_vouchers.insert("MCT-V-1");
  const Decision decision = given.Decided(ApplyVoucher{"MCT-V-1"}, kNow);
  EXPECT_EQ(CodeOf(decision), "voucher_already_redeemed");
  EXPECT_TRUE(Mentions(decision, "MCT-V-1")) << MessageOf(decision);
  EXPECT_TRUE(Mentions(decision, "use another voucher")) << MessageOf(decision);
}

TEST(Pay2Voucher, RedeemedBetweenApplyAndOrderIsRefused) {
  Given given = ReadyToPayByVoucher();
  given.facts.redeemed_vouchers.insert("MCT-V-1");  // another trainer placed an order with it
  EXPECT_EQ(given.When(OtherOrder("voucher"), kNow), "rejected:voucher_already_redeemed");
}

TEST(Pay2Voucher, RedeemedOnceAcrossAllTrainers) {
  Given first = ReadyToPayByVoucher();
  first.Did(OtherOrder("voucher"), kNow);
  // The caller reads redeemed codes from every trainer's orders; give them to the second trainer.
  Given second(kOtherMcid);
  second.facts = first.facts;
  second
      .Did(EnrollTrainer{"Taro Yamada", "taro@example.jp", On("2017-05-01")},
           "2016-05-01T00:00:00Z")
      .Did(RecordCertification{"CERT-it_pro", Track::kItPro}, "2016-05-01T00:00:00Z")
      .Did(StartRenewal{}, "2017-03-02T09:00:00Z", TrainerActor(kOtherMcid))
      .Did(Profile(EmployerType::kFreelance), "2017-03-02T09:01:00Z", TrainerActor(kOtherMcid))
      .Did(Survey("2017-02-10"), "2017-03-02T09:02:00Z")
      .Did(ConfirmRequirements{}, "2017-03-02T09:03:00Z", TrainerActor(kOtherMcid))
      .Did(BothBoxes(), "2017-03-02T09:04:00Z", TrainerActor(kOtherMcid));
  EXPECT_EQ(second.When(ApplyVoucher{"MCT-V-1"}, "2017-03-02T09:05:00Z", TrainerActor(kOtherMcid)),
            "rejected:voucher_already_redeemed");
}

TEST(Pay2Voucher, AppliedButUnusedIsNotRedeemed) {
  Given given = ReadyToPayByVoucher();
  given.Did(CardOrder(), kNow);
  EXPECT_FALSE(given.facts.redeemed_vouchers.contains("MCT-V-1"));
  const std::string rendered = Render(ReadyToPayByVoucher().Decided(CardOrder(), kNow));
  EXPECT_NE(rendered.find("voucher_code=}"), std::string::npos) << rendered;
}

// --- PAY-3 ---

TEST(Pay3BillingAddress, RecordedWithoutTheRepeatedEmailAndJpByDefault) {
  EXPECT_EQ(AtPayment().When(Billing(), kNow),
            "BillingAddressEntered{first_name=Hanako last_name=Sato email=hanako@example.jp "
            "phone=+81-3-1234-5678 address1=1-2-3 Shinjuku address2=Room 405 city=Shinjuku-ku "
            "state=Tokyo postal_code=160-0022 country=JP}");
}

TEST(Pay3BillingAddress, EmailsMustMatch) {
  EnterBillingAddress billing = Billing();
  billing.email_confirmation = "hanako@example.com";
  const Decision decision = AtPayment().Decided(billing, kNow);
  EXPECT_EQ(CodeOf(decision), "email_mismatch");
  EXPECT_TRUE(Mentions(decision, "type the same address twice")) << MessageOf(decision);
}

TEST(Pay3BillingAddress, SurroundingSpacesDoNotMakeAMismatch) {
  EnterBillingAddress billing = Billing();
  billing.email_confirmation = " hanako@example.jp ";
  EXPECT_EQ(CodeOf(AtPayment().Decided(billing, kNow)), "accepted");
}

TEST(Pay3BillingAddress, EveryFieldIsRequired) {
  const std::vector<std::pair<std::string, std::string EnterBillingAddress::*>> fields = {
      {"first_name", &EnterBillingAddress::first_name},
      {"last_name", &EnterBillingAddress::last_name},
      {"email", &EnterBillingAddress::email},
      {"email_confirmation", &EnterBillingAddress::email_confirmation},
      {"phone", &EnterBillingAddress::phone},
      {"address1", &EnterBillingAddress::address1},
      {"address2", &EnterBillingAddress::address2},
      {"city", &EnterBillingAddress::city},
      {"state", &EnterBillingAddress::state},
      {"postal_code", &EnterBillingAddress::postal_code},
      {"country", &EnterBillingAddress::country},
  };
  for (const auto& [name, member] : fields) {
    EnterBillingAddress billing = Billing();
    billing.*member = "";
    const Decision decision = AtPayment().Decided(billing, kNow);
    EXPECT_EQ(CodeOf(decision), "invalid_input") << name;
    EXPECT_EQ(MessageOf(decision).rfind(name + ":", 0), 0u) << MessageOf(decision);
  }
}

TEST(Pay3BillingAddress, EmailMustLookLikeOne) {
  EnterBillingAddress billing = Billing();
  billing.email = billing.email_confirmation = "hanako.example.jp";
  EXPECT_EQ(AtPayment().When(billing, kNow), "rejected:invalid_input");
}

TEST(Pay3BillingAddress, OrderNeedsOne) {
  const Decision decision = AtPayment().Decided(CardOrder(), kNow);
  EXPECT_EQ(CodeOf(decision), "step_out_of_order");
  EXPECT_TRUE(Mentions(decision, "billing address")) << MessageOf(decision);
}

// --- PAY-4 ---

TEST(Pay4Payer, CardholderMustBeThePayer) {
  PlaceOrder order = CardOrder();
  order.payer_name = "TARO YAMADA";
  const Decision decision = ReadyToPay().Decided(order, kNow);
  EXPECT_EQ(CodeOf(decision), "cardholder_must_match_payer");
  EXPECT_TRUE(Mentions(decision, "as it is written on the card")) << MessageOf(decision);
}

TEST(Pay4Payer, ComparedIgnoringCaseAndSpaces) {
  PlaceOrder order = CardOrder();
  order.payer_name = "  hanako   sato ";
  EXPECT_EQ(CodeOf(ReadyToPay().Decided(order, kNow)), "accepted");
}

TEST(Pay4Payer, MayBeSomeoneOtherThanTheApplicant) {
  PlaceOrder order = CardOrder();
  order.card->holder = "TARO YAMADA";
  order.payer_name = "TARO YAMADA";
  const std::string rendered = ReadyToPay().When(order, kNow);
  EXPECT_NE(rendered.find("payer_name=TARO YAMADA"), std::string::npos) << rendered;
}

TEST(Pay4Payer, HolderMustBeInLatinLetters) {
  PlaceOrder order = CardOrder();
  order.card->holder = "佐藤花子";
  order.payer_name = "佐藤花子";
  const Decision decision = ReadyToPay().Decided(order, kNow);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "card.holder")) << MessageOf(decision);
}

TEST(Pay4Payer, CardIsCheckedBeforeTheHolder) {
  PlaceOrder order = CardOrder("4111111111111112");
  order.payer_name = "TARO YAMADA";
  EXPECT_EQ(ReadyToPay().When(order, kNow), "rejected:card_invalid");
}

// --- PAY-5 ---

TEST(Pay5NeverStored, NoEventHoldsTheNumberOrTheSecurityCode) {
  struct Card {
    std::string_view number;
    std::string code;
  };
  for (const Card& card : {Card{kVisa, "739"}, Card{kMastercard, "739"},
                           Card{kMastercard2Series, "739"}, Card{kAmex, "7391"}}) {
    const Decision decision = ReadyToPay().Decided(CardOrder(card.number, card.code), kNow);
    ASSERT_TRUE(decision.accepted()) << MessageOf(decision);
    ASSERT_EQ(decision.events.size(), 2u);
    for (const Event& event : decision.events) {
      const std::string rendered = Render(event);
      EXPECT_EQ(rendered.find(card.number), std::string::npos) << rendered;
      EXPECT_EQ(rendered.find(card.number.substr(0, 12)), std::string::npos) << rendered;
      EXPECT_EQ(rendered.find(card.code), std::string::npos) << rendered;
    }
  }
}

TEST(Pay5NeverStored, NumberTypedWithSpacesIsNotStoredEither) {
  const Decision decision = ReadyToPay().Decided(CardOrder("4111 1111 1111 1111", "739"), kNow);
  const std::string rendered = Render(decision);
  EXPECT_NE(rendered.find("card_brand=visa card_last4=1111"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("4111 1111"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("411111"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("739"), std::string::npos) << rendered;
}

TEST(Pay5NeverStored, BrandAndLastFourAreKept) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kAmex, "1234"), kNow);
  ASSERT_TRUE(decision.accepted()) << MessageOf(decision);
  const auto& payment = std::get<PaymentPlaced>(decision.events.front());
  EXPECT_EQ(payment.card_brand, CardBrand::kAmex);
  EXPECT_EQ(payment.card_last4, "0005");
}

TEST(Pay5Card, LuhnInvalidNumberIsRefused) {
  const Decision decision = ReadyToPay().Decided(CardOrder("4111111111111112"), kNow);
  EXPECT_EQ(CodeOf(decision), "card_invalid");
  EXPECT_TRUE(Mentions(decision, "check it")) << MessageOf(decision);
}

TEST(Pay5Card, NumberWithLettersIsInvalid) {
  EXPECT_EQ(ReadyToPay().When(CardOrder("4111-1111-1111-111O"), kNow), "rejected:card_invalid");
}

TEST(Pay5Card, ExpiredCardIsRefused) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kVisa, "123", "2017-02"), kNow);
  EXPECT_EQ(CodeOf(decision), "card_invalid");
  EXPECT_TRUE(Mentions(decision, "expired in 2017-02")) << MessageOf(decision);
}

TEST(Pay5Card, ValidThroughItsExpiryMonth) {
  EXPECT_EQ(CodeOf(ReadyToPay().Decided(CardOrder(kVisa, "123", "2017-03"), kNow)), "accepted");
}

TEST(Pay5Card, MalformedExpiryIsInvalidInput) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kVisa, "123", "03/19"), kNow);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "card.expiry")) << MessageOf(decision);
}

TEST(Pay5Card, VisaCodeIsThreeDigits) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kVisa, "1234"), kNow);
  EXPECT_EQ(CodeOf(decision), "card_invalid");
  EXPECT_TRUE(Mentions(decision, "3 digits on the back")) << MessageOf(decision);
}

TEST(Pay5Card, AmexNeedsTheFourDigitCodeOnItsFront) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kAmex, "123"), kNow);
  EXPECT_EQ(CodeOf(decision), "card_invalid");
  EXPECT_TRUE(Mentions(decision, "4 digits on its front")) << MessageOf(decision);
  EXPECT_EQ(CodeOf(ReadyToPay().Decided(CardOrder(kAmex, "1234"), kNow)), "accepted");
}

TEST(Pay5Card, CardDetailsAreRequiredForCardMethods) {
  PlaceOrder order = CardOrder();
  order.card.reset();
  const Decision missing = ReadyToPay().Decided(order, kNow);
  EXPECT_EQ(CodeOf(missing), "invalid_input");
  EXPECT_TRUE(Mentions(missing, "card")) << MessageOf(missing);
  PlaceOrder no_code = CardOrder(kVisa, "");
  EXPECT_TRUE(Mentions(ReadyToPay().Decided(no_code, kNow), "card.security_code"));
}

// --- PAY-6 ---

TEST(Pay6Review, OrderMustBeConfirmed) {
  PlaceOrder order = CardOrder();
  order.confirmed = false;
  const Decision decision = ReadyToPay().Decided(order, kNow);
  EXPECT_EQ(CodeOf(decision), "order_not_confirmed");
  EXPECT_TRUE(Mentions(decision, "tick the confirmation box")) << MessageOf(decision);
}

TEST(Pay6Review, FeeComesFromConfiguration) {
  Given given = ReadyToPay();
  given.policy.fee_minor = 25000;
  given.policy.currency = "EUR";
  const std::string rendered = given.When(CardOrder(), kNow);
  EXPECT_NE(rendered.find("amount_minor=25000 currency=EUR tax_minor=0"), std::string::npos)
      << rendered;
}

TEST(Pay6Review, VoucherMethodWithoutAppliedVoucherIsInvalidInput) {
  const Decision decision = ReadyToPay().Decided(OtherOrder("voucher"), kNow);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "ApplyVoucher")) << MessageOf(decision);
}

TEST(Pay6Review, VoucherPaymentRecordsTheFullFee) {
  Given given = ReadyToPayByVoucher();
  given.policy.fee_minor = 31000;
  const std::string rendered = given.When(OtherOrder("voucher"), kNow);
  EXPECT_NE(rendered.find("method=voucher card_brand= card_last4= payer_name=HANAKO SATO "
                          "amount_minor=31000"),
            std::string::npos)
      << rendered;
}

TEST(Pay6Review, VoucherChecksComeBeforeConfirmation) {
  Given given = ReadyToPayByVoucher();
  given.facts.redeemed_vouchers.insert("MCT-V-1");
  PlaceOrder order = OtherOrder("voucher");
  order.confirmed = false;
  EXPECT_EQ(given.When(order, kNow), "rejected:voucher_already_redeemed");
}

// --- PAY-7 ---

TEST(Pay7OrderNumber, IsCtAndEightDigits) {
  EXPECT_EQ(FormatOrderId(1), "CT00000001");
  EXPECT_EQ(FormatOrderId(42), "CT00000042");
  EXPECT_EQ(FormatOrderId(12345678), "CT12345678");
  EXPECT_THAT(FormatOrderId(99999999), ::testing::MatchesRegex("CT[0-9]{8}"));
}

TEST(Pay7OrderNumber, TakenFromTheCallersNextNumber) {
  Given given = ReadyToPay();
  given.facts.next_order_number = 4242;
  const std::string rendered = given.When(CardOrder(), kNow);
  EXPECT_NE(rendered.find("PaymentPlaced{order_id=CT00004242"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("RenewalCompleted{kind=renewal order_id=CT00004242"), std::string::npos)
      << rendered;
}

// --- PAY-8 ---

TEST(Pay8Idempotency, SameKeyRetriedWritesNothing) {
  Given given = ReadyToPay();
  given.Did(CardOrder(), kNow);
  const Decision decision = given.Decided(CardOrder(), "2017-03-01T09:10:30Z", {}, "retry-1");
  EXPECT_TRUE(decision.accepted());
  EXPECT_TRUE(decision.retried);
  EXPECT_TRUE(decision.events.empty());
}

TEST(Pay8Idempotency, RetriedWhateverTheApplicationLooksLikeNow) {
  Given given = Renewed();
  PlaceOrder unconfirmed = CardOrder();
  unconfirmed.confirmed = false;
  EXPECT_EQ(given.When(unconfirmed, "2017-03-01T09:11:00Z"), "retried");
  given.Did(ApplyAlumni{}, "2017-03-02T00:00:00Z");
  EXPECT_EQ(given.When(CardOrder(), "2017-06-01T00:00:00Z"), "retried");
}

TEST(Pay8Idempotency, NewKeyIsANewOrder) {
  EXPECT_EQ(Renewed().When(CardOrder(kVisa, "123", "2030-12", "order-2"), "2017-03-01T09:11:00Z"),
            "rejected:no_renewal_in_progress");
}

TEST(Pay8Idempotency, KeyIsRequired) {
  const Decision decision = ReadyToPay().Decided(CardOrder(kVisa, "123", "2030-12", "  "), kNow);
  EXPECT_EQ(CodeOf(decision), "invalid_input");
  EXPECT_TRUE(Mentions(decision, "idempotency_key")) << MessageOf(decision);
}

TEST(Pay8Idempotency, RejectedOrderDoesNotUseUpItsKey) {
  Given given = ReadyToPay();
  PlaceOrder unconfirmed = CardOrder();
  unconfirmed.confirmed = false;
  EXPECT_EQ(given.When(unconfirmed, kNow), "rejected:order_not_confirmed");
  EXPECT_FALSE(given.state().idempotency_keys.contains("order-1"));
  EXPECT_EQ(CodeOf(given.Decided(CardOrder(), kNow)), "accepted");
}

}  // namespace
}  // namespace mct::domain
