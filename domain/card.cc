#include "domain/card.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace mct::domain {
namespace {

int PrefixNumber(std::string_view digits, size_t length) {
  if (digits.size() < length) return -1;
  int value = 0;
  for (size_t index = 0; index < length; ++index) value = value * 10 + (digits[index] - '0');
  return value;
}

bool IsDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  });
}

}  // namespace

DetectedBrand DetectBrand(std::string_view digits) {
  const int two = PrefixNumber(digits, 2);
  const int four = PrefixNumber(digits, 4);
  if (!digits.empty() && digits.front() == '4') return DetectedBrand::kVisa;
  if (two == 34 || two == 37) return DetectedBrand::kAmex;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return DetectedBrand::kMastercard;
  if (four >= 3528 && four <= 3589) return DetectedBrand::kJcb;
  return DetectedBrand::kOther;
}

std::string_view ToString(DetectedBrand brand) {
  switch (brand) {
    case DetectedBrand::kVisa:
      return "Visa";
    case DetectedBrand::kMastercard:
      return "Mastercard";
    case DetectedBrand::kAmex:
      return "American Express";
    case DetectedBrand::kJcb:
      return "JCB";
    case DetectedBrand::kOther:
      return "unknown";
  }
  return "unknown";
}

std::optional<std::string> CardDigits(std::string_view number) {
  std::string digits;
  for (const char c : number) {
    if (c == ' ' || c == '-') continue;
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() < 12 || digits.size() > 19) return std::nullopt;
  return digits;
}

bool LuhnValid(std::string_view digits) {
  if (!IsDigits(digits)) return false;
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (double_it) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

std::optional<YearMonth> ParseExpiry(std::string_view text) {
  if (text.size() != 7 || text[4] != '-' || !IsDigits(text.substr(0, 4)) ||
      !IsDigits(text.substr(5, 2))) {
    return std::nullopt;
  }
  YearMonth out{PrefixNumber(text, 4), static_cast<unsigned>(PrefixNumber(text.substr(5), 2))};
  if (out.month < 1 || out.month > 12) return std::nullopt;
  return out;
}

bool ExpiredOn(const YearMonth& expiry, const Date& today) {
  const std::chrono::year_month_day ymd{today.days()};
  const int this_year = static_cast<int>(ymd.year());
  const unsigned this_month = static_cast<unsigned>(ymd.month());
  return expiry.year < this_year || (expiry.year == this_year && expiry.month < this_month);
}

bool SecurityCodeValid(std::string_view code, DetectedBrand brand) {
  const size_t wanted = brand == DetectedBrand::kAmex ? 4 : 3;
  return code.size() == wanted && IsDigits(code);
}

}  // namespace mct::domain
