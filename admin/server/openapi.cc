#include "admin/server/openapi.h"

#include <string>
#include <utility>
#include <vector>

#include "admin/server/route_table.h"
#include "domain/decide.h"

namespace mct::admin::server {
namespace {

using Json = nlohmann::ordered_json;

// The fields of each command's JSON (shared/scenarios/README.md), as JSON Schema types.
const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>&
CommandFields() {
  static const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
      fields = {
          {"EnrollTrainer", {{"name", "string"}, {"email", "string"}, {"anniversary", "date"}}},
          {"RecordCertification", {{"certification_id", "string"}, {"track", "string"}}},
          {"StartRenewal", {}},
          {"IssueFteCode", {{"alias", "string"}, {"code", "string"}}},
          {"ChooseProfile",
           {{"employer_type", "string"}, {"employer_detail", "string"}, {"fte_code", "string"},
            {"track", "string"}}},
          {"FileException",
           {{"classes", "integer"}, {"course_name", "string"}, {"course_date", "date"},
            {"students", "integer"}, {"organization", "string"}, {"manager_name", "string"},
            {"manager_email", "string"}}},
          {"RecordMtmSurvey",
           {{"course_name", "string"}, {"course_date", "date"}, {"average_score", "number"}}},
          {"ConfirmRequirements", {}},
          {"AcceptTerms", {{"accept_terms", "boolean"}, {"accept_payment_redirect", "boolean"}}},
          {"ApplyVoucher", {{"voucher_code", "string"}}},
          {"EnterBillingAddress",
           {{"first_name", "string"}, {"last_name", "string"}, {"email", "string"},
            {"email_confirmation", "string"}, {"phone", "string"}, {"address1", "string"},
            {"address2", "string"}, {"city", "string"}, {"state", "string"},
            {"postal_code", "string"}, {"country", "string"}}},
          {"PlaceOrder",
           {{"method", "string"}, {"card", "card"}, {"payer_name", "string"},
            {"confirmed", "boolean"}, {"idempotency_key", "string"}}},
          {"OrderWelcomeKit", {}},
          {"IssueRefund", {{"order_id", "string"}, {"reason", "string"}}},
          {"SettleRefund", {{"order_id", "string"}}},
          {"ApplyAlumni", {}},
          {"SwitchBackFromAlumni", {}},
      };
  return fields;
}

Json TypeSchema(const std::string& type) {
  if (type == "date") return Json{{"type", "string"}, {"format", "date"}};
  if (type == "card") {
    return Json{{"type", "object"},
                {"additionalProperties", false},
                {"properties",
                 {{"holder", {{"type", "string"}}},
                  {"number", {{"type", "string"}}},
                  {"expiry", {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}},
                  {"security_code", {{"type", "string"}}}}}};
  }
  return Json{{"type", type}};
}

Json CommandSchema() {
  Json one_of = Json::array();
  for (const auto& [name, fields] : CommandFields()) {
    Json properties{{"command", {{"type", "string"}, {"enum", {name}}}},
                    {"command_id", {{"type", "string"}, {"description", "retry key (invariant 5)"}}}};
    for (const auto& [field, type] : fields) properties[field] = TypeSchema(type);
    one_of.push_back(Json{{"title", name},
                          {"type", "object"},
                          {"required", {"command"}},
                          {"additionalProperties", false},
                          {"properties", properties}});
  }
  return Json{{"oneOf", one_of}};
}

Json ErrorResponse(const std::string& description) {
  return Json{{"description", description},
              {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

Json RejectionCodes() {
  Json codes = Json::array();
  for (const auto code : domain::AllRejectionCodes()) codes.push_back(std::string(domain::ToString(code)));
  return codes;
}

}  // namespace

Json OpenApiDocument() {
  Json paths = Json::object();
  for (const Route& route : Routes()) {
    Json operation{{"summary", std::string(route.summary)}};
    Json roles = Json::array();
    for (const auto& role : AllowedRoles(route.access)) roles.push_back(role);
    operation["x-roles"] = roles;
    Json parameters = Json::array();
    const std::string path(route.path);
    if (path.find("{mcid}") != std::string::npos) {
      parameters.push_back({{"name", "mcid"}, {"in", "path"}, {"required", true},
                            {"schema", {{"type", "string"}, {"pattern", "^[0-9]{4,10}$"}}}});
    }
    if (route.access == RouteAccess::kStatus || route.access == RouteAccess::kRecords) {
      parameters.push_back({{"name", "as_of"}, {"in", "query"}, {"required", false},
                            {"schema", {{"type", "string"}, {"format", "date-time"}}}});
    }
    const bool reads_models =
        route.method == std::string_view("GET") &&
        (route.access == RouteAccess::kStatus || route.access == RouteAccess::kRecords ||
         route.access == RouteAccess::kFleet);
    if (reads_models) {
      parameters.push_back(
          {{"name", "after"},
           {"in", "query"},
           {"required", false},
           {"description",
            "read your writes: answer once the read models have applied the log up to this "
            "position (a command's last global_position); 503 read_models_behind if they have "
            "not within the server's wait"},
           {"schema", {{"type", "integer"}, {"minimum", 0}}}});
    }
    if (path == "/v1/due") {
      for (const char* name : {"from", "to"}) {
        parameters.push_back({{"name", name}, {"in", "query"}, {"required", true},
                              {"schema", {{"type", "string"}, {"format", "date"}}}});
      }
    }
    if (path == "/v1/reports") {
      parameters.push_back({{"name", "month"}, {"in", "query"}, {"required", false},
                            {"schema", {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}}});
    }
    if (path == "/v1/lookup") {
      parameters.push_back({{"name", "email"}, {"in", "query"}, {"required", true},
                            {"schema", {{"type", "string"}}}});
    }
    if (route.access == RouteAccess::kCommand) {
      parameters.push_back({{"name", "Idempotency-Key"}, {"in", "header"}, {"required", false},
                            {"description", "PlaceOrder's idempotency key (PAY-8)"},
                            {"schema", {{"type", "string"}}}});
      operation["requestBody"] = {{"required", true},
                                  {"content", {{"application/json", {{"schema", CommandSchema()}}}}}};
    }
    if (route.access == RouteAccess::kUpload) {
      operation["requestBody"] = {
          {"required", true},
          {"content",
           {{"multipart/form-data",
             {{"schema",
               {{"type", "object"},
                {"required", {"file"}},
                {"properties",
                 {{"file", {{"type", "string"}, {"format", "binary"},
                            {"description", "JPEG or PDF, decided by its magic bytes"}}},
                  {"mct_full_name", {{"type", "string"}}},
                  {"course_name", {{"type", "string"}}},
                  {"course_date", {{"type", "string"}, {"format", "date"}}}}}}}}}}}};
    }
    if (!parameters.empty()) operation["parameters"] = parameters;
    Json responses{{"200", {{"description", "OK"}}}};
    if (route.access != RouteAccess::kPublic) {
      responses["400"] = ErrorResponse("invalid_input: malformed JSON, wrong type, unknown field");
      responses["401"] = ErrorResponse("no or bad bearer token");
      responses["403"] = ErrorResponse("forbidden: the role may not do this (ROLE-1..5)");
      responses["404"] = ErrorResponse("unknown_trainer");
      responses["429"] = ErrorResponse("rate_limited");
    }
    if (reads_models) {
      responses["503"] =
          ErrorResponse("read_models_behind: ?after= named a position not yet applied");
    }
    if (route.access == RouteAccess::kCommand || route.access == RouteAccess::kUpload) {
      responses["409"] = ErrorResponse("version_conflict: another command on the trainer won");
      responses["413"] = ErrorResponse("body too large");
      responses["415"] = ErrorResponse("wrong content type");
      responses["422"] = ErrorResponse("any other rejection, with its code");
    }
    operation["responses"] = responses;
    if (route.access != RouteAccess::kPublic) operation["security"] = Json::array({{{"bearer", Json::array()}}});
    std::string method(route.method);
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path][method] = operation;
  }
  return Json{
      {"openapi", "3.0.3"},
      {"info", {{"title", "MCT renewal back office"}, {"version", "1"}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"required", {"code", "message"}},
            {"properties",
             {{"code", {{"type", "string"},
                        {"description", "a rejection code, or unauthorized, rate_limited, internal"},
                        {"x-rejection-codes", RejectionCodes()}}},
              {"message", {{"type", "string"}}}}}}}}}}}};
}

}  // namespace mct::admin::server
