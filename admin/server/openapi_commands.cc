// The command schemas of the OpenAPI document: the fields of each command's JSON
// (shared/scenarios/README.md, read by admin/command_json.cc), the enumerations' names from the
// codec, and who may send each command from the role table.
#include <string>
#include <string_view>
#include <vector>

#include "admin/server/openapi_schemas.h"
#include "consumers/json_schema.h"
#include "domain/roles.h"
#include "domain/values.h"

namespace mct::admin::server {
namespace {

using Json = OpenApiJson;

enum class FieldType {
  kText,
  kDate,
  kInteger,
  kNumber,
  kFlag,
  kCard,
  kTrack,
  kEmployerType,
  kPaymentMethod,
  kIdempotencyKey,  // PlaceOrder's (PAY-8): the body's, or the Idempotency-Key header's
  kCountry,         // the billing address's (PAY-3): preselected
};

// Whether the server takes a command without the field.
enum class Presence : uint8_t {
  kOptional,  // may be left out: it reads as empty, zero or false
  kRequired,  // command_json.cc refuses its absence (RequiredDate, RequiredEnum, PlaceOrder's
              // method)
  kNonEmpty,  // read as empty when absent, which the rules refuse (invalid_input): at least 1
};

struct CommandField {
  std::string_view name;
  FieldType type;
  Presence presence = Presence::kOptional;
};

struct CommandFields {
  std::string_view command;
  std::vector<CommandField> fields;
};

// UploadMtmReport is missing on purpose: the commands route refuses it (its own route reads it).
const std::vector<CommandFields>& AllCommandFields() {
  using enum FieldType;
  using enum Presence;
  static const std::vector<CommandFields> fields = {
      {"EnrollTrainer",
       {{"name", kText, kNonEmpty},
        {"email", kText, kNonEmpty},
        {"anniversary", kDate, kRequired}}},
      {"RecordCertification",
       {{"certification_id", kText, kNonEmpty}, {"track", kTrack, kRequired}}},
      {"StartRenewal", {}},
      {"IssueFteCode", {{"alias", kText, kNonEmpty}, {"code", kText, kNonEmpty}}},
      {"ChooseProfile",
       {{"employer_type", kEmployerType, kRequired},
        {"employer_detail", kText},
        {"fte_code", kText},
        {"track", kTrack, kRequired}}},
      {"FileException",
       {{"classes", kInteger, kNonEmpty},
        {"course_name", kText, kNonEmpty},
        {"course_date", kDate, kRequired},
        {"students", kInteger, kNonEmpty},
        {"organization", kText, kNonEmpty},
        {"manager_name", kText, kNonEmpty},
        {"manager_email", kText, kNonEmpty}}},
      {"RecordMtmSurvey",
       {{"course_name", kText, kNonEmpty},
        {"course_date", kDate, kRequired},
        {"average_score", kNumber, kRequired}}},
      {"ConfirmRequirements", {}},
      {"AcceptTerms", {{"accept_terms", kFlag}, {"accept_payment_redirect", kFlag}}},
      {"ApplyVoucher", {{"voucher_code", kText, kNonEmpty}}},
      {"EnterBillingAddress",
       {{"first_name", kText, kNonEmpty},
        {"last_name", kText, kNonEmpty},
        {"email", kText, kNonEmpty},
        {"email_confirmation", kText, kNonEmpty},
        {"phone", kText, kNonEmpty},
        {"address1", kText, kNonEmpty},
        {"address2", kText, kNonEmpty},
        {"city", kText, kNonEmpty},
        {"state", kText, kNonEmpty},
        {"postal_code", kText, kNonEmpty},
        {"country", kCountry}}},
      {"PlaceOrder",
       {{"method", kPaymentMethod, kRequired},
        {"card", kCard},
        {"payer_name", kText},
        {"confirmed", kFlag},
        {"idempotency_key", kIdempotencyKey}}},
      {"OrderWelcomeKit", {}},
      {"IssueRefund", {{"order_id", kText}, {"reason", kText, kNonEmpty}}},
      {"SettleRefund", {{"order_id", kText}}},
      {"ApplyAlumni", {}},
      {"SwitchBackFromAlumni", {}},
  };
  return fields;
}

Json Enumeration(std::vector<std::string> names) {
  return Json{{"type", "string"}, {"enum", std::move(names)}};
}

Json FieldSchema(FieldType type) {
  switch (type) {
    case FieldType::kText:
      return Json{{"type", "string"}};
    case FieldType::kDate:
      return Json{{"type", "string"}, {"format", "date"}};
    case FieldType::kInteger:
      return Json{{"type", "integer"}, {"format", "int64"}};
    case FieldType::kNumber:
      return Json{{"type", "number"}};
    case FieldType::kFlag:
      return Json{{"type", "boolean"}, {"description", "absent is false"}};
    case FieldType::kCard:
      return Json{{"type", "object"},
                  {"additionalProperties", false},
                  {"description", "PAY-5: only the brand and the last four digits are kept"},
                  {"properties",
                   {{"holder", {{"type", "string"}}},
                    {"number", {{"type", "string"}}},
                    {"expiry", {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}},
                    {"security_code", {{"type", "string"}}}}}};
    case FieldType::kTrack:
      return Enumeration(consumers::JsonNamesOf<domain::Track>());
    case FieldType::kEmployerType:
      return Enumeration(consumers::JsonNamesOf<domain::EmployerType>());
    case FieldType::kCountry:
      return Json{{"type", "string"},
                  {"minLength", 1},
                  {"description", "PAY-3: preselected, JP when left out"}};
    case FieldType::kIdempotencyKey:
      return Json{{"type", "string"},
                  {"minLength", 1},
                  {"description",
                   "PAY-8: required, here or as the Idempotency-Key header (they must agree when "
                   "both are sent)"}};
    case FieldType::kPaymentMethod: {
      // Read as text and judged by Decide: another value is a 422, not a 400.
      Json schema = Enumeration(consumers::JsonNamesOf<domain::PaymentMethod>());
      schema["description"] = "PAY-1; any other value is refused 422 payment_method_not_accepted";
      return schema;
    }
  }
  return Json::object();
}

std::string JoinedRoles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& role : roles) out += (out.empty() ? "" : ", ") + role;
  return out.empty() ? "nobody" : out;
}

}  // namespace

Json CommandSchemas() {
  Json schemas = Json::object();
  for (const auto& [command, fields] : AllCommandFields()) {
    const std::string name(command);
    Json properties{
        {"command", Enumeration({name})},
        {"command_id",
         {{"type", "string"},
          {"minLength", 1},
          {"description", "retry key (invariant 5); the server mints one when absent"}}}};
    Json required = Json::array({"command"});
    for (const auto& field : fields) {
      Json schema = FieldSchema(field.type);
      if (field.presence == Presence::kNonEmpty) {
        schema[field.type == FieldType::kText ? "minLength" : "minimum"] = 1;
      }
      properties[std::string(field.name)] = std::move(schema);
      if (field.presence != Presence::kOptional) required.push_back(std::string(field.name));
    }
    const std::vector<std::string> roles = RolesSending(command);
    schemas[name] =
        Json{{"title", name},
             {"description", "Who may send it (ROLE-1..4): " + JoinedRoles(roles) + "."},
             {"x-roles", roles},
             {"type", "object"},
             {"required", required},
             {"additionalProperties", false},
             {"properties", properties}};
  }
  return schemas;
}

Json CommandRequestSchema() {
  Json one_of = Json::array();
  Json mapping = Json::object();
  for (const auto& [command, unused] : AllCommandFields()) {
    one_of.push_back(SchemaRef(std::string(command)));
    mapping[std::string(command)] = "#/components/schemas/" + std::string(command);
  }
  return Json{{"oneOf", one_of},
              {"discriminator", {{"propertyName", "command"}, {"mapping", mapping}}}};
}

}  // namespace mct::admin::server
