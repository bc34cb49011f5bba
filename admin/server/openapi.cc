#include "admin/server/openapi.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "admin/server/openapi_schemas.h"
#include "admin/server/route_errors.h"
#include "admin/server/route_table.h"

namespace mct::admin::server {
namespace {

using Json = nlohmann::ordered_json;

// The error responses of `route` (RouteErrors), one per status, each naming the codes it can
// carry in the schema's `code` enum and in its description.
Json ErrorResponses(const Route& route) {
  const std::vector<RouteError> route_errors = RouteErrors(route);
  std::map<int, std::vector<const RouteError*>> by_status;
  for (const RouteError& error : route_errors) by_status[error.status].push_back(&error);
  Json responses = Json::object();
  for (const auto& [status, errors] : by_status) {
    // The codes in order, each once; codes with the same "when" (the rejections) described
    // together.
    Json codes = Json::array();
    std::vector<std::pair<std::string, std::string>> codes_by_when;
    for (const RouteError* error : errors) {
      if (std::find(codes.begin(), codes.end(), error->code) != codes.end()) continue;
      codes.push_back(error->code);
      auto same = std::find_if(codes_by_when.begin(), codes_by_when.end(),
                               [&](const auto& entry) { return entry.first == error->when; });
      if (same == codes_by_when.end()) {
        codes_by_when.emplace_back(error->when, error->code);
      } else {
        same->second += ", " + error->code;
      }
    }
    std::string description;
    for (const auto& [when, listed] : codes_by_when) {
      description += (description.empty() ? "" : "; ") + listed + ": " + when;
    }
    Json response{
        {"description", description},
        {"content",
         {{"application/json",
           {{"schema",
             {{"allOf",
               {SchemaRef("Error"),
                {{"type", "object"},
                 {"properties", {{"code", {{"type", "string"}, {"enum", codes}}}}}}}}}}}}}}};
    const auto lists = [&codes](const char* code) {
      return std::find(codes.begin(), codes.end(), code) != codes.end();
    };
    if ((status == 503 && lists("read_models_behind")) || (status == 429 && lists("rate_limited"))) {
      response["headers"] = {{"Retry-After",
                              {{"description", "whole seconds to wait before asking again"},
                               {"schema", {{"type", "integer"}, {"minimum", 1}}}}}};
    }
    responses[std::to_string(status)] = std::move(response);
  }
  return responses;
}

// A query parameter of the document, by name (QueryParameters, route_table.h, says which route
// takes which).
Json QueryParameter(std::string_view name) {
  Json parameter{{"name", std::string(name)}, {"in", "query"}, {"required", false}};
  Json schema{{"type", "string"}};
  if (name == "as_of") {
    schema["format"] = "date-time";
  } else if (name == "from" || name == "to") {
    parameter["required"] = true;
    schema["format"] = "date";
  } else if (name == "month") {
    schema["pattern"] = "^[0-9]{4}-[0-9]{2}$";
  } else if (name == "email") {
    parameter["required"] = true;
  } else if (name == "checkpoint") {
    parameter["description"] =
        "a checkpoint an earlier verify answered, POSITION:DIGEST: also prove the log's first "
        "POSITION events unchanged since (recorded_checkpoint_holds; a mismatch is the broken "
        "link)";
    schema["pattern"] = "^[1-9][0-9]*:[0-9a-fA-F]{64}$";
  } else if (name == "after") {
    parameter["description"] =
        "read your writes: answer once the read models have applied the log up to this "
        "position (a command's last global_position); 503 read_models_behind if they have "
        "not within the server's wait";
    schema = {{"type", "integer"}, {"minimum", 0}};
  }
  parameter["schema"] = schema;
  return parameter;
}

}  // namespace

Json OpenApiDocument() {
  Json schemas = AnswerSchemas();
  const Json commands = CommandSchemas();
  for (const auto& [name, schema] : commands.items()) schemas[name] = schema;
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
    for (const std::string_view name : QueryParameters(route)) {
      parameters.push_back(QueryParameter(name));
    }
    if (route.access == RouteAccess::kCommand) {
      parameters.push_back({{"name", "Idempotency-Key"},
                            {"in", "header"},
                            {"required", false},
                            {"description",
                             "makes a retry safe: PlaceOrder's idempotency key (PAY-8), any other "
                             "command's command_id; if the body has that field too they must "
                             "agree"},
                            {"schema", {{"type", "string"}}}});
      operation["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", CommandRequestSchema()}}}}}};
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
                 {{"file",
                   {{"type", "string"},
                    {"format", "binary"},
                    {"description", "JPEG or PDF, decided by its magic bytes"}}},
                  {"mct_full_name", {{"type", "string"}}},
                  {"course_name", {{"type", "string"}}},
                  {"course_date", {{"type", "string"}, {"format", "date"}}},
                  {"command_id",
                   {{"type", "string"},
                    {"description",
                     "makes a retry safe, as for any command; or send it as the "
                     "Idempotency-Key header (if both, they must agree)"}}}}}}}}}}}};
    }
    if (!parameters.empty()) operation["parameters"] = parameters;
    Json responses{{"200", SuccessResponse(route)}};
    const Json errors = ErrorResponses(route);
    for (const auto& [status, response] : errors.items()) responses[status] = response;
    operation["responses"] = responses;
    if (route.access != RouteAccess::kPublic) operation["security"] = Json::array({{{"bearer", Json::array()}}});
    std::string method(route.method);
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path][method] = operation;
  }
  return Json{{"openapi", "3.0.3"},
              {"info", {{"title", "MCT renewal back office"}, {"version", "1"}}},
              {"paths", paths},
              {"components",
               {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
                {"schemas", schemas}}}};
}

}  // namespace mct::admin::server
