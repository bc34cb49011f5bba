#include "admin/command_json.h"

#include <functional>
#include <map>

#include "admin/field_reader.h"

namespace mct::admin {
namespace {

using domain::CommandBody;
using Reader = std::function<CommandBody(FieldReader&)>;

domain::CardDetails ReadCard(const nlohmann::json& object, FieldReader& outer) {
  FieldReader card(object, "card");
  domain::CardDetails out;
  out.holder = card.Text("holder");
  out.number = card.Text("number");
  out.expiry = card.Text("expiry");
  out.security_code = card.Text("security_code");
  if (const Status done = card.Finish(); !done.ok()) outer.Fail("card", done.error().message);
  return out;
}

// One reader per command: which fields it has and how each is typed.
const std::map<std::string, Reader, std::less<>>& Readers() {
  static const std::map<std::string, Reader, std::less<>> readers = {
      {"EnrollTrainer",
       [](FieldReader& r) -> CommandBody {
         return domain::EnrollTrainer{r.Text("name"), r.Text("email"), r.RequiredDate("anniversary")};
       }},
      {"RecordCertification",
       [](FieldReader& r) -> CommandBody {
         return domain::RecordCertification{
             r.Text("certification_id"),
             r.RequiredEnum<domain::Track>("track", domain::ParseTrack)};
       }},
      {"StartRenewal", [](FieldReader&) -> CommandBody { return domain::StartRenewal{}; }},
      {"IssueFteCode",
       [](FieldReader& r) -> CommandBody {
         return domain::IssueFteCode{r.Text("alias"), r.Text("code")};
       }},
      {"ChooseProfile",
       [](FieldReader& r) -> CommandBody {
         domain::ChooseProfile c;
         c.employer_type =
             r.RequiredEnum<domain::EmployerType>("employer_type", domain::ParseEmployerType);
         c.employer_detail = r.Text("employer_detail");
         c.fte_code = r.Text("fte_code");
         c.track = r.RequiredEnum<domain::Track>("track", domain::ParseTrack);
         return c;
       }},
      {"FileException",
       [](FieldReader& r) -> CommandBody {
         domain::FileException c;
         c.classes = r.Integer("classes");
         c.course_name = r.Text("course_name");
         c.course_date = r.RequiredDate("course_date");
         c.students = r.Integer("students");
         c.organization = r.Text("organization");
         c.manager_name = r.Text("manager_name");
         c.manager_email = r.Text("manager_email");
         return c;
       }},
      {"RecordMtmSurvey",
       [](FieldReader& r) -> CommandBody {
         return domain::RecordMtmSurvey{r.Text("course_name"), r.RequiredDate("course_date"),
                                        r.RequiredNumber("average_score")};
       }},
      {"UploadMtmReport",
       [](FieldReader& r) -> CommandBody {
         domain::UploadMtmReport c;
         c.media_type = r.Text("media_type");
         c.size = r.Integer("size");
         c.sha256 = r.Text("sha256");
         c.mct_full_name = r.Text("mct_full_name");
         c.course_name = r.Text("course_name");
         c.course_date = r.OptionalDate("course_date");  // missing: report_incomplete (REQ-5)
         return c;
       }},
      {"ConfirmRequirements",
       [](FieldReader&) -> CommandBody { return domain::ConfirmRequirements{}; }},
      {"AcceptTerms",
       [](FieldReader& r) -> CommandBody {
         // An unticked box may simply not be sent: absent is false (TERMS-1).
         return domain::AcceptTerms{r.Flag("accept_terms"), r.Flag("accept_payment_redirect")};
       }},
      {"ApplyVoucher",
       [](FieldReader& r) -> CommandBody { return domain::ApplyVoucher{r.Text("voucher_code")}; }},
      {"EnterBillingAddress",
       [](FieldReader& r) -> CommandBody {
         domain::EnterBillingAddress c;
         c.first_name = r.Text("first_name");
         c.last_name = r.Text("last_name");
         c.email = r.Text("email");
         c.email_confirmation = r.Text("email_confirmation");
         c.phone = r.Text("phone");
         c.address1 = r.Text("address1");
         c.address2 = r.Text("address2");
         c.city = r.Text("city");
         c.state = r.Text("state");
         c.postal_code = r.Text("postal_code");
         c.country = r.Text("country", "JP");  // PAY-3: preselected
         return c;
       }},
      {"PlaceOrder",
       [](FieldReader& r) -> CommandBody {
         domain::PlaceOrder c;
         c.method = r.Text("method");
         if (!r.Has("method")) r.Fail("method", "is required");
         if (const nlohmann::json* card = r.Object("card")) c.card = ReadCard(*card, r);
         c.payer_name = r.Text("payer_name");
         c.confirmed = r.Flag("confirmed");
         c.idempotency_key = r.Text("idempotency_key");
         return c;
       }},
      {"OrderWelcomeKit", [](FieldReader&) -> CommandBody { return domain::OrderWelcomeKit{}; }},
      {"IssueRefund",
       [](FieldReader& r) -> CommandBody {
         return domain::IssueRefund{r.Text("order_id"), r.Text("reason")};
       }},
      {"SettleRefund",
       [](FieldReader& r) -> CommandBody { return domain::SettleRefund{r.Text("order_id")}; }},
      {"ApplyAlumni", [](FieldReader&) -> CommandBody { return domain::ApplyAlumni{}; }},
      {"SwitchBackFromAlumni",
       [](FieldReader&) -> CommandBody { return domain::SwitchBackFromAlumni{}; }},
  };
  return readers;
}

}  // namespace

Result<CommandBody> CommandBodyFromJson(const nlohmann::json& object,
                                        std::initializer_list<std::string_view> envelope_keys) {
  if (!object.is_object()) return Error{"the command must be a JSON object"};
  const auto name = object.find("command");
  if (name == object.end()) {
    return Error{"command: is required (the command's name, such as \"StartRenewal\")"};
  }
  if (!name->is_string()) {
    return Error{"command: must be a string (the command's name, such as \"StartRenewal\")"};
  }
  const auto reader = Readers().find(name->get<std::string>());
  if (reader == Readers().end()) {
    return Error{"command: '" + name->get<std::string>() + "' is not a command"};
  }
  FieldReader fields(object, "");
  fields.Skip("command");
  for (const std::string_view key : envelope_keys) fields.Skip(key);
  CommandBody body = reader->second(fields);
  if (const Status done = fields.Finish(); !done.ok()) {
    return Error{reader->first + "." + done.error().message};
  }
  return body;
}

Result<domain::Actor> ActorFromJson(const nlohmann::json& object) {
  FieldReader fields(object, "actor");
  domain::Actor actor;
  actor.role = fields.RequiredEnum<domain::Role>("role", domain::ParseRole);
  actor.id = fields.Text("id");
  if (fields.ok() && actor.id.empty()) fields.Fail("id", "is required");
  if (const Status done = fields.Finish(); !done.ok()) return done.error();
  return actor;
}

}  // namespace mct::admin
