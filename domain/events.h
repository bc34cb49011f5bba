// The events of the renewal log (shared/domain.md, Events): past tense, one struct each, held in
// the `Event` variant. Each type carries a wire tag that is never reused and a schema version;
// the codec (consumers/codec) writes the tag, and old versions are read through upcasters there.
//
// Plain values: copy them freely across threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "domain/values.h"

namespace mct::domain {

struct TrainerEnrolled {
  static constexpr uint16_t kTag = 1;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "TrainerEnrolled";
  static constexpr std::string_view kWrittenBy = "EnrollTrainer";
  std::string name;
  std::string email;
  Date anniversary;
  bool operator==(const TrainerEnrolled&) const = default;
};

struct CertificationRecorded {
  static constexpr uint16_t kTag = 2;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "CertificationRecorded";
  static constexpr std::string_view kWrittenBy = "RecordCertification";
  std::string certification_id;
  Track track = Track::kItPro;
  bool operator==(const CertificationRecorded&) const = default;
};

struct RenewalStarted {
  static constexpr uint16_t kTag = 3;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "RenewalStarted";
  static constexpr std::string_view kWrittenBy = "StartRenewal";
  RenewalKind kind = RenewalKind::kRenewal;
  Date anniversary;  // the deadline this application is for
  bool operator==(const RenewalStarted&) const = default;
};

struct FteCodeIssued {
  static constexpr uint16_t kTag = 4;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "FteCodeIssued";
  static constexpr std::string_view kWrittenBy = "IssueFteCode";
  std::string alias;        // domain\alias
  std::string code_sha256;  // PROF-2: only a hash of the code is kept
  Instant expires_at;       // issue instant + 48 hours, exclusive
  bool operator==(const FteCodeIssued&) const = default;
};

struct ProfileChosen {
  static constexpr uint16_t kTag = 5;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "ProfileChosen";
  static constexpr std::string_view kWrittenBy = "ChooseProfile";
  EmployerType employer_type = EmployerType::kOther;
  std::string employer_detail;
  Track track = Track::kItPro;
  bool operator==(const ProfileChosen&) const = default;
};

struct ExceptionFiled {
  static constexpr uint16_t kTag = 6;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "ExceptionFiled";
  static constexpr std::string_view kWrittenBy = "FileException";
  int64_t classes = 0;
  std::string course_name;
  Date course_date;
  int64_t students = 0;
  std::string organization;
  std::string manager_name;
  std::string manager_email;
  bool operator==(const ExceptionFiled&) const = default;
};

struct MtmSurveyRecorded {
  static constexpr uint16_t kTag = 7;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "MtmSurveyRecorded";
  static constexpr std::string_view kWrittenBy = "RecordMtmSurvey";
  std::string course_name;
  Date course_date;
  double average_score = 0;  // REQ-3: recorded, never judged
  bool operator==(const MtmSurveyRecorded&) const = default;
};

struct MtmReportUploaded {
  static constexpr uint16_t kTag = 8;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "MtmReportUploaded";
  static constexpr std::string_view kWrittenBy = "UploadMtmReport";
  std::string media_type;  // image/jpeg or application/pdf (REQ-5)
  int64_t size = 0;
  std::string sha256;
  std::string mct_full_name;
  std::string course_name;
  Date course_date;
  bool operator==(const MtmReportUploaded&) const = default;
};

struct RequirementsConfirmed {
  static constexpr uint16_t kTag = 9;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "RequirementsConfirmed";
  static constexpr std::string_view kWrittenBy = "ConfirmRequirements";
  bool operator==(const RequirementsConfirmed&) const = default;
};

struct TermsAccepted {
  static constexpr uint16_t kTag = 10;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "TermsAccepted";
  static constexpr std::string_view kWrittenBy = "AcceptTerms";
  bool operator==(const TermsAccepted&) const = default;
};

struct VoucherApplied {
  static constexpr uint16_t kTag = 11;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "VoucherApplied";
  static constexpr std::string_view kWrittenBy = "ApplyVoucher";
  std::string voucher_code;
  bool operator==(const VoucherApplied&) const = default;
};

// PAY-3's fields, without the repeated e-mail.
struct BillingAddressEntered {
  static constexpr uint16_t kTag = 12;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "BillingAddressEntered";
  static constexpr std::string_view kWrittenBy = "EnterBillingAddress";
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string phone;
  std::string address1;
  std::string address2;
  std::string city;
  std::string state;
  std::string postal_code;
  std::string country;
  bool operator==(const BillingAddressEntered&) const = default;
};

// PAY-5: the card number and security code never reach this event; brand and last four only.
struct PaymentPlaced {
  static constexpr uint16_t kTag = 13;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "PaymentPlaced";
  static constexpr std::string_view kWrittenBy = "PlaceOrder";
  std::string order_id;
  PaymentMethod method = PaymentMethod::kCreditCard;
  CardBrand card_brand = CardBrand::kNone;
  std::string card_last4;
  std::string payer_name;
  int64_t amount_minor = 0;
  std::string currency;
  int64_t tax_minor = 0;  // PAY-6: no tax is charged
  std::string idempotency_key;
  std::string voucher_code;  // the voucher this order redeemed (PAY-2), empty otherwise
  bool operator==(const PaymentPlaced&) const = default;
};

struct RenewalCompleted {
  static constexpr uint16_t kTag = 14;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "RenewalCompleted";
  static constexpr std::string_view kWrittenBy = "PlaceOrder";
  RenewalKind kind = RenewalKind::kRenewal;
  std::string order_id;
  Date previous_anniversary;
  Date new_anniversary;
  bool operator==(const RenewalCompleted&) const = default;
};

struct WelcomeKitOrdered {
  static constexpr uint16_t kTag = 15;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "WelcomeKitOrdered";
  static constexpr std::string_view kWrittenBy = "OrderWelcomeKit";
  std::string order_id;
  bool operator==(const WelcomeKitOrdered&) const = default;
};

struct RefundIssued {
  static constexpr uint16_t kTag = 16;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "RefundIssued";
  static constexpr std::string_view kWrittenBy = "IssueRefund";
  std::string order_id;
  int64_t amount_minor = 0;
  std::string reason;
  bool operator==(const RefundIssued&) const = default;
};

struct RefundSettled {
  static constexpr uint16_t kTag = 17;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "RefundSettled";
  static constexpr std::string_view kWrittenBy = "SettleRefund";
  std::string order_id;
  bool operator==(const RefundSettled&) const = default;
};

struct AlumniApplied {
  static constexpr uint16_t kTag = 18;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "AlumniApplied";
  static constexpr std::string_view kWrittenBy = "ApplyAlumni";
  bool operator==(const AlumniApplied&) const = default;
};

struct AlumniSwitchedBack {
  static constexpr uint16_t kTag = 19;
  static constexpr uint16_t kSchemaVersion = 1;
  static constexpr std::string_view kName = "AlumniSwitchedBack";
  static constexpr std::string_view kWrittenBy = "SwitchBackFromAlumni";
  bool operator==(const AlumniSwitchedBack&) const = default;
};

using Event = std::variant<TrainerEnrolled, CertificationRecorded, RenewalStarted, FteCodeIssued,
                           ProfileChosen, ExceptionFiled, MtmSurveyRecorded, MtmReportUploaded,
                           RequirementsConfirmed, TermsAccepted, VoucherApplied,
                           BillingAddressEntered, PaymentPlaced, RenewalCompleted,
                           WelcomeKitOrdered, RefundIssued, RefundSettled, AlumniApplied,
                           AlumniSwitchedBack>;

// The type name of an event as domain.md spells it ("RenewalStarted").
std::string_view EventName(const Event& event);
// The one command whose decision writes this type of event (RenewalCompleted comes with the
// PaymentPlaced of PlaceOrder): whom the role table (ROLE-1..4) lets write it.
std::string_view CommandWriting(const Event& event);
uint16_t EventTag(const Event& event);
uint16_t EventSchemaVersion(const Event& event);

// Who, when and why: the part of an event every event has (AUDIT-1). The command that caused an
// event stamps all of it; the store adds position and hashes in consumers/ (codec envelope).
struct EventMeta {
  Mcid mcid;
  Instant at;
  Actor actor;
  std::string command_id;
  std::string correlation_id;
  std::string causation_id;
  bool operator==(const EventMeta&) const = default;
};

// One event as it stands in a trainer's stream: what every fold reads.
struct RecordedEvent {
  EventMeta meta;
  Event payload;
  bool operator==(const RecordedEvent&) const = default;
};

}  // namespace mct::domain
