// Card checks of PAY-1 and PAY-5: the brand read from the number, the Luhn check, the expiry and
// the security code. Nothing here keeps the number; callers keep only brand and last four.
//
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/values.h"

namespace mct::domain {

// The brand a number's prefix names. kOther covers JCB, Discover, Diners and anything unknown.
enum class DetectedBrand : uint8_t { kVisa, kMastercard, kAmex, kJcb, kOther };
DetectedBrand DetectBrand(std::string_view digits);
std::string_view ToString(DetectedBrand brand);

// The number with spaces and dashes removed, or nullopt if anything else is not a digit.
std::optional<std::string> CardDigits(std::string_view number);

// The Luhn (mod 10) check over a string of digits.
bool LuhnValid(std::string_view digits);

// `YYYY-MM` as (year, month), or nullopt when malformed.
struct YearMonth {
  int year = 0;
  unsigned month = 0;
};
std::optional<YearMonth> ParseExpiry(std::string_view text);

// A card is usable through the last day of its expiry month.
bool ExpiredOn(const YearMonth& expiry, const Date& today);

// PAY-5: 3 digits, 4 for American Express (decided).
bool SecurityCodeValid(std::string_view code, DetectedBrand brand);

}  // namespace mct::domain
