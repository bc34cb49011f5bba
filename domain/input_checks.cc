#include "domain/input_checks.h"

#include <cmath>
#include <string>

#include "domain/card.h"
#include "domain/sha256.h"
#include "domain/overloaded.h"

namespace mct::domain {
namespace {

std::optional<Rejection> Invalid(std::string field, std::string what) {
  return Rejection{RejectionCode::kInvalidInput, field + ": " + what};
}

// First missing field among `fields`, as an invalid_input rejection.
std::optional<Rejection> RequireText(
    std::initializer_list<std::pair<std::string_view, const std::string*>> fields) {
  for (const auto& [name, value] : fields) {
    if (Trim(*value).empty()) return Invalid(std::string(name), "is required; fill it in");
  }
  return std::nullopt;
}

std::optional<Rejection> RequireEmail(std::string_view field, const std::string& value) {
  if (!LooksLikeEmail(value)) {
    return Invalid(std::string(field), "'" + value + "' is not an e-mail address");
  }
  return std::nullopt;
}

bool IsLatin(std::string_view text) {
  for (const unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::optional<Rejection> CheckPlaceOrder(const PlaceOrder& c) {
  if (Trim(c.idempotency_key).empty()) {
    return Invalid("idempotency_key", "is required so a retried order never charges twice");
  }
  const auto method = ParsePaymentMethod(c.method);
  if (!method || !IsCard(*method)) return std::nullopt;
  if (!c.card) return Invalid("card", "is required to pay by card");
  if (auto missing = RequireText({{"card.holder", &c.card->holder},
                                  {"card.number", &c.card->number},
                                  {"card.expiry", &c.card->expiry},
                                  {"card.security_code", &c.card->security_code},
                                  {"payer_name", &c.payer_name}})) {
    return missing;
  }
  if (!IsLatin(c.card->holder)) {
    return Invalid("card.holder", "must be written in Latin letters, as on the card");
  }
  if (!ParseExpiry(c.card->expiry)) {
    return Invalid("card.expiry", "'" + c.card->expiry + "' is not a month of the form YYYY-MM");
  }
  return std::nullopt;
}

std::optional<Rejection> CheckBody(const CommandBody& body) {
  return std::visit(
      Overloaded{
          [](const EnrollTrainer& c) -> std::optional<Rejection> {
            if (auto missing = RequireText({{"name", &c.name}, {"email", &c.email}})) {
              return missing;
            }
            return RequireEmail("email", c.email);
          },
          [](const RecordCertification& c) -> std::optional<Rejection> {
            return RequireText({{"certification_id", &c.certification_id}});
          },
          [](const StartRenewal&) -> std::optional<Rejection> { return std::nullopt; },
          [](const IssueFteCode& c) -> std::optional<Rejection> {
            return RequireText({{"alias", &c.alias}, {"code", &c.code}});
          },
          [](const ChooseProfile&) -> std::optional<Rejection> { return std::nullopt; },
          [](const FileException& c) -> std::optional<Rejection> {
            if (c.classes < 1) return Invalid("classes", "at least one class must be delivered");
            if (c.students < 1) return Invalid("students", "at least one student must attend");
            if (auto missing = RequireText({{"course_name", &c.course_name},
                                            {"organization", &c.organization},
                                            {"manager_name", &c.manager_name},
                                            {"manager_email", &c.manager_email}})) {
              return missing;
            }
            return RequireEmail("manager_email", c.manager_email);
          },
          [](const RecordMtmSurvey& c) -> std::optional<Rejection> {
            if (auto missing = RequireText({{"course_name", &c.course_name}})) return missing;
            if (!std::isfinite(c.average_score) || c.average_score < 0) {
              return Invalid("average_score", "must be a number of zero or more");
            }
            return std::nullopt;
          },
          [](const UploadMtmReport& c) -> std::optional<Rejection> {
            if (c.size <= 0) return Invalid("size", "must be the positive size of the file");
            if (!IsSha256Hex(c.sha256)) {
              return Invalid("sha256", "must be the 64 hex digits of the file's SHA-256");
            }
            return std::nullopt;
          },
          [](const ConfirmRequirements&) -> std::optional<Rejection> { return std::nullopt; },
          [](const AcceptTerms&) -> std::optional<Rejection> { return std::nullopt; },
          [](const ApplyVoucher& c) -> std::optional<Rejection> {
            return RequireText({{"voucher_code", &c.voucher_code}});
          },
          [](const EnterBillingAddress& c) -> std::optional<Rejection> {
            // PAY-3: every field is required.
            if (auto missing = RequireText({{"first_name", &c.first_name},
                                            {"last_name", &c.last_name},
                                            {"email", &c.email},
                                            {"email_confirmation", &c.email_confirmation},
                                            {"phone", &c.phone},
                                            {"address1", &c.address1},
                                            {"address2", &c.address2},
                                            {"city", &c.city},
                                            {"state", &c.state},
                                            {"postal_code", &c.postal_code},
                                            {"country", &c.country}})) {
              return missing;
            }
            return RequireEmail("email", c.email);
          },
          [](const PlaceOrder& c) { return CheckPlaceOrder(c); },
          [](const OrderWelcomeKit&) -> std::optional<Rejection> { return std::nullopt; },
          [](const IssueRefund& c) -> std::optional<Rejection> {
            return RequireText({{"reason", &c.reason}});
          },
          [](const SettleRefund&) -> std::optional<Rejection> { return std::nullopt; },
          [](const ApplyAlumni&) -> std::optional<Rejection> { return std::nullopt; },
          [](const SwitchBackFromAlumni&) -> std::optional<Rejection> { return std::nullopt; },
      },
      body);
}

}  // namespace

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool LooksLikeEmail(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  // One word: no white space or control character (C0, DEL, C1), nor a line or paragraph
  // separator (U+2028, U+2029), which would end a line wherever the address is shown.
  for (size_t index = 0; index < text.size(); ++index) {
    const auto byte = static_cast<unsigned char>(text[index]);
    const auto next = index + 1 < text.size() ? static_cast<unsigned char>(text[index + 1]) : 0;
    const auto third = index + 2 < text.size() ? static_cast<unsigned char>(text[index + 2]) : 0;
    const bool c1 = byte == 0xC2 && next >= 0x80 && next <= 0x9F;
    const bool separator = byte == 0xE2 && next == 0x80 && (third == 0xA8 || third == 0xA9);
    if (byte <= ' ' || byte == 0x7F || c1 || separator) return false;
  }
  // The domain: two labels or more, separated by single dots.
  const auto domain = text.substr(at + 1);
  if (domain.find('.') == std::string_view::npos) return false;
  for (size_t start = 0;;) {
    const auto dot = domain.find('.', start);
    if (domain.substr(start, dot - start).empty()) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::optional<Rejection> CheckInput(const Command& command) {
  if (command.mcid.str().empty()) {
    return Invalid("mcid", "must be 4 to 10 digits (the Microsoft Certification ID)");
  }
  if (command.actor.id.empty()) return Invalid("actor.id", "who acts must be named");
  return CheckBody(command.body);
}

}  // namespace mct::domain
