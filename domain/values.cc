#include "domain/values.h"

// The date library's parser trips GCC 12's -Wmaybe-uninitialized inside its own templates.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>
#pragma GCC diagnostic pop

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <sstream>
#include <utility>

namespace mct::domain {
namespace {

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Finds `text` among `names` (indexed by the enum's value).
template <typename Enum, size_t N>
std::optional<Enum> FindName(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t index = 0; index < N; ++index) {
    if (names[index] == text) return static_cast<Enum>(index);
  }
  return std::nullopt;
}

// The date library formats through a locale-aware stream, about 1 us a call, and every event's
// JSON holds an instant and often dates; fmt writes the same UTC fields directly, about 0.1 us.
// fmt renders the years 0000-9999 as the library does; other years keep the library's rendering.
// The check compares days, so the calendar fields are worked out once, by gmtime.
bool FitsFourDigits(date::sys_days day) {
  static constexpr date::sys_days kFirst = date::year{0} / 1 / 1;
  static constexpr date::sys_days kLast = date::year{9999} / 12 / 31;
  return day >= kFirst && day <= kLast;
}

// The UTC calendar fields of `seconds` (gmtime: never the machine's time zone).
std::tm UtcFields(std::chrono::sys_seconds seconds) {
  return fmt::gmtime(static_cast<std::time_t>(seconds.time_since_epoch().count()));
}

constexpr std::array<std::string_view, 4> kTrackNames = {"it_pro", "developer", "dynamics", "iw"};
constexpr std::array<std::string_view, 7> kEmployerTypeNames = {
    "microsoft_fte",   "academic",         "freelance", "government",
    "imagine_academy", "learning_partner", "other"};
constexpr std::array<std::string_view, 4> kPaymentMethodNames = {"credit_card", "debit_card",
                                                                 "paypal", "voucher"};
constexpr std::array<std::string_view, 4> kCardBrandNames = {"", "visa", "mastercard", "amex"};
constexpr std::array<std::string_view, 2> kRenewalKindNames = {"renewal", "reinstatement"};
constexpr std::array<std::string_view, 4> kRoleNames = {"trainer", "support", "system", "auditor"};

}  // namespace

std::optional<Mcid> Mcid::Parse(std::string_view text) {
  if (text.size() < 4 || text.size() > 10 || !AllDigits(text)) return std::nullopt;
  return Mcid(std::string(text));
}

std::optional<Date> Date::Parse(std::string_view text) {
  // The library accepts single-digit fields; the wire format does not.
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!AllDigits(text.substr(0, 4)) || !AllDigits(text.substr(5, 2)) ||
      !AllDigits(text.substr(8, 2))) {
    return std::nullopt;
  }
  std::istringstream in{std::string(text)};
  date::year_month_day ymd{};
  in >> date::parse("%Y-%m-%d", ymd);
  if (in.fail() || !ymd.ok()) return std::nullopt;
  return Date(date::sys_days(ymd));
}

std::string Date::ToString() const {
  if (!FitsFourDigits(days_)) return date::format("%F", days_);
  return fmt::format("{:%F}", UtcFields(days_));
}

Date Date::AddYears(int years) const {
  const date::year_month_day ymd{days_};
  date::year_month_day moved = ymd + date::years(years);
  if (!moved.ok()) {
    // Only Feb 29 in a year without one lands here: the last day of that February.
    moved = moved.year() / moved.month() / date::last;
  }
  return Date(date::sys_days(moved));
}

Instant Instant::FromMillis(int64_t millis_since_epoch) {
  return Instant(TimePoint(std::chrono::milliseconds(millis_since_epoch)));
}

namespace {

// The two-digit field of `text` at `at`, if it is two digits no greater than `most`.
std::optional<int> TwoDigits(std::string_view text, size_t at, int most) {
  if (at + 2 > text.size() || !AllDigits(text.substr(at, 2))) return std::nullopt;
  const int value = (text[at] - '0') * 10 + (text[at + 1] - '0');
  if (value > most) return std::nullopt;
  return value;
}

// RFC 3339's time-offset: "Z" (or "z"), or "+HH:MM" / "-HH:MM" within a day; in minutes east.
std::optional<int> OffsetMinutes(std::string_view zone) {
  if (zone == "Z" || zone == "z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  const auto hours = TwoDigits(zone, 1, 23);
  const auto minutes = TwoDigits(zone, 4, 59);
  if (!hours || !minutes) return std::nullopt;
  return (zone[0] == '-' ? -1 : 1) * (*hours * 60 + *minutes);
}

}  // namespace

std::optional<Instant> Instant::Parse(std::string_view text) {
  // RFC 3339: date "T" time, the T and Z in either case (section 5.6).
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  const auto day = Date::Parse(text.substr(0, 10));
  if (!day || text[13] != ':' || text[16] != ':') return std::nullopt;
  const auto hours = TwoDigits(text, 11, 23);
  const auto minutes = TwoDigits(text, 14, 59);
  const auto seconds = TwoDigits(text, 17, 59);
  if (!hours || !minutes || !seconds) return std::nullopt;
  // Any number of fractional digits; an Instant keeps milliseconds, so those past the third are
  // dropped (truncated).
  size_t end = 19;
  int64_t millis = 0;
  if (text[end] == '.') {
    const size_t first = ++end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
    if (end == first) return std::nullopt;  // a '.' needs at least one digit
    for (size_t digit = first; digit < first + 3; ++digit) {
      millis = millis * 10 + (digit < end ? text[digit] - '0' : 0);
    }
  }
  const auto offset = OffsetMinutes(text.substr(end));
  if (!offset) return std::nullopt;
  const TimePoint point = day->days() + std::chrono::hours(*hours) +
                          std::chrono::minutes(*minutes - *offset) +
                          std::chrono::seconds(*seconds) + std::chrono::milliseconds(millis);
  // Years 0000-9999 in UTC too: the wire format writes four digits.
  if (!FitsFourDigits(std::chrono::floor<date::days>(point))) return std::nullopt;
  return Instant(point);
}

std::string Instant::ToString() const {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(point_);
  if (!FitsFourDigits(std::chrono::floor<date::days>(point_))) {
    if (seconds == point_) return date::format("%FT%TZ", seconds);
    return date::format("%FT%TZ", point_);
  }
  if (seconds == point_) return fmt::format("{:%FT%T}Z", UtcFields(seconds));
  return fmt::format("{:%FT%T}.{:03}Z", UtcFields(seconds), (point_ - seconds).count());
}

std::string_view ToString(Track track) { return kTrackNames.at(static_cast<size_t>(track)); }
std::optional<Track> ParseTrack(std::string_view text) {
  return FindName<Track>(kTrackNames, text);
}

std::string_view ToString(EmployerType type) {
  return kEmployerTypeNames.at(static_cast<size_t>(type));
}
std::optional<EmployerType> ParseEmployerType(std::string_view text) {
  return FindName<EmployerType>(kEmployerTypeNames, text);
}

EmployerRules RulesFor(EmployerType type) {
  // PROF-1's table, row by row.
  switch (type) {
    case EmployerType::kMicrosoftFte:
      return {.detail_required = true, .survey_required = false, .exception_required = true};
    case EmployerType::kAcademic:
      return {.detail_required = true, .survey_required = false, .exception_required = true};
    case EmployerType::kFreelance:
      return {.detail_required = false, .survey_required = true, .exception_required = false};
    case EmployerType::kGovernment:
      return {.detail_required = true, .survey_required = false, .exception_required = true};
    case EmployerType::kImagineAcademy:
      return {.detail_required = true, .survey_required = false, .exception_required = true};
    case EmployerType::kLearningPartner:
      return {.detail_required = true, .survey_required = true, .exception_required = false};
    case EmployerType::kOther:
      return {.detail_required = false, .survey_required = true, .exception_required = false};
  }
  return {.detail_required = false, .survey_required = true, .exception_required = false};
}

std::string_view ToString(PaymentMethod method) {
  return kPaymentMethodNames.at(static_cast<size_t>(method));
}
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view text) {
  return FindName<PaymentMethod>(kPaymentMethodNames, text);
}
bool IsCard(PaymentMethod method) {
  return method == PaymentMethod::kCreditCard || method == PaymentMethod::kDebitCard;
}

std::string_view ToString(CardBrand brand) {
  return kCardBrandNames.at(static_cast<size_t>(brand));
}
std::optional<CardBrand> ParseCardBrand(std::string_view text) {
  return FindName<CardBrand>(kCardBrandNames, text);
}

std::string_view ToString(RenewalKind kind) {
  return kRenewalKindNames.at(static_cast<size_t>(kind));
}
std::optional<RenewalKind> ParseRenewalKind(std::string_view text) {
  return FindName<RenewalKind>(kRenewalKindNames, text);
}

std::string_view ToString(Role role) { return kRoleNames.at(static_cast<size_t>(role)); }
std::optional<Role> ParseRole(std::string_view text) { return FindName<Role>(kRoleNames, text); }

}  // namespace mct::domain
