// Card checks of PAY-1 and PAY-5: brand, Luhn, expiry, security code.
#include "domain/card.h"

#include <gtest/gtest.h>

#include "tests/domain/given.h"

namespace mct::domain {
namespace {

using testing::kAmex;
using testing::kJcb;
using testing::kMastercard;
using testing::kMastercard2Series;
using testing::kVisa;
using testing::On;

TEST(Pay1CardBrand, DetectsVisa) { EXPECT_EQ(DetectBrand(kVisa), DetectedBrand::kVisa); }

TEST(Pay1CardBrand, DetectsMastercard51To55) {
  EXPECT_EQ(DetectBrand(kMastercard), DetectedBrand::kMastercard);
  EXPECT_EQ(DetectBrand("5105105105105100"), DetectedBrand::kMastercard);
  EXPECT_EQ(DetectBrand("5000000000000009"), DetectedBrand::kOther);
  EXPECT_EQ(DetectBrand("5600000000000000"), DetectedBrand::kOther);
}

TEST(Pay1CardBrand, DetectsMastercard2Series) {
  EXPECT_EQ(DetectBrand(kMastercard2Series), DetectedBrand::kMastercard);
  EXPECT_EQ(DetectBrand("2720990000000000"), DetectedBrand::kMastercard);
  EXPECT_EQ(DetectBrand("2220990000000000"), DetectedBrand::kOther);
  EXPECT_EQ(DetectBrand("2721000000000000"), DetectedBrand::kOther);
}

TEST(Pay1CardBrand, DetectsAmex34And37) {
  EXPECT_EQ(DetectBrand(kAmex), DetectedBrand::kAmex);
  EXPECT_EQ(DetectBrand("341111111111111"), DetectedBrand::kAmex);
}

TEST(Pay1CardBrand, DetectsJcb) {
  EXPECT_EQ(DetectBrand(kJcb), DetectedBrand::kJcb);
  EXPECT_EQ(DetectBrand("3528000000000000"), DetectedBrand::kJcb);
  EXPECT_EQ(DetectBrand("3589000000000000"), DetectedBrand::kJcb);
}

TEST(Pay1CardBrand, OthersAreUnknown) {
  EXPECT_EQ(DetectBrand("6011111111111117"), DetectedBrand::kOther);  // Discover
  EXPECT_EQ(DetectBrand("30569309025904"), DetectedBrand::kOther);    // Diners
  EXPECT_EQ(DetectBrand(""), DetectedBrand::kOther);
}

TEST(Pay1CardBrand, NamesBrandsForMessages) {
  EXPECT_EQ(ToString(DetectedBrand::kJcb), "JCB");
  EXPECT_EQ(ToString(DetectedBrand::kAmex), "American Express");
}

TEST(Pay5CardDigits, StripsSpacesAndDashes) {
  EXPECT_EQ(CardDigits("4111 1111 1111 1111"), "4111111111111111");
  EXPECT_EQ(CardDigits("4111-1111-1111-1111"), "4111111111111111");
}

TEST(Pay5CardDigits, RefusesLettersAndWrongLengths) {
  EXPECT_FALSE(CardDigits("4111 1111 1111 111x"));
  EXPECT_FALSE(CardDigits("41111111111"));           // 11 digits
  EXPECT_FALSE(CardDigits("41111111111111111111"));  // 20 digits
  EXPECT_TRUE(CardDigits("411111111111"));           // 12 digits
  EXPECT_TRUE(CardDigits("4111111111111111111"));    // 19 digits
}

TEST(Pay5Luhn, AcceptsTheTestNumbers) {
  EXPECT_TRUE(LuhnValid(kVisa));
  EXPECT_TRUE(LuhnValid(kMastercard));
  EXPECT_TRUE(LuhnValid(kMastercard2Series));
  EXPECT_TRUE(LuhnValid(kAmex));
  EXPECT_TRUE(LuhnValid(kJcb));
  EXPECT_TRUE(LuhnValid("79927398713"));
}

TEST(Pay5Luhn, RefusesOneDigitOff) {
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("4111-1111"));
}

TEST(Pay5Expiry, ParsesYearAndMonth) {
  const auto expiry = ParseExpiry("2030-12");
  ASSERT_TRUE(expiry);
  EXPECT_EQ(expiry->year, 2030);
  EXPECT_EQ(expiry->month, 12u);
}

TEST(Pay5Expiry, RefusesMalformedMonths) {
  EXPECT_FALSE(ParseExpiry("2019-13"));
  EXPECT_FALSE(ParseExpiry("2019-00"));
  EXPECT_FALSE(ParseExpiry("12/19"));
  EXPECT_FALSE(ParseExpiry("2019-1"));
  EXPECT_FALSE(ParseExpiry("2019-12-01"));
  EXPECT_FALSE(ParseExpiry(""));
}

TEST(Pay5Expiry, ValidThroughTheLastDayOfTheExpiryMonth) {
  EXPECT_FALSE(ExpiredOn({2017, 3}, On("2017-03-01")));
  EXPECT_FALSE(ExpiredOn({2017, 3}, On("2017-03-31")));
  EXPECT_TRUE(ExpiredOn({2017, 3}, On("2017-04-01")));
}

TEST(Pay5Expiry, PastYearsAreExpiredFutureYearsAreNot) {
  EXPECT_TRUE(ExpiredOn({2016, 12}, On("2017-01-01")));
  EXPECT_FALSE(ExpiredOn({2018, 1}, On("2017-12-31")));
}

TEST(Pay5SecurityCode, ThreeDigitsForVisaMastercard) {
  EXPECT_TRUE(SecurityCodeValid("123", DetectedBrand::kVisa));
  EXPECT_TRUE(SecurityCodeValid("000", DetectedBrand::kMastercard));
  EXPECT_FALSE(SecurityCodeValid("1234", DetectedBrand::kVisa));
  EXPECT_FALSE(SecurityCodeValid("12", DetectedBrand::kMastercard));
}

TEST(Pay5SecurityCode, FourDigitsForAmex) {
  EXPECT_TRUE(SecurityCodeValid("1234", DetectedBrand::kAmex));
  EXPECT_FALSE(SecurityCodeValid("123", DetectedBrand::kAmex));
}

TEST(Pay5SecurityCode, DigitsOnly) {
  EXPECT_FALSE(SecurityCodeValid("12a", DetectedBrand::kVisa));
  EXPECT_FALSE(SecurityCodeValid("", DetectedBrand::kVisa));
  EXPECT_FALSE(SecurityCodeValid("12 4", DetectedBrand::kAmex));
}

}  // namespace
}  // namespace mct::domain
