// The commands of the renewal tool (shared/domain.md, Commands), one struct each, held in the
// `CommandBody` variant and wrapped in `Command` with who sent it, when and its id.
//
// A command is a request, not a fact: it may carry what must never be stored (a card number, an
// FTE code); Decide turns it into events that do not (PAY-5, PROF-2).
// Plain values: copy them freely across threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "domain/values.h"

namespace mct::domain {

struct EnrollTrainer {
  static constexpr std::string_view kName = "EnrollTrainer";
  std::string name;
  std::string email;
  Date anniversary;
};

struct RecordCertification {
  static constexpr std::string_view kName = "RecordCertification";
  std::string certification_id;
  Track track = Track::kItPro;
};

struct StartRenewal {
  static constexpr std::string_view kName = "StartRenewal";
};

struct IssueFteCode {
  static constexpr std::string_view kName = "IssueFteCode";
  std::string alias;
  std::string code;  // as mailed; only its hash is kept (PROF-2)
};

struct ChooseProfile {
  static constexpr std::string_view kName = "ChooseProfile";
  EmployerType employer_type = EmployerType::kOther;
  std::string employer_detail;
  std::string fte_code;
  Track track = Track::kItPro;
};

struct FileException {
  static constexpr std::string_view kName = "FileException";
  int64_t classes = 0;
  std::string course_name;
  Date course_date;
  int64_t students = 0;
  std::string organization;
  std::string manager_name;
  std::string manager_email;
};

struct RecordMtmSurvey {
  static constexpr std::string_view kName = "RecordMtmSurvey";
  std::string course_name;
  Date course_date;
  double average_score = 0;
};

// The upload's bytes are kept by the front door (content-addressed); the command carries what it
// learnt of them. Empty strings and a missing course date mean "the report does not say".
struct UploadMtmReport {
  static constexpr std::string_view kName = "UploadMtmReport";
  std::string media_type;
  int64_t size = 0;
  std::string sha256;
  std::string mct_full_name;
  std::string course_name;
  std::optional<Date> course_date;
};

struct ConfirmRequirements {
  static constexpr std::string_view kName = "ConfirmRequirements";
};

struct AcceptTerms {
  static constexpr std::string_view kName = "AcceptTerms";
  bool accept_terms = false;
  bool accept_payment_redirect = false;
};

struct ApplyVoucher {
  static constexpr std::string_view kName = "ApplyVoucher";
  std::string voucher_code;
};

struct EnterBillingAddress {
  static constexpr std::string_view kName = "EnterBillingAddress";
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string email_confirmation;
  std::string phone;
  std::string address1;
  std::string address2;
  std::string city;
  std::string state;
  std::string postal_code;
  std::string country = "JP";  // PAY-3: preselected
};

// Card details as typed; never stored (PAY-5).
struct CardDetails {
  std::string holder;
  std::string number;
  std::string expiry;  // YYYY-MM
  std::string security_code;
};

struct PlaceOrder {
  static constexpr std::string_view kName = "PlaceOrder";
  std::string method;  // kept as sent: an unknown method is a rule's "no", not malformed input
  std::optional<CardDetails> card;
  std::string payer_name;
  bool confirmed = false;
  std::string idempotency_key;
};

struct OrderWelcomeKit {
  static constexpr std::string_view kName = "OrderWelcomeKit";
};

struct IssueRefund {
  static constexpr std::string_view kName = "IssueRefund";
  std::string order_id;  // empty: the latest order
  std::string reason;
};

struct SettleRefund {
  static constexpr std::string_view kName = "SettleRefund";
  std::string order_id;  // empty: the latest refunded order
};

struct ApplyAlumni {
  static constexpr std::string_view kName = "ApplyAlumni";
};

struct SwitchBackFromAlumni {
  static constexpr std::string_view kName = "SwitchBackFromAlumni";
};

using CommandBody =
    std::variant<EnrollTrainer, RecordCertification, StartRenewal, IssueFteCode, ChooseProfile,
                 FileException, RecordMtmSurvey, UploadMtmReport, ConfirmRequirements, AcceptTerms,
                 ApplyVoucher, EnterBillingAddress, PlaceOrder, OrderWelcomeKit, IssueRefund,
                 SettleRefund, ApplyAlumni, SwitchBackFromAlumni>;

std::string_view CommandName(const CommandBody& body);

// A command with its envelope. `at` is stamped by the front door (the domain reads no clock).
struct Command {
  Mcid mcid;
  Instant at;
  Actor actor;
  std::string command_id;
  std::string correlation_id;
  CommandBody body;
};

}  // namespace mct::domain
