// Value types of the renewal domain: identifiers, calendar dates, instants, money and the closed
// sets (tracks, employer types, payment methods, roles) named in shared/domain.md.
//
// Every type here is an immutable value: safe to copy and to read from any thread.
// Parsing never throws; it answers std::nullopt and leaves the error message to the caller, who
// knows which field was wrong.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mct::domain {

// A Microsoft Certification ID: 4 to 10 ASCII digits, kept as a string so leading zeros survive.
class Mcid {
 public:
  Mcid() = default;
  // Answers nullopt unless `text` is 4 to 10 digits.
  static std::optional<Mcid> Parse(std::string_view text);
  const std::string& str() const { return value_; }
  auto operator<=>(const Mcid&) const = default;

 private:
  explicit Mcid(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// A calendar date in UTC (`YYYY-MM-DD`).
class Date {
 public:
  Date() = default;
  explicit Date(std::chrono::sys_days days) : days_(days) {}
  // Accepts exactly `YYYY-MM-DD` naming a real day.
  static std::optional<Date> Parse(std::string_view text);
  std::string ToString() const;

  std::chrono::sys_days days() const { return days_; }
  Date AddDays(int days) const { return Date(days_ + std::chrono::days(days)); }
  // Adds calendar years; Feb 29 plus a year is Feb 28 (domain.md, Words: decided).
  Date AddYears(int years) const;
  // Whole days from `other` to this date (positive when this date is later).
  int DaysSince(const Date& other) const { return static_cast<int>((days_ - other.days_).count()); }
  auto operator<=>(const Date&) const = default;

 private:
  std::chrono::sys_days days_{};
};

// An instant in UTC with millisecond precision, written as RFC 3339 (`2017-03-01T09:00:00Z`).
class Instant {
 public:
  using Clock = std::chrono::system_clock;
  using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

  Instant() = default;
  explicit Instant(TimePoint point) : point_(point) {}
  static Instant FromMillis(int64_t millis_since_epoch);
  // Accepts `YYYY-MM-DDTHH:MM:SS[.fff…]Z` or with a `±HH:MM` offset; normalises to UTC.
  static std::optional<Instant> Parse(std::string_view text);
  // Always UTC with a `Z`; milliseconds only when they are not zero.
  std::string ToString() const;

  TimePoint point() const { return point_; }
  int64_t millis() const { return point_.time_since_epoch().count(); }
  // The UTC calendar date this instant falls on: "today" for every date rule.
  Date date() const { return Date(std::chrono::floor<std::chrono::days>(point_)); }
  Instant AddHours(int hours) const { return Instant(point_ + std::chrono::hours(hours)); }
  auto operator<=>(const Instant&) const = default;

 private:
  TimePoint point_{};
};

// The four Primary Training Audiences (AUD-1).
enum class Track : uint8_t { kItPro, kDeveloper, kDynamics, kIw };
std::string_view ToString(Track track);
std::optional<Track> ParseTrack(std::string_view text);

// The employer types of PROF-1.
enum class EmployerType : uint8_t {
  kMicrosoftFte,
  kAcademic,
  kFreelance,
  kGovernment,
  kImagineAcademy,
  kLearningPartner,
  kOther,
};
std::string_view ToString(EmployerType type);
std::optional<EmployerType> ParseEmployerType(std::string_view text);

// What PROF-1's table says about each employer type.
struct EmployerRules {
  bool detail_required;     // the extra field (school, department, MIA ID, MPN ID, domain\alias)
  bool survey_required;     // REQ-2 applies
  bool exception_required;  // REQ-4 applies; the form is not available otherwise
};
EmployerRules RulesFor(EmployerType type);

// The payment methods of PAY-1; anything else is refused `payment_method_not_accepted`.
enum class PaymentMethod : uint8_t { kCreditCard, kDebitCard, kPaypal, kVoucher };
std::string_view ToString(PaymentMethod method);
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view text);
bool IsCard(PaymentMethod method);

// Card brands accepted by PAY-1 (the only ones that can reach an event, PAY-5).
enum class CardBrand : uint8_t { kNone, kVisa, kMastercard, kAmex };
std::string_view ToString(CardBrand brand);
std::optional<CardBrand> ParseCardBrand(std::string_view text);

// Renewal before the anniversary, or reinstatement after it (REIN-1).
enum class RenewalKind : uint8_t { kRenewal, kReinstatement };
std::string_view ToString(RenewalKind kind);
std::optional<RenewalKind> ParseRenewalKind(std::string_view text);

// Who acts (ROLE-1..5).
enum class Role : uint8_t { kTrainer, kSupport, kSystem, kAuditor };
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);

// AUDIT-1: every event says who did it.
struct Actor {
  Role role = Role::kTrainer;
  std::string id;
  bool operator==(const Actor&) const = default;
};

// Configuration the rules read (PAY-6): the fee, the same for renewal and reinstatement.
struct Policy {
  int64_t fee_minor = 40000;
  std::string currency = "USD";
};

}  // namespace mct::domain
