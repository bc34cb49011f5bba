// Value types: MCID, dates, instants, the closed sets and PROF-1's table.
#include "domain/values.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <random>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using testing::On;

// --- Mcid (Words, AUDIT-3) ---

TEST(Audit3Mcid, AcceptsFourToTenDigits) {
  ASSERT_TRUE(Mcid::Parse("1234"));
  EXPECT_EQ(Mcid::Parse("1234")->str(), "1234");
  ASSERT_TRUE(Mcid::Parse("1234567890"));
  EXPECT_EQ(Mcid::Parse("1234567890")->str(), "1234567890");
}

TEST(Audit3Mcid, RefusesThreeOrElevenDigits) {
  EXPECT_FALSE(Mcid::Parse("123"));
  EXPECT_FALSE(Mcid::Parse("12345678901"));
  EXPECT_FALSE(Mcid::Parse(""));
}

TEST(Audit3Mcid, KeepsLeadingZeros) {
  ASSERT_TRUE(Mcid::Parse("0042"));
  EXPECT_EQ(Mcid::Parse("0042")->str(), "0042");
}

TEST(Audit3Mcid, RefusesAnythingButDigits) {
  EXPECT_FALSE(Mcid::Parse("12a45"));
  EXPECT_FALSE(Mcid::Parse(" 12345"));
  EXPECT_FALSE(Mcid::Parse("12345 "));
  EXPECT_FALSE(Mcid::Parse("-12345"));
  EXPECT_FALSE(Mcid::Parse("１２３４５"));  // full-width digits are not ASCII digits
}

// --- Date ---

TEST(DateParse, RoundTripsIsoDates) {
  ASSERT_TRUE(Date::Parse("2017-05-01"));
  EXPECT_EQ(Date::Parse("2017-05-01")->ToString(), "2017-05-01");
  EXPECT_EQ(Date::Parse("2020-02-29")->ToString(), "2020-02-29");
}

TEST(DateParse, RefusesDaysThatDoNotExist) {
  EXPECT_FALSE(Date::Parse("2017-02-29"));
  EXPECT_FALSE(Date::Parse("2017-13-01"));
  EXPECT_FALSE(Date::Parse("2017-04-31"));
  EXPECT_FALSE(Date::Parse("2017-00-10"));
}

TEST(DateParse, RefusesOtherShapes) {
  EXPECT_FALSE(Date::Parse("2017-5-1"));
  EXPECT_FALSE(Date::Parse("2017/05/01"));
  EXPECT_FALSE(Date::Parse("20170501"));
  EXPECT_FALSE(Date::Parse("2017-05-01T00:00:00Z"));
  EXPECT_FALSE(Date::Parse(""));
  EXPECT_FALSE(Date::Parse("2017-05-0a"));
}

TEST(DateAddDays, CrossesMonthsAndYears) {
  EXPECT_EQ(On("2017-05-01").AddDays(-90).ToString(), "2017-01-31");
  EXPECT_EQ(On("2017-05-01").AddDays(7).ToString(), "2017-05-08");
  EXPECT_EQ(On("2016-12-31").AddDays(1).ToString(), "2017-01-01");
  EXPECT_EQ(On("2016-02-28").AddDays(1).ToString(), "2016-02-29");
}

TEST(DateAddYears, KeepsTheDayOfTheMonth) {
  EXPECT_EQ(On("2017-05-01").AddYears(1).ToString(), "2018-05-01");
  EXPECT_EQ(On("2017-05-01").AddYears(-1).ToString(), "2016-05-01");
}

TEST(DateAddYears, Feb29PlusOneYearIsFeb28) {
  EXPECT_EQ(On("2020-02-29").AddYears(1).ToString(), "2021-02-28");
  EXPECT_EQ(On("2020-02-29").AddYears(-1).ToString(), "2019-02-28");
}

TEST(DateAddYears, Feb29PlusFourYearsIsFeb29) {
  EXPECT_EQ(On("2020-02-29").AddYears(4).ToString(), "2024-02-29");
}

TEST(Time4DaysLeft, IsAnniversaryMinusToday) {
  EXPECT_EQ(On("2017-05-01").DaysSince(On("2017-03-01")), 61);
  EXPECT_EQ(On("2017-05-01").DaysSince(On("2017-04-30")), 1);
  EXPECT_EQ(On("2017-05-01").DaysSince(On("2017-05-01")), 0);
  EXPECT_EQ(On("2017-05-01").DaysSince(On("2017-05-03")), -2);
}

TEST(DateCompare, OrdersByDay) {
  EXPECT_LT(On("2017-04-30"), On("2017-05-01"));
  EXPECT_EQ(On("2017-05-01"), On("2017-05-01"));
}

// --- Instant ---

TEST(InstantParse, ReadsUtcWithZ) {
  const auto instant = Instant::Parse("2017-03-01T09:00:00Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->ToString(), "2017-03-01T09:00:00Z");
  EXPECT_EQ(instant->millis(), 1488358800000);
}

TEST(InstantParse, NormalisesOffsetsToUtc) {
  const auto tokyo = Instant::Parse("2017-03-01T09:00:00+09:00");
  ASSERT_TRUE(tokyo);
  EXPECT_EQ(tokyo->ToString(), "2017-03-01T00:00:00Z");
  const auto west = Instant::Parse("2017-03-01T20:30:00-05:00");
  ASSERT_TRUE(west);
  EXPECT_EQ(west->ToString(), "2017-03-02T01:30:00Z");
}

TEST(InstantParse, OffsetMovesTheUtcDate) {
  // 08:59 in Tokyo on 1 May is still 30 April in UTC: the date rules read the UTC day.
  const auto instant = Instant::Parse("2017-05-01T08:59:59+09:00");
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->date().ToString(), "2017-04-30");
}

TEST(InstantParse, KeepsMilliseconds) {
  const auto instant = Instant::Parse("2017-03-01T09:00:00.250Z");
  ASSERT_TRUE(instant);
  EXPECT_EQ(instant->ToString(), "2017-03-01T09:00:00.250Z");
  EXPECT_EQ(instant->millis() % 1000, 250);
}

// Regression: RFC 3339 fractions longer than milliseconds (what many clients send) were refused.
TEST(InstantParse, TruncatesFractionsFinerThanMilliseconds) {
  const auto micro = Instant::Parse("2017-03-01T09:00:00.123456Z");
  ASSERT_TRUE(micro);
  EXPECT_EQ(micro->ToString(), "2017-03-01T09:00:00.123Z");
  const auto nano = Instant::Parse("2017-03-01T09:00:00.999999999+09:00");
  ASSERT_TRUE(nano);
  EXPECT_EQ(nano->ToString(), "2017-03-01T00:00:00.999Z");
  EXPECT_FALSE(Instant::Parse("2017-03-01T09:00:00.Z"));
  EXPECT_FALSE(Instant::Parse("2017-03-01T09:00:00.123456"));
}

TEST(InstantParse, RefusesBadInput) {
  EXPECT_FALSE(Instant::Parse(""));
  EXPECT_FALSE(Instant::Parse("2017-03-01"));
  EXPECT_FALSE(Instant::Parse("2017-03-01 09:00:00Z"));
  EXPECT_FALSE(Instant::Parse("2017-03-01T09:00:00"));  // no zone
  EXPECT_FALSE(Instant::Parse("2017-03-01T25:00:00Z"));
  EXPECT_FALSE(Instant::Parse("2017-02-30T09:00:00Z"));
  EXPECT_FALSE(Instant::Parse("2017-03-01T09:00:00Zjunk"));
  EXPECT_FALSE(Instant::Parse("2017-03-01T09:00:00+0900x"));
  EXPECT_FALSE(Instant::Parse("not an instant at all"));
}

// RFC 3339's offsets are within a day: hours 00-23, minutes 00-59 (regression: +99:99 was read
// as 99 hours and 99 minutes, and the time shifted by them).
TEST(InstantParse, RefusesOffsetsOutsideADay) {
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:00:00+99:99"));
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:00:00+24:00"));
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:00:00-00:60"));
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:00:00+9:00"));
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:00:00+09:00:00"));
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:60:00Z"));
  EXPECT_FALSE(Instant::Parse("2026-11-27T10:00:60Z"));
  const auto furthest = Instant::Parse("2026-11-27T10:00:00-23:59");
  ASSERT_TRUE(furthest);
  EXPECT_EQ(furthest->ToString(), "2026-11-28T09:59:00Z");
}

// The wire format writes four-digit years: an offset may not carry an instant past them.
TEST(InstantParse, RefusesInstantsOutsideFourDigitYearsInUtc) {
  EXPECT_FALSE(Instant::Parse("9999-12-31T23:59:59-23:59"));
  EXPECT_FALSE(Instant::Parse("0000-01-01T00:00:00+23:59"));
  const auto last = Instant::Parse("9999-12-31T23:59:59.999Z");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->ToString(), "9999-12-31T23:59:59.999Z");
}

// RFC 3339 (section 5.6) allows the T and the Z in lower case.
TEST(InstantParse, ReadsLowerCaseTAndZ) {
  const auto lower = Instant::Parse("2017-03-01t09:00:00z");
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->ToString(), "2017-03-01T09:00:00Z");
}

TEST(InstantFormat, OmitsZeroMilliseconds) {
  EXPECT_EQ(Instant::FromMillis(0).ToString(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Instant::FromMillis(1).ToString(), "1970-01-01T00:00:00.001Z");
}

// Instants and dates are written without the date library's stream; its rendering stays the
// reference, for every year it can be given.
TEST(InstantFormat, MatchesTheDateLibraryOverEveryYear) {
  std::mt19937_64 random(20170401);
  const int64_t year_zero = -62167219200000;   // 0000-01-01T00:00:00Z
  const int64_t after_9999 = 253402300800000;  // 10000-01-01T00:00:00Z
  std::vector<int64_t> millis = {
      year_zero - 1,        year_zero, -1, 0, 999, 1000, 951782400000, after_9999 - 1, after_9999,
      after_9999 + 86400000};
  for (int round = 0; round < 20000; ++round) {
    millis.push_back(year_zero - 86400000LL * 400 +
                     static_cast<int64_t>(random() % static_cast<uint64_t>(after_9999 - year_zero +
                                                                           86400000LL * 800)));
    millis.push_back(static_cast<int64_t>(random() % 4102444800000ULL) / 1000 *
                     1000);  // whole seconds
  }
  for (const int64_t at : millis) {
    const Instant instant = Instant::FromMillis(at);
    const auto seconds = std::chrono::floor<std::chrono::seconds>(instant.point());
    const std::string expected = seconds == instant.point()
                                     ? date::format("%FT%TZ", seconds)
                                     : date::format("%FT%TZ", instant.point());
    ASSERT_EQ(instant.ToString(), expected) << at;
    ASSERT_EQ(instant.date().ToString(),
              date::format("%F", std::chrono::floor<date::days>(instant.point())))
        << at;
  }
}

TEST(InstantDate, IsTheUtcCalendarDay) {
  EXPECT_EQ(Instant::Parse("2017-04-30T23:59:59.999Z")->date().ToString(), "2017-04-30");
  EXPECT_EQ(Instant::Parse("2017-05-01T00:00:00Z")->date().ToString(), "2017-05-01");
}

TEST(InstantAddHours, AddsWholeHours) {
  EXPECT_EQ(Instant::Parse("2017-03-01T09:00:00Z")->AddHours(48).ToString(),
            "2017-03-03T09:00:00Z");
}

// --- Closed sets ---

TEST(TrackNames, RoundTrip) {
  for (const Track track : {Track::kItPro, Track::kDeveloper, Track::kDynamics, Track::kIw}) {
    EXPECT_EQ(ParseTrack(ToString(track)), track);
  }
  EXPECT_EQ(ToString(Track::kItPro), "it_pro");
  EXPECT_EQ(ToString(Track::kIw), "iw");
  EXPECT_FALSE(ParseTrack("office"));
}

TEST(EmployerTypeNames, RoundTrip) {
  for (const EmployerType type :
       {EmployerType::kMicrosoftFte, EmployerType::kAcademic, EmployerType::kFreelance,
        EmployerType::kGovernment, EmployerType::kImagineAcademy, EmployerType::kLearningPartner,
        EmployerType::kOther}) {
    EXPECT_EQ(ParseEmployerType(ToString(type)), type);
  }
  EXPECT_EQ(ToString(EmployerType::kMicrosoftFte), "microsoft_fte");
  EXPECT_EQ(ToString(EmployerType::kImagineAcademy), "imagine_academy");
  EXPECT_FALSE(ParseEmployerType("student"));
}

TEST(Pay1PaymentMethodNames, BankTransferIsNotAMethod) {
  EXPECT_EQ(ParsePaymentMethod("credit_card"), PaymentMethod::kCreditCard);
  EXPECT_EQ(ParsePaymentMethod("debit_card"), PaymentMethod::kDebitCard);
  EXPECT_EQ(ParsePaymentMethod("paypal"), PaymentMethod::kPaypal);
  EXPECT_EQ(ParsePaymentMethod("voucher"), PaymentMethod::kVoucher);
  EXPECT_FALSE(ParsePaymentMethod("bank_transfer"));
  EXPECT_TRUE(IsCard(PaymentMethod::kCreditCard));
  EXPECT_TRUE(IsCard(PaymentMethod::kDebitCard));
  EXPECT_FALSE(IsCard(PaymentMethod::kPaypal));
  EXPECT_FALSE(IsCard(PaymentMethod::kVoucher));
}

TEST(Pay5CardBrandNames, OnlyAcceptedBrandsHaveNames) {
  EXPECT_EQ(ParseCardBrand("visa"), CardBrand::kVisa);
  EXPECT_EQ(ParseCardBrand("mastercard"), CardBrand::kMastercard);
  EXPECT_EQ(ParseCardBrand("amex"), CardBrand::kAmex);
  EXPECT_FALSE(ParseCardBrand("jcb"));
}

TEST(RoleNames, RoundTrip) {
  for (const Role role : {Role::kTrainer, Role::kSupport, Role::kSystem, Role::kAuditor}) {
    EXPECT_EQ(ParseRole(ToString(role)), role);
  }
  EXPECT_FALSE(ParseRole("admin"));
}

TEST(RenewalKindNames, RoundTrip) {
  EXPECT_EQ(ParseRenewalKind("renewal"), RenewalKind::kRenewal);
  EXPECT_EQ(ParseRenewalKind("reinstatement"), RenewalKind::kReinstatement);
  EXPECT_FALSE(ParseRenewalKind("revival"));
}

// --- PROF-1's table ---

TEST(Prof1EmployerTable, MatchesEveryRow) {
  struct Row {
    EmployerType type;
    bool detail, survey, exception;
  };
  const Row rows[] = {
      {EmployerType::kMicrosoftFte, true, false, true},
      {EmployerType::kAcademic, true, false, true},
      {EmployerType::kFreelance, false, true, false},
      {EmployerType::kGovernment, true, false, true},
      {EmployerType::kImagineAcademy, true, false, true},
      {EmployerType::kLearningPartner, true, true, false},
      {EmployerType::kOther, false, true, false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(ToString(row.type));
    const EmployerRules rules = RulesFor(row.type);
    EXPECT_EQ(rules.detail_required, row.detail);
    EXPECT_EQ(rules.survey_required, row.survey);
    EXPECT_EQ(rules.exception_required, row.exception);
  }
}

TEST(Prof1EmployerTable, SurveyAndExceptionExcludeEachOther) {
  for (const EmployerType type :
       {EmployerType::kMicrosoftFte, EmployerType::kAcademic, EmployerType::kFreelance,
        EmployerType::kGovernment, EmployerType::kImagineAcademy, EmployerType::kLearningPartner,
        EmployerType::kOther}) {
    const EmployerRules rules = RulesFor(type);
    EXPECT_NE(rules.survey_required, rules.exception_required) << ToString(type);
  }
}

TEST(Pay6Policy, DefaultFeeIs40000Usd) {
  const Policy policy;
  EXPECT_EQ(policy.fee_minor, 40000);
  EXPECT_EQ(policy.currency, "USD");
}

}  // namespace
}  // namespace mct::domain
