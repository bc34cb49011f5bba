// The JSON form of commands: strict decoding, field by field.
#include "admin/command_json.h"

#include <gtest/gtest.h>

namespace mct::admin {
namespace {

using nlohmann::json;

Result<domain::CommandBody> Decode(const std::string& text) {
  return CommandBodyFromJson(json::parse(text), {"mcid", "at", "actor", "command_id"});
}

TEST(CommandJson, DecodesEveryCommandName) {
  for (const char* name :
       {"StartRenewal", "ConfirmRequirements", "OrderWelcomeKit", "ApplyAlumni",
        "SwitchBackFromAlumni", "SettleRefund"}) {
    auto body = Decode(std::string(R"({"command": ")") + name + R"("})");
    ASSERT_TRUE(body.ok()) << name << ": " << body.error().message;
    EXPECT_EQ(domain::CommandName(body.value()), name);
  }
}

TEST(CommandJson, EnvelopeKeysAreLeftForTheCaller) {
  auto body = Decode(R"({"command": "StartRenewal", "mcid": "1000001", "at": "x", "actor": 1,
                         "command_id": "c"})");
  EXPECT_TRUE(body.ok()) << body.error().message;
}

TEST(CommandJson, EnvelopeKeysNotListedAreUnknownFields) {
  auto body = CommandBodyFromJson(json::parse(R"({"command": "StartRenewal", "mcid": "1000001"})"),
                                  {"command_id"});
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "StartRenewal.mcid: unknown field");
}

TEST(CommandJson, UnknownFieldIsNamed) {
  auto body = Decode(R"({"command": "ApplyVoucher", "voucher_code": "V1", "discount": 5})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "ApplyVoucher.discount: unknown field");
}

TEST(CommandJson, WrongTypeIsNamed) {
  auto body = Decode(R"({"command": "FileException", "classes": "one", "course_date": "2017-02-10"})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "FileException.classes: must be a whole number");
}

TEST(CommandJson, MalformedDateIsNamed) {
  auto body = Decode(R"({"command": "RecordMtmSurvey", "course_name": "x", "course_date": "2017-2-10"})");
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.error().message.find("course_date: '2017-2-10' is not a date"), std::string::npos);
}

// A command's dates lie from 1900 to 9998 (regression: a year 0000 anniversary was taken, and
// the status then showed a window opening on "00-1-10-03").
TEST(CommandJson, ADateOutsideTheYears1900To9998IsRefused) {
  for (const std::string anniversary : {"0000-01-01", "1899-12-31", "9999-01-01"}) {
    SCOPED_TRACE(anniversary);
    auto body = Decode(
        R"({"command": "EnrollTrainer", "name": "A", "email": "a@example.jp", "anniversary": ")" +
        anniversary + R"("})");
    ASSERT_FALSE(body.ok());
    EXPECT_NE(body.error().message.find("anniversary: '" + anniversary +
                                        "' is not a date from 1900-01-01 to 9998-12-31"),
              std::string::npos)
        << body.error().message;
  }
  for (const std::string anniversary : {"1900-01-01", "9998-12-31"}) {
    EXPECT_TRUE(
        Decode(
            R"({"command": "EnrollTrainer", "name": "A", "email": "a@example.jp", "anniversary": ")" +
            anniversary + R"("})")
            .ok())
        << anniversary;
  }
}

TEST(CommandJson, UnknownEnumValueIsNamed) {
  auto body = Decode(R"({"command": "ChooseProfile", "employer_type": "pirate", "track": "it_pro"})");
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.error().message.find("employer_type: 'pirate' is not one of"), std::string::npos);
}

TEST(CommandJson, UnknownCommandIsNamed) {
  auto body = Decode(R"({"command": "DeleteTrainer"})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "command: 'DeleteTrainer' is not a command");
}

TEST(CommandJson, MissingCommandNameIsAnError) {
  EXPECT_FALSE(Decode(R"({"name": "x"})").ok());
  EXPECT_FALSE(CommandBodyFromJson(json::array(), {}).ok());
}

// A name of the wrong type is said to be so, not to be missing.
TEST(CommandJson, ACommandNameThatIsNoStringIsNamedSo) {
  auto body = Decode(R"({"command": 5})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message.rfind("command: must be a string", 0), 0u) << body.error().message;
}

TEST(CommandJson, PlaceOrderReadsTheCard) {
  auto body = Decode(R"({"command": "PlaceOrder", "method": "credit_card", "payer_name": "A B",
    "confirmed": true, "idempotency_key": "k",
    "card": {"holder": "A B", "number": "4111111111111111", "expiry": "2019-12", "security_code": "123"}})");
  ASSERT_TRUE(body.ok()) << body.error().message;
  const auto& order = std::get<domain::PlaceOrder>(body.value());
  ASSERT_TRUE(order.card.has_value());
  EXPECT_EQ(order.card->number, "4111111111111111");
  EXPECT_TRUE(order.confirmed);
}

TEST(CommandJson, UnknownCardFieldIsNamed) {
  auto body = Decode(R"({"command": "PlaceOrder", "method": "credit_card",
    "card": {"holder": "A", "pin": "1234"}})");
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.error().message.find("card.pin: unknown field"), std::string::npos)
      << body.error().message;
}

TEST(CommandJson, PlaceOrderNeedsAMethod) {
  auto body = Decode(R"({"command": "PlaceOrder", "confirmed": true})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "PlaceOrder.method: is required");
}

// A survey's score is what MTM measured: none sent is refused, never recorded as 0 (REQ-3 counts
// any score, so a made-up one would pass unseen).
TEST(CommandJson, SurveyNeedsItsScore) {
  const auto missing = Decode(
      R"({"command": "RecordMtmSurvey", "course_name": "20410D", "course_date": "2017-02-10"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("average_score"), std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("required"), std::string::npos) << missing.error().message;
  const auto zero = Decode(
      R"({"command": "RecordMtmSurvey", "course_name": "20410D", "course_date": "2017-02-10",)"
      R"( "average_score": 0})");
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(std::get<domain::RecordMtmSurvey>(zero.value()).average_score, 0.0);
}

TEST(CommandJson, UnknownPaymentMethodIsLeftToTheRules) {
  auto body = Decode(R"({"command": "PlaceOrder", "method": "bank_transfer"})");
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(std::get<domain::PlaceOrder>(body.value()).method, "bank_transfer");
}

TEST(CommandJson, BillingCountryDefaultsToJapan) {
  auto body = Decode(R"({"command": "EnterBillingAddress", "first_name": "Hanako"})");
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(std::get<domain::EnterBillingAddress>(body.value()).country, "JP");
}

TEST(CommandJson, UploadWithoutCourseDateIsLeftToReq5) {
  auto body = Decode(R"({"command": "UploadMtmReport", "media_type": "application/pdf"})");
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_FALSE(std::get<domain::UploadMtmReport>(body.value()).course_date.has_value());
}

TEST(CommandJson, HugeIntegerIsRefused) {
  auto body = Decode(R"({"command": "UploadMtmReport", "size": 18446744073709551615})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().message, "UploadMtmReport.size: is too large");
}

TEST(CommandJson, ActorNeedsRoleAndId) {
  EXPECT_TRUE(ActorFromJson(json::parse(R"({"role": "support", "id": "s-1"})")).ok());
  auto no_id = ActorFromJson(json::parse(R"({"role": "support"})"));
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().message, "actor.id: is required");
  auto bad_role = ActorFromJson(json::parse(R"({"role": "admin", "id": "x"})"));
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.error().message.find("actor.role"), std::string::npos);
}

}  // namespace
}  // namespace mct::admin
